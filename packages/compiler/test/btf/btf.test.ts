// The BTF reader against hand-built blobs (every kind, both byte orders,
// malformed input) and against this machine's kernel BTF, decoded type by
// type and compared with bpftool's reading of the same file.
import { existsSync, readFileSync } from 'node:fs';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { Btf, BtfError } from '../../src/btf/btf.js';
import type { BtfType } from '../../src/btf/btf-types.js';
import { BtfBuilder, withMemberMoved } from './btf-builder.js';

const VMLINUX = '/sys/kernel/btf/vmlinux';

/** A small kernel-like BTF: a task struct with a self pointer, a bit-field, an anonymous union, a typedef, a prototype. */
function sampleBtf() {
  const b = new BtfBuilder();
  const int = b.int('int', 4, { signed: true });
  const u64 = b.int('long long unsigned int', 8);
  const char = b.int('char', 1, { signed: true, char: true });
  const pid_t = b.modifier('typedef', int, 'pid_t');
  const comm = b.array(char, 16, int);
  const taskPtr = b.ptr(b.nextId + 2);
  const anon = b.union('', 8, [['counter', u64, 0], ['flags', int, 0]]);
  const task = b.struct('task_struct', 48, [
    ['pid', pid_t, 0],
    ['tgid', pid_t, 32],
    ['real_parent', taskPtr, 64],
    ['comm', comm, 128],
    ['', anon, 256],
    ['state', int, 320, 3],
    ['on_cpu', int, 323, 1],
  ]);
  const constTask = b.modifier('const', task);
  const proto = b.funcProto(int, [['p', b.ptr(constTask)], ['count', u64]]);
  const func = b.func('wake_up_process', proto);
  return { b, ids: { int, u64, char, pid_t, comm, taskPtr, anon, task, constTask, proto, func } };
}

