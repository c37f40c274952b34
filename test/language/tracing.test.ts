// The tracing examples: a syscall tracepoint counter, ring-buffer events from a
// tracepoint, a raw tracepoint, all attached and triggered with getppid(); and
// kprobes, which this kernel cannot attach, loaded into the verifier only.
import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKernel, loadAll, withPinDir } from '../helpers/kernel.js';
import { load, type MapHandle, type RingBufferHandle } from '../../packages/runtime/src/index.js';
import { buildExample, type BuiltSystem } from '../helpers/build.js';

/** `process.ppid` is a getter that calls getppid(2) each time it is read. */
function callGetppid(times: number): void {
  for (let i = 0; i < times; i++) void process.ppid;
}

/** getppid's syscall number on x86-64 (the raw sys_enter tracepoint sees numbers, not names). */
const NR_GETPPID_X86_64 = 110n;

describeKernel('tracing examples: tracepoint, ring buffer, raw tracepoint, kprobe', () => {
  const built: Record<string, BuiltSystem> = {};
  beforeAll(async () => {
    // Tracepoint attach resolves event ids through tracefs.
    if (!existsSync('/sys/kernel/tracing/events')) await execa('mount', ['-t', 'tracefs', 'tracefs', '/sys/kernel/tracing']);
    for (const name of ['getppid_counter', 'exec_events', 'syscall_counter', 'kprobe_open']) built[name] = await buildExample(name);
  });
  afterAll(async () => {
    for (const example of Object.values(built)) await example.cleanup();
  });

  it('examples/getppid_counter.ks counts this process\'s getppid() calls from the sys_enter_getppid tracepoint', () => {
    using system = load({ metadata: built.getppid_counter!.metadata, object: built.getppid_counter!.object });
    const attachment = system.programs.count_getppid.attach();
    expect(attachment.description).toBe('tracepoint:syscalls/sys_enter_getppid');
    callGetppid(7);
    system.programs.count_getppid.detach();
    callGetppid(3); // after detach: not counted
    expect((system.maps.calls_by_tgid as MapHandle<number, bigint>).get(process.pid)).toBe(7n);
    // Other processes on the machine may call getppid too.
    expect((system.maps.total_calls as MapHandle<number, bigint>).get(0)).toBeGreaterThanOrEqual(7n);
  });

  it('examples/exec_events.ks streams one ring-buffer event per call with pid, uid, time and comm', () => {
    using system = load({ metadata: built.exec_events!.metadata, object: built.exec_events!.object });
    system.programs.on_getppid.attach();
    const before = process.hrtime.bigint();
    callGetppid(4);
    const after = process.hrtime.bigint();
    system.programs.on_getppid.detach();
    type CallEvent = { pid: number; tgid: number; uid: number; timestamp_ns: bigint; comm: number[] };
    const events = (system.maps.events as RingBufferHandle<CallEvent>).consume().filter((e) => e.tgid === process.pid);
    expect(events).toHaveLength(4);
    for (const event of events) {
      expect(event.uid).toBe(process.getuid!());
      const comm = Buffer.from(event.comm);
      expect(comm.subarray(0, comm.indexOf(0)).toString()).toMatch(/^(node|vitest|MainThread)/);
      // bpf_ktime_get_ns and process.hrtime both read CLOCK_MONOTONIC.
      expect(event.timestamp_ns).toBeGreaterThanOrEqual(before);
      expect(event.timestamp_ns).toBeLessThanOrEqual(after);
    }
    expect((system.maps.lost_events as MapHandle<number, bigint>).get(0)).toBe(0n);
  });

  it('examples/syscall_counter.ks counts syscalls by number from the sys_enter raw tracepoint', () => {
    using system = load({ metadata: built.syscall_counter!.metadata, object: built.syscall_counter!.object });
    system.programs.count_syscalls.attach();
    callGetppid(25);
    system.programs.count_syscalls.detach();
    const counts = system.maps.syscalls as MapHandle<bigint, bigint>;
    if (process.arch === 'x64') expect(counts.get(NR_GETPPID_X86_64)).toBeGreaterThanOrEqual(25n);
    expect([...counts.keys()].length).toBeGreaterThan(1);
  });

  it('examples/kprobe_open.ks kprobe and kretprobe load into the verifier (this kernel has no kprobes: verify only, no attach)', async () => {
    expect(built.kprobe_open!.metadata.programs).toMatchObject({
      on_open: { kind: 'kprobe', section: 'kprobe/do_sys_openat2' },
      on_open_return: { kind: 'kretprobe', section: 'kretprobe/do_sys_openat2' },
    });
    await withPinDir(async (dir) => {
      const { programs } = await loadAll(built.kprobe_open!.object, dir);
      expect(Object.keys(programs)).toEqual(['on_open', 'on_open_return']);
    });
  });
});
