// Kernel types, typed tracepoints and strings in the kernel (LANGUAGE.md
// §13–§14): the tracing examples attached and triggered — a real exec, a real
// open, a real exit — and what they report checked against what the test did;
// kprobes and fentry, which this kernel cannot attach, verified or compiled only.
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { load, type RingBufferHandle } from '../../packages/runtime/src/index.js';
import { Btf } from '../../packages/compiler/src/btf/btf.js';
import { kernelInputs } from '../../packages/compiler/src/driver/kernel-inputs.js';
import { withMemberMoved, withMemberRenamed } from '../../packages/compiler/test/btf/btf-builder.js';
import { buildExample, buildSystem, type BuiltSystem } from '../helpers/build.js';
import { startCoordinator } from '../helpers/coordinator.js';
import { describeKernel, ensureTracefs, loadAll, withPinDir } from '../helpers/kernel.js';

/** The bytes of a [u8; N] up to the first NUL, as text. */
const text = (bytes: number[]) => {
  const buffer = Buffer.from(bytes);
  const end = buffer.indexOf(0);
  return buffer.subarray(0, end < 0 ? buffer.length : end).toString();
};

describeKernel('tracing examples with kernel types: execsnoop, opensnoop, bootstrap, tcpconnect', () => {
  const built: Record<string, BuiltSystem> = {};
  beforeAll(async () => {
    ensureTracefs();
    built.execsnoop = await buildExample('execsnoop');
    built.opensnoop = await buildExample('opensnoop', { coordinator: true });
    built.bootstrap = await buildExample('bootstrap');
    built.tcpconnect = await buildExample('tcpconnect');
  });
  afterAll(async () => {
    for (const example of Object.values(built)) await example.cleanup();
  });

  it('examples/execsnoop.ks reports `/bin/true a b c` with its pid, its parent (CO-RE from task_struct), uid and argv', async () => {
    using system = load({ metadata: built.execsnoop!.metadata, object: built.execsnoop!.object });
    system.programs.execsnoop.attach();
    const child = execa('/bin/true', ['a', 'b', 'c']);
    await child;
    system.programs.execsnoop.detach();
    type ExecEvent = { pid: number; ppid: number; uid: number; args_count: number; args_size: number; comm: string; args: number[] };
    const events = (system.maps.events as RingBufferHandle<ExecEvent>).consume().filter((e) => e.pid === child.pid);
    expect(events).toHaveLength(1);
    const [event] = events as [ExecEvent];
    // execa's child was forked from this process: its parent is us.
    expect(event.ppid).toBe(process.pid);
    expect(event.uid).toBe(process.getuid!());
    expect(event.args_count).toBe(4);
    expect(Buffer.from(event.args).subarray(0, event.args_size).toString()).toBe('/bin/true\0a\0b\0c\0');
    // A [char; 16] arrives as a string; at sys_enter_execve the task is still the caller (this process's main thread).
    expect(event.comm).toBe(readFileSync('/proc/self/comm', 'utf8').trim());
  });

  it('examples/opensnoop.ks reports opening a named temp file with its path, pid, flags and fd, and a failed open with -ENOENT', async () => {
    using system = load({ metadata: built.opensnoop!.metadata, object: built.opensnoop!.object });
    system.programs.enter_openat.attach();
    system.programs.exit_openat.attach();
    const path = join(tmpdir(), `ks-opensnoop-${randomBytes(6).toString('hex')}`);
    const missing = `${path}-missing`;
    let fd = -1;
    try {
      fd = openSync(path, 'w');
      expect(() => openSync(missing, 'r')).toThrow(/ENOENT/);
    } finally {
      system.programs.enter_openat.detach();
      system.programs.exit_openat.detach();
      if (fd >= 0) closeSync(fd);
      rmSync(path, { force: true });
    }
    type OpenEvent = { pid: number; uid: number; ret: bigint; flags: bigint; comm: string; filename: number[] };
    const events = (system.maps.events as RingBufferHandle<OpenEvent>).consume().filter((e) => e.pid === process.pid);
    const opened = events.find((e) => text(e.filename) === path);
    expect(opened).toBeDefined();
    expect(opened!.ret).toBe(BigInt(fd));
    // 'w' is O_WRONLY | O_CREAT | O_TRUNC.
    expect(Number(opened!.flags) & 0o3).toBe(0o1);
    expect(Number(opened!.flags) & 0o100).toBe(0o100);
    const failed = events.find((e) => text(e.filename) === missing);
    expect(failed?.ret).toBe(-2n);
  });

  it('the opensnoop coordinator prints the path of a file opened while it runs (%s of [u8; N] fields in userspace)', async () => {
    const coordinator = startCoordinator(built.opensnoop!.coordinator);
    try {
      await coordinator.waitFor(/PID\s+COMM/);
      const path = join(tmpdir(), `ks-opensnoop-cli-${randomBytes(6).toString('hex')}`);
      closeSync(openSync(path, 'w'));
      rmSync(path, { force: true });
      const [line] = await coordinator.waitFor(new RegExp(`^.*${path}$`, 'm'));
      // PID, COMM, the fd, the flags in octal (Node adds O_CLOEXEC), the path.
      expect(line).toMatch(new RegExp(`^${process.pid}\\s+\\S+\\s+\\d+ [0-7]{8} ${path}$`));
    } finally {
      await coordinator.stop();
    }
  });

  it('examples/bootstrap.ks reports an exec with its file name (a __data_loc string) and the exit with code 3 and its duration', async () => {
    using system = load({ metadata: built.bootstrap!.metadata, object: built.bootstrap!.object });
    system.programs.handle_exec.attach();
    system.programs.handle_exit.attach();
    const child = execa('/bin/sh', ['-c', 'sleep 0.2; exit 3'], { reject: false });
    const { exitCode } = await child;
    system.programs.handle_exec.detach();
    system.programs.handle_exit.detach();
    expect(exitCode).toBe(3);
    type ProcessEvent = { pid: number; ppid: number; exit_code: number; exit_event: boolean; duration_ns: bigint; comm: string; filename: number[] };
    const events = (system.maps.rb as RingBufferHandle<ProcessEvent>).consume().filter((e) => e.pid === child.pid);
    const exec = events.find((e) => !e.exit_event);
    const exit = events.find((e) => e.exit_event);
    expect(exec).toMatchObject({ ppid: process.pid });
    expect(text(exec!.filename)).toBe('/bin/sh');
    expect(exit).toMatchObject({ ppid: process.pid, exit_code: 3 });
    expect(exit!.comm).toBe('sh');
    expect(exit!.duration_ns).toBeGreaterThanOrEqual(150_000_000n);
  });

  it('examples/tcpconnect.ks (CO-RE reads of struct sock in kprobes) loads into the verifier (this kernel has no kprobes: verify only, no attach)', async () => {
    expect(built.tcpconnect!.ebpfC).toContain('BPF_CORE_READ(sk, __sk_common.skc_daddr)');
    expect(built.tcpconnect!.ebpfC).toContain('(struct sock___ks *)PT_REGS_PARM1(ctx)');
    await withPinDir(async (dir) => {
      const { programs, coreRelocations } = await loadAll(built.tcpconnect!.object, dir, { debug: true });
      expect(Object.keys(programs)).toEqual(['tcp_v4_connect_entry', 'tcp_v4_connect_return']);
      expect(coreRelocations.filter((r) => r.program === 'tcp_v4_connect_return').length).toBeGreaterThanOrEqual(3);
    });
  });
});

