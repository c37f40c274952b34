// The C declarations of used kernel types: only the used fields, at the
// kernel's offsets. Checked by clang itself: every emitted field's offsetof
// and every struct's sizeof is asserted against the BTF, for every struct and
// union of this machine's kernel BTF and for hand-built corner cases (packed
// structs, bit-fields, anonymous members, arrays of anonymous structs).
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { Btf } from '../../src/btf/btf.js';
import type { BtfTypeId } from '../../src/btf/btf-types.js';
import { KernelTypeSet } from '../../src/kernel/kernel-c-types.js';
import { compositeOf, findField, type FieldStep, type KernelComposite } from '../../src/kernel/kernel-fields.js';
import { BtfBuilder } from '../btf/btf-builder.js';

const VMLINUX = '/sys/kernel/btf/vmlinux';

/** Uses every member of `type` (through anonymous members, whose members are used too); returns the named fields reached with their byte offsets. */
function useAll(btf: Btf, set: KernelTypeSet, type: KernelComposite, prefix: FieldStep[] = [], base = 0): { name: string; offset: number }[] {
  const fields: { name: string; offset: number }[] = [];
  for (const [index, member] of type.members.entries()) {
    const steps = [...prefix, { owner: type, index, member }];
    set.useField({ steps, bitOffset: base + member.bitOffset, type: member.type });
    const inner = member.name === '' ? compositeOf(btf, member.type) : null;
    if (inner) fields.push(...useAll(btf, set, inner, steps, base + member.bitOffset));
    else if (member.name !== '' && member.bitSize === 0) fields.push({ name: member.name, offset: (base + member.bitOffset) / 8 });
  }
  return fields;
}

