// Every error class of kernel types, typed probes and tracepoints, strings and
// probe reads (LANGUAGE.md §13–§14): the message and file:line:col, compiled
// against the committed kernel fixture so the messages do not depend on the machine.
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import { formatDiagnostic } from '../../src/diagnostics/format.js';
import { kernelInputs } from '../../src/driver/kernel-inputs.js';
import type { KernelInputs } from '../../src/kernel/kernel-inputs.js';
import { fixtureKernelInputs } from '../../../../test/helpers/kernel-fixture.js';

const FILE = 'prog.ks';

function firstError(source: string, kernel: KernelInputs = fixtureKernelInputs()): string {
  const result = compile(source, { filename: FILE, kernel });
  const error = result.diagnostics.find((d) => d.severity === 'error');
  expect(result.ok, 'expected the compile to fail').toBe(false);
  expect(error, 'expected an error').toBeDefined();
  return formatDiagnostic(error!, FILE, source);
}

/** A tracepoint program on `event` whose main holds `body`, after `before`. */
const tracepoint = (body: string, event = 'syscalls/sys_enter_openat', before = '') =>
  `${before}program p : tracepoint("${event}") {\n  fn main(ctx: TracepointContext) -> i32 {\n${body}\n    return 0;\n  }\n}\n`;

describe('kernel types (§13)', () => {
  it('an unknown field, naming the struct and the nearest fields', () => {
    expect(firstError(tracepoint('    let t = bpf_get_current_task();\n    let p = t.ppid;'))).toMatch(
      /^prog\.ks:4:15: error\[KS6004\]: struct task_struct has no field 'ppid'\n[\s\S]*help: the nearest fields are 'pid', 'tgid'/,
    );
  });

  it('a write through a kernel pointer', () => {
    expect(firstError(tracepoint('    let t = bpf_get_current_task();\n    t.tgid = 1;'))).toMatch(
      /^prog\.ks:4:5: error\[KS6040\]: cannot write through a kernel pointer: tracing programs read kernel memory, they never change it/,
    );
  });

  it('a kernel struct by value', () => {
    expect(firstError(tracepoint('    let t: task_struct = 0;'))).toMatch(/^prog\.ks:3:12: error\[KS6003\]: kernel type 'task_struct' is read through a pointer: write \*task_struct/);
    expect(firstError(tracepoint('    let s = 0 as u64 as *sock;\n    let c = s.__sk_common;'))).toMatch(
      /^prog\.ks:4:13: error\[KS6043\]: sock_common is kernel memory, read field by field: it cannot be copied into a local/,
    );
  });

  it('an integer typedef of the kernel is its integer type', () => {
    const result = compile(tracepoint('    let t = bpf_get_current_task();\n    let pid: pid_t = t.tgid;\n    let small: u16 = pid;'), { filename: FILE, kernel: fixtureKernelInputs() });
    expect(formatDiagnostic(result.diagnostics[0]!, FILE, '')).toMatch(/^prog\.ks:5:22: error\[KS3101\]: expected u16, found i32/);
  });

  it('an unknown kernel type name, with kernel types of a similar name', () => {
    expect(firstError(tracepoint('    let t = 0 as u64 as *task_struc;'))).toMatch(/^prog\.ks:3:26: error\[KS2010\]: unknown type 'task_struc'[\s\S]*help: kernel types with a similar name: \*task_struct/);
  });

  it('no BTF to read: which file and why', () => {
    expect(firstError(tracepoint('    let t = bpf_get_current_task();'), kernelInputs({ btf: '/nonexistent/vmlinux' }))).toMatch(
      /^prog\.ks:3:13: error\[KS6001\]: bpf_get_current_task\(\) needs the kernel's BTF, which is not available: cannot read BTF file '\/nonexistent\/vmlinux': ENOENT/,
    );
  });

  it('a kernel pointer stored in a map value or a struct field', () => {
    expect(firstError('map<u32, *task_struct> m : HashMap(8);\n')).toMatch(/^prog\.ks:1:10: error\[KS6015\]: a kernel pointer cannot be a map value: only kernel code can follow it[\s\S]*help: store the address as a u64/);
    expect(firstError('struct E { t: *task_struct }\n')).toMatch(/^prog\.ks:1:15: error\[KS6015\]: a kernel pointer cannot be a struct field/);
  });

  it('a kernel pointer made from a narrower integer', () => {
    expect(firstError(tracepoint('    let a: u32 = 1;\n    let t = a as *task_struct;'))).toMatch(/^prog\.ks:4:13: error\[KS3105\]: cannot cast u32 to \*task_struct[\s\S]*help: a kernel pointer is made from a 64-bit address/);
  });

  it('field_exists of something that is not a kernel field', () => {
    expect(firstError(tracepoint('    let x: u32 = 0;\n    let e = field_exists(x);'))).toMatch(/^prog\.ks:4:13: error\[KS6032\]: field_exists takes a field of a kernel struct/);
  });
});

