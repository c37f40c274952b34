import { describe, expect, it } from 'vitest';
import { decode, encode, encoder, viewOf } from '../src/codec.js';
import type { TypeDescriptor } from '../src/metadata.js';
import { flowKey, flowStats, u16, u32, u64 } from './fixtures.js';

const i8: TypeDescriptor = { kind: 'int', name: 'i8', size: 1, signed: true };
const i64: TypeDescriptor = { kind: 'int', name: 'i64', size: 8, signed: true };
const color: TypeDescriptor = { kind: 'enum', name: 'Color', size: 4, signed: false, values: { Red: 0, Green: 1 } };

describe('codec', () => {
  it('encodes integers little-endian at their C size', () => {
    expect(encode(u32, 0x01020304, 'k')).toEqual(Buffer.from([4, 3, 2, 1]));
    expect(encode(u16, 0xffff, 'k')).toEqual(Buffer.from([0xff, 0xff]));
    expect(encode(i8, -1, 'k')).toEqual(Buffer.from([0xff]));
    expect(encode(u64, 2n ** 64n - 1n, 'k')).toEqual(Buffer.alloc(8, 0xff));
  });

  it('round-trips 64-bit integers as bigint and signed values with their sign', () => {
    expect(decode(u64, encode(u64, 2n ** 63n + 5n, 'v'))).toBe(2n ** 63n + 5n);
    expect(decode(i64, encode(i64, -42n, 'v'))).toBe(-42n);
    expect(decode(i8, encode(i8, -128, 'v'))).toBe(-128);
    expect(decode(color, encode(color, 1, 'v'))).toBe(1);
  });

  it('lays structs out at their field offsets with zeroed padding', () => {
    const bytes = encode(flowKey, { saddr: 0x0a000001, sport: 80, proto: 6 }, 'k');
    expect(bytes).toEqual(Buffer.from([1, 0, 0, 10, 80, 0, 6, 0]));
    const stats = { packets: 7n, bytes: 1500, seen: true, tag: 'x', delta: [-1, 0, 300] };
    expect(decode(flowStats, encode(flowStats, stats, 'v'))).toEqual(stats);
  });

  it('a [char; N] is a string: UTF-8 up to the first NUL (all N bytes without one), written zero-padded', () => {
    const comm: TypeDescriptor = { kind: 'array', element: { kind: 'char', size: 1 }, length: 8, size: 8, align: 1 };
    expect(encode(comm, 'bash', 'v')).toEqual(Buffer.from('bash\0\0\0\0', 'latin1'));
    expect(decode(comm, Buffer.from('bash\0xyz', 'latin1'))).toBe('bash');
    expect(decode(comm, Buffer.from('12345678', 'latin1'))).toBe('12345678');
    expect(decode(comm, encode(comm, 'é/ü', 'v'))).toBe('é/ü');
    expect(decode(comm, Buffer.from([0x66, 0xff, 0, 0, 0, 0, 0, 0]))).toBe('f\ufffd');
    expect(() => encode(comm, '123456789', 'v.comm')).toThrow(new TypeError('v.comm: "123456789" is 9 bytes of UTF-8, more than the 8 of [char; 8]'));
    expect(() => encode(comm, 'a\0b', 'v.comm')).toThrow(/cannot hold a NUL/);
    expect(() => encode(comm, ['b', 'a'], 'v.comm')).toThrow(/v\.comm: expected a string for \[char; 8\], got/);
  });

  it('zeroes padding when encoding into a reused buffer (map handles reuse theirs)', () => {
    const dirty = Buffer.alloc(flowKey.size, 0xff);
    encoder(flowKey)(viewOf(dirty), 0, { saddr: 0x0a000001, sport: 80, proto: 6 }, 'k');
    expect(dirty).toEqual(Buffer.from([1, 0, 0, 10, 80, 0, 6, 0]));
  });

  it('throws TypeError naming the offending part for wrong JS types, ranges and shapes', () => {
    expect(() => encode(u64, 1, 'key')).toThrow(new TypeError('key: expected a bigint for u64, got number 1'));
    expect(() => encode(u32, 1n, 'key')).toThrow(TypeError);
    expect(() => encode(u32, 1.5, 'key')).toThrow(TypeError);
    expect(() => encode(u32, -1, 'key')).toThrow(/out of range for u32/);
    expect(() => encode(u16, 65536, 'key')).toThrow(/out of range for u16/);
    expect(() => encode(flowKey, { saddr: 1, sport: 2 }, 'key')).toThrow(/missing field 'proto'/);
    expect(() => encode(flowKey, { saddr: 1, sport: 2, proto: 3, port: 4 }, 'key')).toThrow(/has no field 'port'/);
    expect(() => encode(flowStats, { packets: 1n, bytes: 1, seen: 1, tag: 'x', delta: [0, 0, 0] }, 'v')).toThrow(
      /v\.seen: expected a boolean/,
    );
    expect(() => encode(flowStats, { packets: 1n, bytes: 1, seen: true, tag: 'xy', delta: [0, 0, 0] }, 'v')).toThrow(/v\.tag/);
    expect(() => encode(flowStats, { packets: 1n, bytes: 1, seen: true, tag: 'x', delta: [0, 0] }, 'v')).toThrow(
      /v\.delta: expected an array of 3 elements/,
    );
  });
});