describeKernel('fentry and fexit with typed arguments and kfuncs (this kernel refuses to load fentry/fexit: the C is compiled only)', () => {
  it('compiles to C that clang -Werror builds, with typed ctx.args, the typed fexit result and kfunc declarations', async () => {
    const source = `extern fn bpf_task_acquire(p: *task_struct) -> *task_struct;
extern fn bpf_task_release(p: *task_struct);
map<u32, u64> seen : HashMap(64);

program on_unlink : fentry("do_unlinkat") {
  fn main(ctx: TracingContext) -> i32 {
    seen[0] = ctx.args.dfd as u64;
    let task = bpf_task_acquire(bpf_get_current_task());
    if task != null {
      seen[1] = task.tgid as u64;
      bpf_task_release(task);
    }
    return 0;
  }
}

program on_unlink_exit : fexit("do_unlinkat") {
  fn main(ctx: TracingContext) -> i32 {
    seen[2] = ctx.ret() as u64;
    return 0;
  }
}
`;
    const system = await buildSystem(source, 'unlink.ks');
    try {
      expect(system.metadata.programs).toMatchObject({ on_unlink: { kind: 'fentry', section: 'fentry/do_unlinkat' }, on_unlink_exit: { kind: 'fexit', section: 'fexit/do_unlinkat' } });
      expect(system.ebpfC).toContain('extern struct task_struct___ks *bpf_task_acquire(struct task_struct___ks *p) __ksym;');
      expect(system.ebpfC).toMatch(/__s32 on_unlink\(unsigned long long \*ctx\)/);
      // do_unlinkat(int dfd, struct filename *name): the result follows the two arguments.
      expect(system.ebpfC).toContain('(__s32)ctx[2]');
    } finally {
      await system.cleanup();
    }
  });
});