describe('typed probes and tracepoints (§13)', () => {
  const kprobe = (body: string, target = 'tcp_v4_connect', kind = 'kprobe') =>
    `program p : ${kind}("${target}") {\n  fn main(ctx: KprobeContext) -> i32 {\n${body}\n    return 0;\n  }\n}\n`;

  it('a parameter the probed function does not have', () => {
    expect(firstError(kprobe('    let s = ctx.args.sock;'))).toMatch(/^prog\.ks:3:22: error\[KS6019\]: tcp_v4_connect has no parameter 'sock'[\s\S]*help: did you mean 'sk'\?/);
  });

  it('typed arguments of a function the BTF lacks, at the program\'s target', () => {
    expect(firstError(kprobe('    let s = ctx.args.sk;', 'tcp_v4_connekt'))).toMatch(/^prog\.ks:1:20: error\[KS6006\]: the kernel's BTF has no function 'tcp_v4_connekt'[\s\S]*help: did you mean 'tcp_v4_connect'/);
  });

  it('a field the tracepoint record does not have, with the nearest ones', () => {
    expect(firstError(tracepoint('    let f = ctx.fname;'))).toMatch(/^prog\.ks:3:17: error\[KS6022\]: tracepoint syscalls\/sys_enter_openat has no field 'fname'[\s\S]*help: the nearest fields are 'filename', 'flags'/);
  });

  it('a tracepoint with no description anywhere', () => {
    expect(firstError(tracepoint('    let f = ctx.x;', 'sched/no_such_event'))).toMatch(/^prog\.ks:3:17: error\[KS6011\]: no description of tracepoint 'sched\/no_such_event'/);
  });

  it('ctx.str of a field that is not a __data_loc string', () => {
    expect(firstError(tracepoint('    let b: [u8; 16] = [0; 16];\n    ctx.str(pid, b);', 'sched/sched_process_exec'))).toMatch(/^prog\.ks:4:13: error\[KS6029\]: 'pid' is not a __data_loc string of sched\/sched_process_exec/);
  });

  it('ctx.read inside the common header, or misaligned', () => {
    expect(firstError(tracepoint('    let x = ctx.read<u32>(4);'))).toMatch(/^prog\.ks:3:27: error\[KS6025\]: offset 4 is inside the 8-byte common header \(common_type, common_flags, common_preempt_count, common_pid\)/);
    expect(firstError(tracepoint('    let x = ctx.read<u64>(12);'))).toMatch(/^prog\.ks:3:27: error\[KS6026\]: offset 12 is not a multiple of 8, the alignment of u64/);
  });

  it('an extern fn the kernel does not have, that is no kfunc, or whose signature differs', () => {
    expect(firstError('extern fn bpf_task_aquire(p: *task_struct) -> *task_struct;\n')).toMatch(/^prog\.ks:1:11: error\[KS6006\]: the kernel has no function 'bpf_task_aquire'[\s\S]*did you mean 'bpf_task_acquire'/);
    expect(firstError('extern fn tcp_v4_connect(sk: *sock, a: u64, l: i32) -> i32;\n')).toMatch(/^prog\.ks:1:11: error\[KS6007\]: 'tcp_v4_connect' is a kernel function but not a kfunc/);
    expect(firstError('extern fn bpf_task_acquire(p: u64) -> *task_struct;\n')).toMatch(/^prog\.ks:1:31: error\[KS6009\]: parameter 1 of bpf_task_acquire is \*task_struct in the kernel, not u64/);
    expect(firstError('extern fn bpf_task_acquire(p: *task_struct) -> u64;\n')).toMatch(/^prog\.ks:1:48: error\[KS6010\]: bpf_task_acquire returns \*task_struct in the kernel, not u64/);
    expect(firstError('extern fn bpf_task_release();\n')).toMatch(/^prog\.ks:1:1: error\[KS6008\]: bpf_task_release takes 1 parameter\(s\) in the kernel \(p: \*task_struct\), not 0/);
  });
});

describe('strings and memory (§14)', () => {
  it('a string literal longer than its [u8; N]', () => {
    expect(firstError(tracepoint('    let who: [u8; 4] = "bashful";'))).toMatch(/^prog\.ks:3:24: error\[KS6034\]: "bashful" is 7 bytes, too long for a \[u8; 4\]/);
  });

  it('[char; N] and [u8; N] are the same bytes: assignable to each other at the same length only', () => {
    const body = (other: string) => `    let name: [char; 16] = "init";\n    let bytes: [u8; ${other}] = name;\n    bpf_get_current_comm(name);`;
    expect(compile(tracepoint(body('16')), { filename: FILE, kernel: fixtureKernelInputs() }).ok).toBe(true);
    expect(firstError(tracepoint(body('8')))).toMatch(/^prog\.ks:4:26: error\[KS3101\]: expected \[u8; 8\], found \[char; 16\]/);
  });

  it('str_eq with a literal longer than the array', () => {
    expect(firstError(tracepoint('    let c: [u8; 4] = [0; 4];\n    let same = str_eq(c, "bashful");'))).toMatch(/^prog\.ks:4:26: error\[KS6034\]: "bashful" is 7 bytes, longer than the 4-byte \[u8; 4\]: str_eq could never be true/);
  });

  it('%s with a value that is no string, and a string printed with %d', () => {
    expect(firstError(tracepoint('    let n: u32 = 1;\n    print("%s\\n", n);'))).toMatch(/^prog\.ks:4:19: error\[KS6042\]: %s prints a \[u8; N\] string, not a u32/);
    expect(firstError(tracepoint('    let c: [u8; 4] = [0; 4];\n    print("%d\\n", c);'))).toMatch(/^prog\.ks:4:19: error\[KS6042\]: a \[u8; 4\] is printed with %s, not %d/);
  });

  it('a probe read into something that is not a place, or from something that is not an address', () => {
    expect(firstError(tracepoint('    let n = bpf_probe_read_user(5, ctx.filename);'))).toMatch(/^prog\.ks:3:33: error\[KS6039\]: the destination is a local, a field or element of one, or a map element's part/);
    expect(firstError(tracepoint('    let b: [u8; 8] = [0; 8];\n    let a: u32 = 1;\n    bpf_probe_read_user(b, a);'))).toMatch(/^prog\.ks:5:28: error\[KS6041\]: the address to read from is a u64 or a kernel pointer, not a u32[\s\S]*help: widen it: a as u64/);
    expect(firstError(tracepoint('    let n: u64 = 0;\n    bpf_probe_read_user_str(n, ctx.filename);'))).toMatch(/^prog\.ks:4:29: error\[KS6030\]: bpf_probe_read_user_str copies a string into a \[u8; N\], not a u64/);
  });

  it('a tail that starts past the end, and a tail outside a helper call', () => {
    expect(firstError(tracepoint('    let b: [u8; 8] = [0; 8];\n    bpf_probe_read_user_str(b[8..], ctx.filename);'))).toMatch(/^prog\.ks:4:31: error\[KS6037\]: 8 is past the end of the 8-element array: its tail would be empty/);
    expect(firstError(tracepoint('    let b: [u8; 8] = [0; 8];\n    let t = b[2..];'))).toMatch(/^prog\.ks:4:13: error\[KS6017\]: a tail `buf\[off\.\.\]` is only a destination of bpf_probe_read_\* and ctx\.str/);
  });
});