/** C that includes the definitions and asserts each field's offset and each type's size; compiled by clang -target bpf. */
async function assertLayouts(set: KernelTypeSet, expectations: { type: KernelComposite; fields: { name: string; offset: number }[] }[]): Promise<void> {
  const lines = ['#include <linux/types.h>', ...set.definitions()];
  for (const { type, fields } of expectations) {
    const c = set.cName(type);
    lines.push(`_Static_assert(sizeof(${c}) == ${type.size}, "size of ${c}");`);
    for (const field of fields) lines.push(`_Static_assert(__builtin_offsetof(${c}, ${field.name}) == ${field.offset}, "${c}.${field.name}");`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'ks-kernel-types-'));
  try {
    await writeFile(join(dir, 'types.c'), `${lines.join('\n')}\n`);
    const multiarch = (await execa('gcc', ['-print-multiarch'])).stdout.trim();
    const result = await execa('clang', ['-target', 'bpf', '-fsyntax-only', '-Wall', '-Wextra', '-Werror', `-I/usr/include/${multiarch}`, '-ferror-limit=20', join(dir, 'types.c')], { reject: false });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('C declarations of kernel types', () => {
  it('declares only the used fields of a struct, with padding, anonymous unions inline and pointers to other kernel types', () => {
    const b = new BtfBuilder();
    const u32 = b.int('unsigned int', 4);
    const u16 = b.int('short unsigned int', 2);
    const inner = b.struct('', 8, [['daddr', u32, 0], ['rcv_saddr', u32, 32]]);
    const addrs = b.union('', 8, [['addrpair', b.int('long long unsigned int', 8), 0], ['', inner, 0]]);
    const common = b.struct('sock_common', 16, [['', addrs, 0], ['dport', u16, 64], ['family', u16, 80]]);
    const sockPtr = b.ptr(b.nextId + 1);
    const sock = b.struct('sock', 40, [['__sk_common', common, 0], ['sk_next', sockPtr, 128], ['sk_mark', u32, 256]]);
    const btf = Btf.parse(b.bytes());
    const set = new KernelTypeSet(btf);
    const sockType = btf.typeOf(sock, 'struct');
    const path = (owner: KernelComposite, ...names: string[]) => {
      let current = owner;
      for (const name of names) {
        const field = findField(btf, current, name)!;
        set.useField(field);
        current = compositeOf(btf, field.type) ?? current;
      }
    };
    path(sockType, '__sk_common', 'rcv_saddr');
    path(sockType, 'sk_next');
    expect(set.definitions().join('\n')).toBe(
      [
        '/* Kernel types this program reads (from BTF; CO-RE: libbpf relocates each access to the running kernel). */',
        'struct sock___ks;',
        'struct sock_common___ks;',
        'struct sock_common___ks {',
        '    union {',
        '        struct {',
        '            __u8 __ks_pad0[4];',
        '            __u32 rcv_saddr;',
        '        };',
        '        __u8 __ks_pad1[8];',
        '    };',
        '    __u8 __ks_pad2[8];',
        '} __attribute__((preserve_access_index));',
        'struct sock___ks {',
        '    struct sock_common___ks __sk_common;',
        '    struct sock___ks *sk_next;',
        '    __u8 __ks_pad0[16];',
        '} __attribute__((preserve_access_index));',
      ].join('\n'),
    );
    expect(set.cName(btf.typeOf(common, 'struct'))).toBe('struct sock_common___ks');
  });

  it('lays out packed structs, bit-fields, arrays of anonymous structs, odd-width integers and same-named types as the BTF says', async () => {
    const b = new BtfBuilder();
    const u8 = b.int('unsigned char', 1);
    const u32 = b.int('unsigned int', 4);
    const u64 = b.int('long long unsigned int', 8);
    const s128 = b.int('__int128', 16, { signed: true });
    const cell = b.struct('', 8, [['lo', u32, 0], ['hi', u32, 32]]);
    const cells = b.array(cell, 3);
    const packed = b.struct('packed_thing', 13, [['tag', u8, 0], ['value', u64, 8], ['tail', u32, 72]]);
    const bits = b.struct('flags_thing', 8, [['a', u32, 0, 3], ['b', u32, 3, 5], ['c', u32, 12, 4], ['after', u32, 32]]);
    const grid = b.struct('grid', 48, [['cells', cells, 0], ['wide', s128, 256]]);
    const twinA = b.struct('twin', 4, [['x', u32, 0]]);
    const twinB = b.struct('twin', 8, [['y', u64, 0]]);
    const btf = Btf.parse(b.bytes());
    const set = new KernelTypeSet(btf);
    const expectations = [packed, bits, grid, twinA, twinB].map((id) => {
      const type = btf.typeOf(id, 'struct');
      return { type, fields: useAll(btf, set, type) };
    });
    expect(set.cName(btf.typeOf(twinB, 'struct'))).toBe('struct twin___ks2');
    const text = set.definitions().join('\n');
    expect(text).toContain('struct packed_thing___ks {');
    expect(text).toMatch(/} __attribute__\(\(packed\)\) __attribute__\(\(preserve_access_index\)\);/);
    expect(text).toContain('__u32 b : 5;');
    expect(text).toContain('__u8 wide[16];');
    await assertLayouts(set, expectations);
  });

  it.skipIf(!existsSync(VMLINUX))("keeps the offset of every field and the size of every struct and union of this machine's kernel", async () => {
    const btf = Btf.parse(readFileSync(VMLINUX));
    const set = new KernelTypeSet(btf);
    const expectations: { type: KernelComposite; fields: { name: string; offset: number }[] }[] = [];
    const seen = new Set<BtfTypeId>();
    for (let id = 1; id <= btf.typeCount; id++) {
      const type = btf.type(id);
      if ((type.kind !== 'struct' && type.kind !== 'union') || type.name === '' || type.size === 0 || seen.has(id)) continue;
      seen.add(id);
      expectations.push({ type, fields: useAll(btf, set, type) });
    }
    expect(expectations.length).toBeGreaterThan(5000);
    await assertLayouts(set, expectations);
  }, 120_000);
});
