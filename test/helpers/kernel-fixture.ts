// The kernel the repository's deterministic tests compile against: a small BTF
// cut out of a real vmlinux BTF and a few tracefs event formats, committed
// under test/fixtures/kernel, so golden output does not depend on the machine.
// Regenerate from this machine's kernel with
//   UPDATE_KERNEL_FIXTURE=1 pnpm vitest run packages/compiler/test/kernel-fixture.test.ts
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Btf } from '../../packages/compiler/src/btf/btf.js';
import { parseTracepointFormat } from '../../packages/compiler/src/driver/tracefs.js';
import type { KernelInputs } from '../../packages/compiler/src/kernel/kernel-inputs.js';
import type { SubsetSpec } from '../../packages/compiler/test/btf/btf-subset.js';

export const KERNEL_FIXTURE_DIR = join(import.meta.dirname, '..', 'fixtures', 'kernel');
export const KERNEL_FIXTURE_BTF = join(KERNEL_FIXTURE_DIR, 'vmlinux-subset.btf');

/** What the examples and tests read of the kernel. */
export const KERNEL_FIXTURE_SPEC: SubsetSpec & { events: string[] } = {
  structs: {
    task_struct: ['pid', 'tgid', 'real_parent', 'comm', 'exit_code', 'flags', 'mm'],
    sock: ['__sk_common', 'sk_protocol'],
    sock_common: ['skc_daddr', 'skc_rcv_saddr', 'skc_dport', 'skc_num', 'skc_family'],
    mm_struct: ['arg_start', 'arg_end'],
  },
  functions: ['tcp_v4_connect', 'do_sys_openat2', 'do_unlinkat', 'bpf_task_acquire', 'bpf_task_release'],
  events: [
    'syscalls/sys_enter_execve',
    'syscalls/sys_enter_openat',
    'syscalls/sys_exit_openat',
    'syscalls/sys_enter_getppid',
    'sched/sched_process_exec',
    'sched/sched_process_exit',
    'sched/sched_switch',
  ],
};

/** Kernel inputs from the committed fixture: what `compile` gets in deterministic tests. */
export function fixtureKernelInputs(): KernelInputs {
  let btf: Btf | null = null;
  return {
    btf: () => (btf ??= Btf.parse(readFileSync(KERNEL_FIXTURE_BTF))),
    tracepointFormat: (category, event) => {
      const path = join(KERNEL_FIXTURE_DIR, 'events', category, event, 'format');
      return existsSync(path) ? parseTracepointFormat(readFileSync(path, 'utf8')) : null;
    },
  };
}
