// Converts JS values to and from the raw bytes the kernel stores, following a
// TypeDescriptor's C layout. Integers are host order (little-endian on every
// machine this targets); 64-bit integers are bigints so no value loses bits.
// Encoding validates everything first, so a wrong value is a TypeError before
// any syscall.
import { endianness } from 'node:os';
import type { TypeDescriptor } from './metadata.js';

if (endianness() !== 'LE') throw new Error('@kernelscript/runtime supports little-endian hosts only');

/** The JS form of a decoded kernel value. */
export type KernelValue = number | bigint | boolean | string | KernelValue[] | { [field: string]: KernelValue };

/** Writes a value at `offset` of `view`; `path` names the value in error messages. */
export type Encoder = (view: DataView, offset: number, value: unknown, path: string) => void;
/** Reads the value stored at `offset` of `view`. */
export type Decoder = (view: DataView, offset: number) => KernelValue;

/** A DataView over exactly the bytes of `buffer`, for encoders and decoders. */
export function viewOf(buffer: Uint8Array): DataView {
  return new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** Encodes `value` into a new zero-filled buffer of the type's size (padding stays zero). */
export function encode(type: TypeDescriptor, value: unknown, path: string): Buffer {
  const buffer = Buffer.alloc(type.size);
  encoder(type)(viewOf(buffer), 0, value, path);
  return buffer;
}

/** Encodes `value` at `offset` of `buffer`; `path` names the value in error messages. */
export function encodeInto(type: TypeDescriptor, value: unknown, buffer: Buffer, offset: number, path: string): void {
  encoder(type)(viewOf(buffer), offset, value, path);
}

/** Decodes the value of `type` stored at `offset` of `buffer`. */
export function decode(type: TypeDescriptor, buffer: Buffer, offset = 0): KernelValue {
  return decoder(type)(viewOf(buffer), offset);
}

/**
 * An encoder specialised for `type` once, for hot paths (map operations): the
 * switch over the descriptor and the range bounds are worked out at creation,
 * not per value. It writes every byte of the type, padding as zero, so a
 * reused buffer needs no clearing.
 */
export function encoder(type: TypeDescriptor): Encoder {
  switch (type.kind) {
    case 'int': {
      const write = intWriter(type.size, type.signed);
      if (type.size === 8) {
        const [min, max] = bigintRange(type.signed);
        return (view, offset, value, path) => {
          if (typeof value !== 'bigint') throw new TypeError(`${path}: expected a bigint for ${type.name}, got ${describe(value)}`);
          if (value < min || value > max) throw new TypeError(`${path}: ${value} is out of range for ${type.name}`);
          write(view, offset, value);
        };
      }
      const [min, max] = numberRange(type.size, type.signed);
      return (view, offset, value, path) => write(view, offset, checkNumber(value, min, max, type.name, path));
    }
    case 'enum': {
      // Enums travel as their numeric value, a number also for 8-byte enums.
      const write = intWriter(type.size, false);
      const [min, max] = numberRange(type.size, false);
      return (view, offset, value, path) => {
        if (typeof value !== 'number') throw new TypeError(`${path}: expected an enum value (number), got ${describe(value)}`);
        const checked = checkNumber(value, min, max, type.name, path);
        write(view, offset, type.size === 8 ? BigInt(checked) : checked);
      };
    }
    case 'bool':
      return (view, offset, value, path) => {
        if (typeof value !== 'boolean') throw new TypeError(`${path}: expected a boolean, got ${describe(value)}`);
        view.setUint8(offset, value ? 1 : 0);
      };
    case 'char':
      return (view, offset, value, path) => view.setUint8(offset, charCode(value, path));
    case 'array': {
      const { length } = type;
      if (type.element.kind === 'char') return textEncoder(length);
      const stride = type.element.size;
      const writeElement = encoder(type.element);
      return (view, offset, value, path) => {
        if (!Array.isArray(value) || value.length !== length) {
          throw new TypeError(`${path}: expected an array of ${length} elements, got ${describe(value)}`);
        }
        for (let index = 0; index < length; index++) writeElement(view, offset + index * stride, value[index], `${path}[${index}]`);
      };
    }
    case 'struct': {
      const fields = type.fields.map((field) => ({ name: field.name, offset: field.offset, write: encoder(field.type) }));
      const known = new Set(type.fields.map((field) => field.name));
      const gaps = paddingGaps(type);
      return (view, offset, value, path) => {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          throw new TypeError(`${path}: expected a ${type.name} object, got ${describe(value)}`);
        }
        const object = value as Record<string, unknown>;
        const unknown = Object.keys(object).filter((name) => !known.has(name));
        if (unknown.length > 0) throw new TypeError(`${path}: ${type.name} has no field ${unknown.map((n) => `'${n}'`).join(', ')}`);
        for (const field of fields) {
          // Own fields only: an inherited one (`Object.create({ a: 1 })`, or `constructor` from Object.prototype) is not a value given.
          if (!Object.hasOwn(object, field.name)) throw new TypeError(`${path}: missing field '${field.name}' of ${type.name}`);
          field.write(view, offset + field.offset, object[field.name], `${path}.${field.name}`);
        }
        for (const [start, end] of gaps) for (let byte = offset + start; byte < offset + end; byte++) view.setUint8(byte, 0);
      };
    }
  }
}

/**
 * A decoder specialised for `type` once, for hot paths (lookups, batch
 * reads): the switch over the descriptor runs at creation, not per value.
 */
