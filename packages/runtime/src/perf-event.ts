// Opening the perf event a `perf_event("...")` program samples: one
// perf_event_open(2) per online CPU, all processes (pid -1), which
// bpf_program__attach_perf_event then hooks the program to.
import { readFileSync } from 'node:fs';
import { PERF_TYPE, type PerfEventTarget } from '@kernelscript/shared';
import { bpfError, koffiErrno, lib } from './libbpf.js';

/** __NR_perf_event_open per architecture (Node's process.arch). */
const PERF_EVENT_OPEN: Partial<Record<string, number>> = { x64: 298, arm64: 241, arm: 364, ia32: 336, ppc64: 319, s390x: 331, riscv64: 241, loong64: 241 };
/** sizeof(struct perf_event_attr), PERF_ATTR_SIZE_VER7: the kernel zero-extends older layouts and checks newer ones are zero. */
const ATTR_SIZE = 128;
const PERF_FLAG_FD_CLOEXEC = 8;
/** perf_event_attr flag bits: disabled (libbpf enables the event once the program is attached), freq. */
const ATTR_DISABLED = 1n << 0n;
const ATTR_FREQ = 1n << 10n;
const ENOENT = 2;
const EOPNOTSUPP = 95;

/** The CPUs that are online, from /sys/devices/system/cpu/online (`0-3,6`). */
export function onlineCpus(): number[] {
  const cpus: number[] = [];
  for (const range of readFileSync('/sys/devices/system/cpu/online', 'utf8').trim().split(',')) {
    const [first, last = first] = range.split('-').map(Number) as [number, number?];
    for (let cpu = first; cpu <= last!; cpu++) cpus.push(cpu);
  }
  return cpus;
}

/** perf_event_open(2) of `target` on `cpu` for every process; the fd, or a BpfError that says why not. `what` names the program. */
export function openPerfEvent(target: PerfEventTarget, cpu: number, what: string): number {
  const number = PERF_EVENT_OPEN[process.arch];
  if (number === undefined) throw new Error(`perf events: no perf_event_open syscall number known for ${process.arch}`);
  const attr = Buffer.alloc(ATTR_SIZE);
  attr.writeUInt32LE(PERF_TYPE[target.type], 0);
  attr.writeUInt32LE(ATTR_SIZE, 4);
  attr.writeBigUInt64LE(BigInt(target.config), 8);
  const frequency = 'freq' in target.sampling;
  attr.writeBigUInt64LE(BigInt('freq' in target.sampling ? target.sampling.freq : target.sampling.period), 16);
  attr.writeBigUInt64LE(ATTR_DISABLED | (frequency ? ATTR_FREQ : 0n), 40);
  const fd = Number(lib.syscall(number, 'void *', attr, 'int', -1, 'int', cpu, 'int', -1, 'unsigned long', PERF_FLAG_FD_CLOEXEC));
  if (fd >= 0) return fd;
  const errno = koffiErrno();
  const error = bpfError(`opening perf event '${target.event}' on CPU ${cpu} for ${what}`, errno);
  if (target.type === 'hardware' && (errno === ENOENT || errno === EOPNOTSUPP)) {
    throw error.withHint(
      `'${target.event}' is a hardware event, and this machine has no hardware performance counter for it (most virtual machines have none): sample a software event such as cpu-clock instead`,
    );
  }
  throw error;
}

/** Checks that `target` can be opened here (on the first online CPU), so a missing event fails at load, not at attach. */
export function assertPerfEventAvailable(target: PerfEventTarget, what: string): void {
  const fd = openPerfEvent(target, onlineCpus()[0] ?? 0, what);
  lib.close(fd);
}