describe('BTF reader: hand-built BTF', () => {
  for (const bigEndian of [false, true]) {
    it(`decodes structs, bit-fields, arrays, pointers, typedefs and prototypes (${bigEndian ? 'big' : 'little'}-endian)`, () => {
      const { b, ids } = sampleBtf();
      const btf = Btf.parse(b.bytes({ bigEndian }));
      expect(btf.typeCount).toBe(ids.func);
      const task = btf.findOne('task_struct', 'struct')!;
      expect(task).toMatchObject({ id: ids.task, size: 48 });
      expect(task.members).toEqual([
        { name: 'pid', type: ids.pid_t, bitOffset: 0, bitSize: 0 },
        { name: 'tgid', type: ids.pid_t, bitOffset: 32, bitSize: 0 },
        { name: 'real_parent', type: ids.taskPtr, bitOffset: 64, bitSize: 0 },
        { name: 'comm', type: ids.comm, bitOffset: 128, bitSize: 0 },
        { name: '', type: ids.anon, bitOffset: 256, bitSize: 0 },
        { name: 'state', type: ids.int, bitOffset: 320, bitSize: 3 },
        { name: 'on_cpu', type: ids.int, bitOffset: 323, bitSize: 1 },
      ]);
      expect(btf.type(ids.taskPtr)).toEqual({ kind: 'ptr', id: ids.taskPtr, name: '', target: ids.task });
      expect(btf.type(ids.comm)).toEqual({ kind: 'array', id: ids.comm, name: '', element: ids.char, indexType: ids.int, length: 16 });
      expect(btf.type(ids.char)).toMatchObject({ kind: 'int', size: 1, signed: true, char: true, bool: false, bits: 8 });
      expect(btf.resolve(ids.pid_t)).toMatchObject({ kind: 'int', name: 'int' });
      expect(btf.sizeOf(ids.comm)).toBe(16);
      expect(btf.sizeOf(ids.constTask)).toBe(48);
      expect(btf.type(ids.anon)).toMatchObject({ kind: 'union', name: '', size: 8 });
      const func = btf.findOne('wake_up_process', 'func')!;
      expect(func).toEqual({ kind: 'func', id: ids.func, name: 'wake_up_process', proto: ids.proto, linkage: 'global' });
      expect(btf.typeOf(func.proto, 'func_proto')).toMatchObject({ returns: ids.int, params: [{ name: 'p' }, { name: 'count', type: ids.u64 }], variadic: false });
    });
  }

  it('decodes enums (signed, 64-bit), forward declarations, variables, sections, floats, tags and variadic prototypes', () => {
    const b = new BtfBuilder();
    const int = b.int('int', 4, { signed: true });
    const small = b.enum('pid_type', 4, [['PIDTYPE_PID', 0n], ['PIDTYPE_MAX', 4n]]);
    const negative = b.enum('signed_enum', 4, [['MINUS', -2n]], true);
    const wide = b.enum('wide', 8, [['BIG', 0xffff_ffff_0000_0001n]]);
    const wideSigned = b.enum('wide_signed', 8, [['LOW', -(2n ** 63n)]], true);
    const fwd = b.fwd('sock');
    const fwdUnion = b.fwd('u', true);
    const variable = b.variable('jiffies', int, 1);
    const section = b.datasec('.data', 4, [[variable, 0, 4]]);
    const double = b.float('double', 8);
    const printkProto = b.funcProto(int, [['fmt', int]], true);
    const func = b.func('bpf_obj_new', printkProto, 2);
    const tag = b.declTag('bpf_kfunc', func);
    const volatileInt = b.modifier('volatile', int);
    const restrictInt = b.modifier('restrict', volatileInt);
    const tagged = b.modifier('type_tag', restrictInt, 'user');
    const btf = Btf.parse(b.bytes());
    expect(btf.type(small)).toEqual({ kind: 'enum', id: small, name: 'pid_type', size: 4, signed: false, values: [{ name: 'PIDTYPE_PID', value: 0n }, { name: 'PIDTYPE_MAX', value: 4n }] });
    expect(btf.typeOf(negative, 'enum').values).toEqual([{ name: 'MINUS', value: -2n }]);
    expect(btf.typeOf(wide, 'enum')).toMatchObject({ size: 8, values: [{ name: 'BIG', value: 0xffff_ffff_0000_0001n }] });
    expect(btf.typeOf(wideSigned, 'enum').values).toEqual([{ name: 'LOW', value: -(2n ** 63n) }]);
    expect(btf.findOne('wide', 'enum')!.id).toBe(wide);
    expect(btf.type(fwd)).toEqual({ kind: 'fwd', id: fwd, name: 'sock', union: false });
    expect(btf.typeOf(fwdUnion, 'fwd').union).toBe(true);
    expect(btf.type(variable)).toEqual({ kind: 'var', id: variable, name: 'jiffies', type: int, linkage: 'global' });
    expect(btf.type(section)).toMatchObject({ kind: 'datasec', name: '.data', size: 4, vars: [{ type: variable, offset: 0, size: 4 }] });
    expect(btf.type(double)).toEqual({ kind: 'float', id: double, name: 'double', size: 8 });
    expect(btf.typeOf(printkProto, 'func_proto')).toMatchObject({ params: [{ name: 'fmt', type: int }], variadic: true });
    expect(btf.typeOf(func, 'func').linkage).toBe('extern');
    expect(btf.type(tag)).toEqual({ kind: 'decl_tag', id: tag, name: 'bpf_kfunc', target: func, componentIndex: -1 });
    expect(btf.resolve(tagged).id).toBe(int);
    expect(btf.type(0)).toEqual({ kind: 'void', id: 0, name: '' });
    expect(btf.sizeOf(0)).toBe(0);
  });

  it('finds every type of a name, filtered by kind, and lists names for suggestions', () => {
    const b = new BtfBuilder();
    const int = b.int('int', 4, { signed: true });
    const struct = b.struct('dup', 4, [['x', int, 0]]);
    const typedef = b.modifier('typedef', struct, 'dup');
    const func = b.func('dup', b.funcProto(int, []));
    const btf = Btf.parse(b.bytes());
    expect(btf.find('dup').map((t) => t.id)).toEqual([struct, typedef, func]);
    expect(btf.find('dup', ['typedef', 'struct']).map((t) => t.kind)).toEqual(['struct', 'typedef']);
    expect(btf.findOne('dup', 'union')).toBeNull();
    expect(btf.find('du')).toEqual([]);
    expect(btf.find('dupe')).toEqual([]);
    expect(btf.find('')).toEqual([]);
    expect(btf.find('dùp')).toEqual([]);
    // Member names are not type names.
    expect(btf.find('x')).toEqual([]);
    expect([...btf.names(['struct', 'typedef', 'int'])].sort()).toEqual(['dup', 'dup', 'int']);
    expect([...btf.names(['func'])]).toEqual(['dup']);
  });

  it('reads BTF from a buffer at any byte offset (copies the type section when it is not 4-aligned)', () => {
    const { b } = sampleBtf();
    const bytes = b.bytes();
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const btf = Btf.parse(shifted.subarray(1));
    expect(btf.findOne('task_struct', 'struct')!.members.map((m) => m.name)).toEqual(['pid', 'tgid', 'real_parent', 'comm', '', 'state', 'on_cpu']);
  });

  it('checks only the header when parsing: the types are walked on first use', () => {
    const b = new BtfBuilder();
    b.int('int', 4);
    b.raw(0, 31, 0, 0);
    const btf = Btf.parse(b.bytes());
    expect(() => btf.findOne('int', 'int')).toThrow(new BtfError('BTF type 2 has unknown kind 31'));
  });

  const malformed: [string, () => Uint8Array, string][] = [
    ['shorter than the header', () => new Uint8Array(10), 'not BTF: 10 bytes, shorter than the 24-byte header'],
    ['a wrong magic number', () => Object.assign(sampleBtf().b.bytes(), { 0: 0x7f, 1: 0x45 }), 'not BTF: magic 0x457f, expected 0xeb9f'],
    ['an unknown version', () => Object.assign(sampleBtf().b.bytes(), { 2: 2 }), 'unsupported BTF version 2 (this reader knows version 1)'],
    ['a header length past the end', () => patchU32(sampleBtf().b.bytes(), 4, 1 << 20), 'bad BTF header length 1048576'],
    ['a type section past the end', () => patchU32(sampleBtf().b.bytes(), 12, 1 << 20), 'BTF type section (1048576 bytes at 24) runs past the end of the data'],
    ['a string section past the end', () => patchU32(sampleBtf().b.bytes(), 20, 1 << 20), 'BTF string section (1048576 bytes at'],
    ['a type section length not a multiple of 4', () => patchU32(sampleBtf().b.bytes(), 12, 6), 'BTF type section length 6 is not a multiple of 4'],
    ['a string section not starting with the empty string', () => firstStringByte(sampleBtf().b.bytes(), 0x78), 'BTF string section does not start with the empty string'],
  ];
  for (const [what, bytes, message] of malformed) {
    it(`refuses BTF with ${what}`, () => {
      expect(() => Btf.parse(bytes())).toThrow(BtfError);
      expect(() => Btf.parse(bytes())).toThrow(message);
    });
  }

  it('refuses records that run past the type section, out-of-range ids and string offsets, and reference loops', () => {
    const cut = new BtfBuilder();
    cut.int('int', 4);
    cut.raw(0, 4, 5, 4); // a struct claiming 5 members and holding none
    expect(() => Btf.parse(cut.bytes()).typeCount).toThrow('BTF type 2 (struct) runs past the end of the type section');

    const badName = new BtfBuilder();
    badName.raw(9999, 1, 0, 4, [32]);
    const named = Btf.parse(badName.bytes());
    expect(() => named.type(1)).toThrow('BTF string offset 9999 is past the string section');

    const loops = new BtfBuilder();
    loops.modifier('typedef', 2, 'a');
    loops.modifier('typedef', 1, 'b');
    const arrays = loops.array(3, 2);
    const looped = Btf.parse(loops.bytes());
    expect(() => looped.resolve(1)).toThrow('typedef/qualifier chain loops');
    expect(() => looped.sizeOf(arrays)).toThrow('array element chain loops');
    expect(() => looped.type(4)).toThrow('BTF type id 4 out of range 0..3');
    expect(() => looped.type(-1)).toThrow('out of range');
    expect(() => looped.typeOf(1, 'struct')).toThrow('BTF type 1 is typedef, expected struct');
  });
});