export function decoder(type: TypeDescriptor): Decoder {
  switch (type.kind) {
    case 'int':
      return intReader(type.size, type.signed);
    case 'enum': {
      const read = intReader(type.size, false);
      return (view, offset) => Number(read(view, offset));
    }
    case 'bool':
      return (view, offset) => view.getUint8(offset) !== 0;
    case 'char':
      return (view, offset) => String.fromCharCode(view.getUint8(offset));
    case 'array': {
      const { length } = type;
      if (type.element.kind === 'char') return textDecoder(length);
      const stride = type.element.size;
      const readElement = decoder(type.element);
      return (view, offset) => {
        const elements: KernelValue[] = [];
        for (let index = 0; index < length; index++) elements.push(readElement(view, offset + index * stride));
        return elements;
      };
    }
    case 'struct': {
      const fields = type.fields.map((field) => ({ name: field.name, offset: field.offset, read: decoder(field.type) }));
      // A field named `__proto__` must become an own property, not the object's prototype.
      const special = fields.some((field) => field.name === '__proto__');
      return (view, offset) => {
        const value: Record<string, KernelValue> = {};
        for (const field of fields) {
          if (special) Object.defineProperty(value, field.name, { value: field.read(view, offset + field.offset), enumerable: true, writable: true, configurable: true });
          else value[field.name] = field.read(view, offset + field.offset);
        }
        return value;
      };
    }
  }
}

// A `[char; N]` is text (docs/language.md, "Strings and memory"): a JS string
// of the bytes before the first NUL (all N when there is none), as UTF-8.
const utf8 = new TextDecoder('utf-8');

function textDecoder(length: number): Decoder {
  return (view, offset) => {
    const bytes = new Uint8Array(view.buffer, view.byteOffset + offset, length);
    const end = bytes.indexOf(0);
    return utf8.decode(end < 0 ? bytes : bytes.subarray(0, end));
  };
}

/** A string of at most N UTF-8 bytes and no NUL, written zero-padded. */
function textEncoder(length: number): Encoder {
  return (view, offset, value, path) => {
    if (typeof value !== 'string') throw new TypeError(`${path}: expected a string for [char; ${length}], got ${describe(value)}`);
    if (value.includes('\0')) throw new TypeError(`${path}: a [char; ${length}] string cannot hold a NUL character`);
    const bytes = Buffer.from(value, 'utf8');
    if (bytes.length > length) throw new TypeError(`${path}: ${JSON.stringify(value)} is ${bytes.length} bytes of UTF-8, more than the ${length} of [char; ${length}]`);
    const target = new Uint8Array(view.buffer, view.byteOffset + offset, length);
    target.set(bytes);
    target.fill(0, bytes.length);
  };
}

type IntWriter = (view: DataView, offset: number, value: number | bigint) => void;

function intWriter(size: 1 | 2 | 4 | 8, signed: boolean): IntWriter {
  switch (size) {
    case 1:
      return signed ? (v, o, x) => v.setInt8(o, x as number) : (v, o, x) => v.setUint8(o, x as number);
    case 2:
      return signed ? (v, o, x) => v.setInt16(o, x as number, true) : (v, o, x) => v.setUint16(o, x as number, true);
    case 4:
      return signed ? (v, o, x) => v.setInt32(o, x as number, true) : (v, o, x) => v.setUint32(o, x as number, true);
    case 8:
      return signed ? (v, o, x) => v.setBigInt64(o, x as bigint, true) : (v, o, x) => v.setBigUint64(o, x as bigint, true);
  }
}

function intReader(size: 1 | 2 | 4 | 8, signed: boolean): (view: DataView, offset: number) => number | bigint {
  switch (size) {
    case 1:
      return signed ? (v, o) => v.getInt8(o) : (v, o) => v.getUint8(o);
    case 2:
      return signed ? (v, o) => v.getInt16(o, true) : (v, o) => v.getUint16(o, true);
    case 4:
      return signed ? (v, o) => v.getInt32(o, true) : (v, o) => v.getUint32(o, true);
    case 8:
      return signed ? (v, o) => v.getBigInt64(o, true) : (v, o) => v.getBigUint64(o, true);
  }
}

function bigintRange(signed: boolean): [bigint, bigint] {
  return signed ? [-(1n << 63n), (1n << 63n) - 1n] : [0n, (1n << 64n) - 1n];
}

function numberRange(size: number, signed: boolean): [number, number] {
  const bits = size * 8;
  return signed ? [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1] : [0, 2 ** bits - 1];
}

function checkNumber(value: unknown, min: number, max: number, name: string, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`${path}: expected an integer number for ${name}, got ${describe(value)}`);
  }
  if (value < min || value > max) throw new TypeError(`${path}: ${value} is out of range for ${name}`);
  return value;
}

/** The byte ranges [start, end) of a struct that no field covers (alignment holes and tail padding). */
function paddingGaps(type: Extract<TypeDescriptor, { kind: 'struct' }>): [number, number][] {
  const gaps: [number, number][] = [];
  let covered = 0;
  for (const field of [...type.fields].sort((a, b) => a.offset - b.offset)) {
    if (field.offset > covered) gaps.push([covered, field.offset]);
    covered = Math.max(covered, field.offset + field.type.size);
  }
  if (type.size > covered) gaps.push([covered, type.size]);
  return gaps;
}

function charCode(value: unknown, path: string): number {
  if (typeof value === 'string' && value.length === 1 && value.charCodeAt(0) <= 0xff) return value.charCodeAt(0);
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xff) return value;
  throw new TypeError(`${path}: expected a one-character latin1 string or a byte for char, got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  if (typeof value === 'number' || typeof value === 'bigint') return `${typeof value} ${value}`;
  return typeof value;
}
