// Kernel type names and fields as a program sees them: anonymous members are
// looked through, misspelt fields get the nearest names.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Btf } from '../../src/btf/btf.js';
import { compositeOf, fieldNames, findField, findKernelType, nearestFields } from '../../src/kernel/kernel-fields.js';
import { BtfBuilder } from '../btf/btf-builder.js';

describe('kernel fields', () => {
  const b = new BtfBuilder();
  const u32 = b.int('unsigned int', 4);
  const inner = b.struct('', 8, [['skc_daddr', u32, 0], ['skc_rcv_saddr', u32, 32]]);
  const addrs = b.union('', 8, [['skc_addrpair', b.int('long long unsigned int', 8), 0], ['', inner, 0]]);
  const common = b.struct('sock_common', 16, [['', addrs, 0], ['skc_dport', u32, 64]]);
  b.modifier('typedef', common, 'sock_common_t');
  const loop = b.struct('', 4, [['', b.nextId, 0]]); // an anonymous member that contains itself (malformed)
  const btf = Btf.parse(b.bytes());
  const sockCommon = btf.typeOf(common, 'struct');

  it('finds a field through anonymous unions and structs, with its offset and the members on the way', () => {
    const path = findField(btf, sockCommon, 'skc_rcv_saddr')!;
    expect(path.bitOffset).toBe(32);
    expect(path.type).toBe(u32);
    expect(path.steps.map((s) => [s.owner.id, s.index])).toEqual([
      [common, 0],
      [addrs, 1],
      [inner, 1],
    ]);
    expect(findField(btf, sockCommon, 'skc_dport')!.bitOffset).toBe(64);
    expect(findField(btf, sockCommon, 'nope')).toBeNull();
  });

  it('lists the reachable field names and the nearest ones to a misspelling', () => {
    expect(fieldNames(btf, sockCommon)).toEqual(['skc_addrpair', 'skc_daddr', 'skc_rcv_saddr', 'skc_dport']);
    expect(nearestFields(btf, sockCommon, 'skc_dadr')).toEqual(['skc_daddr', 'skc_dport']);
    expect(nearestFields(btf, sockCommon, 'zzzzzzzzzzzzzzzzzzzz')).toEqual([]);
  });

  it('resolves kernel type names to structs (also through typedefs), and survives self-containing anonymous members', () => {
    expect(findKernelType(btf, 'sock_common')!.id).toBe(common);
    expect(compositeOf(btf, findKernelType(btf, 'sock_common_t')!.id)!.id).toBe(common);
    expect(findKernelType(btf, 'no_such')).toBeNull();
    const malformed = btf.typeOf(loop, 'struct');
    expect(findField(btf, malformed, 'x')).toBeNull();
    expect(fieldNames(btf, malformed)).toEqual([]);
  });

  it.skipIf(!existsSync('/sys/kernel/btf/vmlinux'))('finds the fields tcpconnect and execsnoop read in this kernel', () => {
    const kernel = Btf.parse(readFileSync('/sys/kernel/btf/vmlinux'));
    const sock = compositeOf(kernel, findKernelType(kernel, 'sock')!.id)!;
    const common = compositeOf(kernel, findField(kernel, sock, '__sk_common')!.type)!;
    expect(findField(kernel, common, 'skc_daddr')!.steps.length).toBeGreaterThan(1);
    const task = compositeOf(kernel, findKernelType(kernel, 'task_struct')!.id)!;
    expect(nearestFields(kernel, task, 'ppid')).toContain('pid');
  });
});