function patchU32(bytes: Uint8Array, at: number, value: number): Uint8Array {
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(at, value, true);
  return bytes;
}

function firstStringByte(bytes: Uint8Array, value: number): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  bytes[view.getUint32(4, true) + view.getUint32(16, true)] = value;
  return bytes;
}

/** bpftool's JSON view of one type (`bpftool -j btf dump file`). */
interface BpftoolType {
  id: number;
  kind: string;
  name: string;
  [key: string]: unknown;
}

/** What bpftool prints for a type, rebuilt from our decoding, so the two can be compared field by field. */
function asBpftool(type: BtfType, btf: Btf): BpftoolType {
  const name = type.name === '' ? '(anon)' : type.name;
  const linkage = (l: string) => (l === 'global' ? 'global' : l === 'extern' ? 'extern' : 'static');
  switch (type.kind) {
    case 'void':
      throw new Error('void is not listed');
    case 'int':
      return { id: type.id, kind: 'INT', name, size: type.size, bits_offset: type.bitOffset, nr_bits: type.bits, encoding: type.bool ? 'BOOL' : type.char ? 'CHAR' : type.signed ? 'SIGNED' : '(none)' };
    case 'ptr':
      return { id: type.id, kind: 'PTR', name, type_id: type.target };
    case 'array':
      return { id: type.id, kind: 'ARRAY', name, type_id: type.element, index_type_id: type.indexType, nr_elems: type.length };
    case 'struct':
    case 'union':
      return {
        id: type.id,
        kind: type.kind.toUpperCase(),
        name,
        size: type.size,
        vlen: type.members.length,
        members: type.members.map((m) => ({ name: m.name === '' ? '(anon)' : m.name, type_id: m.type, bits_offset: m.bitOffset, ...(m.bitSize ? { bitfield_size: m.bitSize } : {}) })),
      };
    case 'enum': {
      const raw = rawKindOf(btf, type.id);
      // bpftool 7.1 prints a 4-byte enum's values sign-extended to 64 bits, whatever their signedness.
      const printed = (value: bigint) => Number(raw === 'ENUM' && !type.signed ? BigInt.asUintN(64, BigInt.asIntN(32, value)) : value);
      return { id: type.id, kind: raw, name, encoding: type.signed ? 'SIGNED' : 'UNSIGNED', size: type.size, vlen: type.values.length, values: type.values.map((v) => ({ name: v.name, val: printed(v.value) })) };
    }
    case 'fwd':
      return { id: type.id, kind: 'FWD', name, fwd_kind: type.union ? 'union' : 'struct' };
    case 'typedef':
    case 'volatile':
    case 'const':
    case 'restrict':
    case 'type_tag':
      return { id: type.id, kind: type.kind.toUpperCase(), name, type_id: type.target };
    case 'func':
      return { id: type.id, kind: 'FUNC', name, type_id: type.proto, linkage: linkage(type.linkage) };
    case 'func_proto': {
      const params = type.params.map((p) => ({ name: p.name === '' ? '(anon)' : p.name, type_id: p.type }));
      if (type.variadic) params.push({ name: '(anon)', type_id: 0 });
      return { id: type.id, kind: 'FUNC_PROTO', name, ret_type_id: type.returns, vlen: params.length, params };
    }
    case 'var':
      return { id: type.id, kind: 'VAR', name, type_id: type.type, linkage: linkage(type.linkage) };
    case 'datasec':
      return { id: type.id, kind: 'DATASEC', name, size: type.size, vlen: type.vars.length, vars: type.vars.map((v) => ({ type_id: v.type, offset: v.offset, size: v.size })) };
    case 'float':
      return { id: type.id, kind: 'FLOAT', name, size: type.size };
    case 'decl_tag':
      return { id: type.id, kind: 'DECL_TAG', name, type_id: type.target, component_idx: type.componentIndex };
  }
}