/** A probe of what CO-RE reads see in this process's task_struct, keyed by its tgid. */
const CORE_PROBE = (extra: { fields: string; values: string }) => `struct Seen {
  tgid: u32,
  ppid: u32,
  null_read: u32,
  bad_read: u32,
  has_comm: bool,
  comm: [u8; 16],
  byte: u8,${extra.fields}
}

map<u32, Seen> seen : HashMap(64);

program probe : tracepoint("syscalls/sys_enter_getppid") {
  fn main(ctx: TracepointContext) -> i32 {
    let task = bpf_get_current_task();
    let nothing = 0 as u64 as *task_struct;
    let invalid = 0x1000 as u64 as *task_struct;
    let tgid = task.tgid as u32;
    seen[tgid] = Seen {
      tgid: tgid,
      ppid: task.real_parent.tgid as u32,
      null_read: nothing.real_parent.tgid as u32,
      bad_read: invalid.tgid as u32,
      has_comm: field_exists(task.comm),
      comm: task.comm,
      byte: task.comm[(tgid & 1) as u32],${extra.values}
    };
    return 0;
  }
}
`;

/** Byte offset of a task_struct field in this machine's kernel. */
function taskOffset(field: string): number {
  const task = Btf.parse(readFileSync('/sys/kernel/btf/vmlinux')).findOne('task_struct', 'struct')!;
  return task.members.find((m) => m.name === field)!.bitOffset / 8;
}