/** ENUM and ENUM64 decode alike; bpftool names them apart, so read the raw kind number (bits 24–28 of the record's info word). */
function rawKindOf(btf: Btf, id: number): 'ENUM' | 'ENUM64' {
  const words = (btf as unknown as { words: Uint32Array }).words;
  return ((words[btf.recordOffset(id) / 4 + 1]! >>> 24) & 0x1f) === 19 ? 'ENUM64' : 'ENUM';
}

const kernelBtf = existsSync(VMLINUX);
describe.skipIf(!kernelBtf)(`BTF reader: this machine's kernel BTF (${VMLINUX})${kernelBtf ? '' : ' [skipped: no kernel BTF here]'}`, () => {
  it('decodes every type exactly as bpftool reads it', async () => {
    const btf = Btf.parse(readFileSync(VMLINUX));
    const { stdout } = await execa('bpftool', ['-j', 'btf', 'dump', 'file', VMLINUX], { maxBuffer: 256 * 1024 * 1024 });
    const expected = (JSON.parse(stdout) as { types: BpftoolType[] }).types;
    expect(btf.typeCount).toBe(expected.length);
    expect(expected.length).toBeGreaterThan(10_000);
    const mismatches: string[] = [];
    for (const want of expected) {
      const got = asBpftool(btf.type(want.id), btf);
      if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`${JSON.stringify(got)}\n  bpftool: ${JSON.stringify(want)}`);
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  it('finds the kernel structs, functions and typedefs a tracing program names', () => {
    const btf = Btf.parse(readFileSync(VMLINUX));
    const task = btf.findOne('task_struct', 'struct')!;
    const member = (name: string) => task.members.find((m) => m.name === name)!;
    const parent = btf.type(member('real_parent').type);
    expect(parent.kind).toBe('ptr');
    expect(btf.resolve((parent as { target: number }).target)).toBe(task);
    expect(btf.resolve(member('tgid').type)).toMatchObject({ kind: 'int', size: 4, signed: true });
    expect(btf.sizeOf(member('comm').type)).toBe(16);
    expect(btf.findOne('sock', 'struct')!.members[0]!.name).toBe('__sk_common');
    expect(btf.findOne('pid_t', 'typedef')).not.toBeNull();
    const proto = btf.typeOf(btf.findOne('tcp_v4_connect', 'func')!.proto, 'func_proto');
    expect(proto.params.map((p) => p.name)).toEqual(['sk', 'uaddr', 'addr_len']);
    expect(btf.find('trace_event_raw_sched_switch', ['struct'])).toHaveLength(1);
    expect(btf.find('no_such_type_anywhere')).toEqual([]);
  });
});

describe.skipIf(!kernelBtf)('deriving the BTF of another kernel', () => {
  it('moves one member of a real struct and nothing else', () => {
    const bytes = readFileSync(VMLINUX);
    const original = Btf.parse(bytes);
    const task = original.findOne('task_struct', 'struct')!;
    const pid = task.members.find((m) => m.name === 'pid')!;
    const tgid = task.members.find((m) => m.name === 'tgid')!;
    const moved = Btf.parse(withMemberMoved(withMemberMoved(bytes, 'task_struct', 'pid', tgid.bitOffset / 8), 'task_struct', 'tgid', pid.bitOffset / 8));
    const members = moved.findOne('task_struct', 'struct')!.members;
    expect(members.find((m) => m.name === 'pid')!.bitOffset).toBe(tgid.bitOffset);
    expect(members.find((m) => m.name === 'tgid')!.bitOffset).toBe(pid.bitOffset);
    expect(members.filter((m) => m.name !== 'pid' && m.name !== 'tgid')).toEqual(task.members.filter((m) => m.name !== 'pid' && m.name !== 'tgid'));
    expect(Btf.parse(bytes).findOne('task_struct', 'struct')!.members).toEqual(task.members); // the input is untouched
  });
});