describeKernel('CO-RE: objects built for one BTF read right on this kernel', () => {
  const read = (system: BuiltSystem) => {
    using loaded = load({ metadata: system.metadata, object: system.object });
    loaded.programs.probe.attach();
    void process.ppid; // getppid(2)
    loaded.programs.probe.detach();
    return (loaded.maps.seen as unknown as { get(key: number): Record<string, unknown> | undefined }).get(process.pid);
  };

  it('built against this machine\'s BTF, libbpf relocates every kernel access (counted in its debug log), and the reads are right; null and invalid pointers read zero', async () => {
    const system = await buildSystem(CORE_PROBE({ fields: '', values: '' }), 'core_probe.ks');
    try {
      await withPinDir(async (dir) => {
        const { coreRelocations } = await loadAll(system.object, dir, { debug: true });
        // A relocation per distinct field access (clang computes a repeated one once): tgid, real_parent, comm, and field_exists(comm) → 1.
        const offsets = new Set(coreRelocations.map((r) => r.to));
        for (const field of ['tgid', 'real_parent', 'comm']) expect(offsets, field).toContain(taskOffset(field));
        expect(coreRelocations.length).toBeGreaterThanOrEqual(4);
        // Built against this kernel: nothing moved.
        expect(coreRelocations.every((r) => r.from === r.to)).toBe(true);
      });
      const seen = read(system)!;
      expect(seen).toMatchObject({ tgid: process.pid, ppid: process.ppid, null_read: 0, bad_read: 0, has_comm: true });
      expect(text(seen.comm as number[]).length).toBeGreaterThan(0);
      expect(seen.byte).toBe((seen.comm as number[])[process.pid & 1]);
    } finally {
      await system.cleanup();
    }
  });

  it('reads an array element inside nested structs, an anonymous union member and a named union\'s arrays (in6_addr.in6_u)', async () => {
    const source = `struct Nested { sig: u64, users: u32, v6: u32, byte: u8 }
map<u32, Nested> seen : HashMap(64);
program probe : tracepoint("syscalls/sys_enter_getppid") {
  fn main(ctx: TracepointContext) -> i32 {
    let task = bpf_get_current_task();
    let sk = 0 as u64 as *sock;
    seen[task.tgid as u32] = Nested {
      sig: task.pending.signal.sig[0],
      users: task.rcu_users.refs.counter as u32,
      v6: sk.__sk_common.skc_v6_daddr.in6_u.u6_addr32[3],
      byte: sk.__sk_common.skc_v6_daddr.in6_u.u6_addr8[15],
    };
    return 0;
  }
}
`;
    const system = await buildSystem(source, 'nested.ks');
    try {
      expect(system.ebpfC).toContain('BPF_CORE_READ(task, pending.signal.sig[0])');
      expect(system.ebpfC).toContain('BPF_CORE_READ(sk, __sk_common.skc_v6_daddr.in6_u.u6_addr32[3])');
      using loaded = load({ metadata: system.metadata, object: system.object });
      loaded.programs.probe.attach();
      void process.ppid; // getppid(2)
      loaded.programs.probe.detach();
      const seen = (loaded.maps.seen as unknown as { get(key: number): { sig: bigint; users: number; v6: number; byte: number } | undefined }).get(process.pid)!;
      // A running task holds RCU users (itself, and its parent's reference until reaped); nothing is pending for this process; the null socket reads zero.
      expect(seen.users).toBeGreaterThanOrEqual(1);
      expect(seen).toMatchObject({ sig: 0n, v6: 0, byte: 0 });
    } finally {
      await system.cleanup();
    }
  });

  it('kfuncs declared with extern fn are resolved by libbpf in the kernel\'s BTF and run in a tracepoint (bpf_rcu_read_lock/unlock)', async () => {
    const source = `extern fn bpf_rcu_read_lock();
extern fn bpf_rcu_read_unlock();
map<u32, u32> parents : HashMap(64);
program probe : tracepoint("syscalls/sys_enter_getppid") {
  fn main(ctx: TracepointContext) -> i32 {
    bpf_rcu_read_lock();
    let task = bpf_get_current_task();
    parents[task.tgid as u32] = task.real_parent.tgid as u32;
    bpf_rcu_read_unlock();
    return 0;
  }
}
`;
    const system = await buildSystem(source, 'kfunc.ks');
    try {
      expect(system.ebpfC).toContain('extern void bpf_rcu_read_lock(void) __ksym;');
      using loaded = load({ metadata: system.metadata, object: system.object });
      loaded.programs.probe.attach();
      void process.ppid; // getppid(2)
      loaded.programs.probe.detach();
      expect((loaded.maps.parents as unknown as { get(key: number): number | undefined }).get(process.pid)).toBe(process.ppid);
    } finally {
      await system.cleanup();
    }
  });

  it('built against a derived BTF where task_struct.tgid sits elsewhere and a field the kernel lacks exists, it loads, relocates and reads right', async () => {
    const real = readFileSync('/sys/kernel/btf/vmlinux');
    const offsetOf = taskOffset;
    // tgid moved onto `flags` (a value no tgid has), and `wake_cpu` renamed to a name no task_struct field has.
    const derived = withMemberRenamed(withMemberMoved(real, 'task_struct', 'tgid', offsetOf('flags')), 'task_struct', 'wake_cpu', 'skc_daddr');
    const dir = mkdtempSync(join(tmpdir(), 'ks-derived-btf-'));
    const btfPath = join(dir, 'vmlinux-moved.btf');
    writeFileSync(btfPath, derived);
    const system = await buildSystem(CORE_PROBE({ fields: '\n  has_missing: bool,', values: '\n      has_missing: field_exists(task.skc_daddr),' }), 'core_probe.ks', { kernel: kernelInputs({ btf: btfPath }) });
    try {
      // The C carries the derived layout: tgid where flags is in this kernel.
      expect(system.ebpfC).toMatch(new RegExp(`__u8 __ks_pad0\\[${offsetOf('flags')}\\];\\n(#line \\d+\\n)?\\s*__s32 tgid;`));
      await withPinDir(async (dir) => {
        const { coreRelocations } = await loadAll(system.object, dir, { debug: true });
        expect(coreRelocations).toContainEqual({ program: 'probe', from: offsetOf('flags'), to: offsetOf('tgid') });
      });
      const seen = read(system)!;
      expect(seen).toMatchObject({ tgid: process.pid, ppid: process.ppid, has_comm: true, has_missing: false });
    } finally {
      await system.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });

});
