// Every error class of the whole-language issue: message, file:line:col and
// the help that says what to write instead.
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import { formatDiagnostic } from '../../src/diagnostics/format.js';

const FILE = 'prog.ks';

/** The first error of compiling `source`, formatted as the CLI prints it. */
function firstError(source: string): string {
  const result = compile(source, { filename: FILE });
  const error = result.diagnostics.find((d) => d.severity === 'error');
  expect(result.ok, 'expected the compile to fail').toBe(false);
  expect(error, 'expected an error').toBeDefined();
  return formatDiagnostic(error!, FILE, source);
}

const xdp = (body: string, before = '') => `${before}program p : xdp {\n  fn main(ctx: XdpContext) -> XdpAction {\n${body}\n  }\n}\n`;

describe('map declarations (§4)', () => {
  it('ring buffer size that is not a power-of-two multiple of 4096', () => {
    expect(firstError('struct E { a: u32 }\nmap<E> events : RingBuffer(5000);\n')).toMatch(
      /^prog\.ks:2:28: error\[KS\d{4}\]: a ring buffer's size must be a power of two and a multiple of 4096 bytes, not 5000\n2 \| map<E> events : RingBuffer\(5000\);\n {2}\| {28}\^{4}$/,
    );
  });

  it('LPM trie key that does not start with prefixlen: u32', () => {
    expect(firstError('struct K { addr: u32, prefixlen: u32 }\nmap<K, u32> t : LpmTrie(16);\n')).toMatch(
      /^prog\.ks:2:5: error\[KS\d{4}\]: an LpmTrie key must be a struct whose first field is `prefixlen: u32`/,
    );
  });

  it('pin path outside /sys/fs/bpf/', () => {
    expect(firstError('map<u32, u32> m : HashMap(16) { pinned: "/tmp/m" };\n')).toMatch(/^prog\.ks:1:41: error\[KS2111\]: the pin path "\/tmp\/m" cannot be used: it must be under \/sys\/fs\/bpf\//);
  });

  it('pin path that is not normal, climbs out of /sys/fs/bpf or holds a NUL or control character', () => {
    const pinned = (path: string) => firstError(`map<u32, u32> m : HashMap(16) { pinned: "${path}" };\n`).split('\n')[0];
    expect(pinned('/sys/fs/bpf/../../../tmp/x')).toBe(`prog.ks:1:41: error[KS2111]: the pin path "/sys/fs/bpf/../../../tmp/x" cannot be used: it climbs out of /sys/fs/bpf/ with '..'`);
    expect(pinned('/sys/fs/bpf/a/../b')).toBe(`prog.ks:1:41: error[KS2111]: the pin path "/sys/fs/bpf/a/../b" cannot be used: it is not in normal form (no '.', '..' or empty segments): write "/sys/fs/bpf/b"`);
    expect(pinned('/sys/fs/bpf/x\\0/../../tmp')).toBe('prog.ks:1:41: error[KS2111]: the pin path "/sys/fs/bpf/x\\u0000/../../tmp" cannot be used: it contains the control character U+0000');
    expect(pinned('/sys/fs/bpf/x\\ny')).toBe('prog.ks:1:41: error[KS2111]: the pin path "/sys/fs/bpf/x\\ny" cannot be used: it contains the control character U+000A');
  });

  it('unknown attribute, with the nearest one', () => {
    expect(firstError('map<u32, u32> m : HashMap(16) { pinnd };\n')).toMatch(/^prog\.ks:1:33: error\[KS\d{4}\]: unknown map attribute 'pinnd'[\s\S]*did you mean 'pinned'\?/);
  });

  it('map size zero', () => {
    expect(firstError('map<u32, u32> m : HashMap(0);\n')).toMatch(/^prog\.ks:1:27: error\[KS\d{4}\]: the map size must be between 1 and 4294967295/);
  });
});

describe('types and arithmetic (§3)', () => {
  it('a literal that does not fit its type', () => {
    expect(firstError(xdp('    let t: u8 = 300;\n    return XDP_PASS;'))).toMatch(/^prog\.ks:3:17: error\[KS\d{4}\]: 300 does not fit in u8 \(0\.\.255\)/);
  });

  it('implicit narrowing, with the cast to write', () => {
    expect(firstError(xdp('    let a: u64 = 1;\n    let t: u32 = a;\n    return XDP_PASS;'))).toMatch(
      /^prog\.ks:4:18: error\[KS\d{4}\]: expected u32, found u64[\s\S]*help: narrowing needs an explicit cast: \(a\) as u32/,
    );
  });

  it('division by a constant zero', () => {
    expect(firstError(xdp('    let t: u32 = 10;\n    t = t / 0;\n    return XDP_PASS;'))).toMatch(/^prog\.ks:4:13: error\[KS\d{4}\]: division by zero/);
  });

  it('modulo by a constant zero, also through a const', () => {
    expect(firstError(xdp('    let t: u32 = 10;\n    t %= NONE;\n    return XDP_PASS;', 'const NONE: u32 = 0;\n'))).toMatch(/^prog\.ks:5:10: error\[KS\d{4}\]: modulo by zero/);
  });

  it('signed division in kernel code, with the unsigned cast to write (clang has no BPF sdiv)', () => {
    expect(firstError(xdp('    let a: i32 = -7;\n    let b = a / 2;\n    return XDP_PASS;'))).toMatch(
      /^prog\.ks:4:13: error\[KS\d{4}\]: '\/' on signed i32 values is not available in eBPF programs: clang's BPF target has no signed division\n[\s\S]*help: divide unsigned values, e\.g\. `\(a as u32\) \/ \(b as u32\)`/,
    );
  });

  it('a constant shift by the width of the shifted type or more, with the widening to write', () => {
    expect(firstError(xdp('    let d: u8 = 1;\n    let g: u64 = d << 40;\n    return XDP_PASS;'))).toMatch(
      /^prog\.ks:4:23: error\[KS\d{4}\]: cannot shift a u8 by 40: shift amounts go from 0 to 7\n[\s\S]*help: widen the value first, e\.g\. \(value as u64\) << 40/,
    );
    expect(firstError(xdp('    let x: u64 = 1;\n    x <<= 64;\n    return XDP_PASS;'))).toMatch(/^prog\.ks:4:11: error\[KS\d{4}\]: cannot shift a u64 by 64: shift amounts go from 0 to 63$/m);
  });

  it('signed compound modulo in kernel code', () => {
    expect(firstError(xdp('    let a: i64 = -7;\n    a %= 2;\n    return XDP_PASS;'))).toMatch(/^prog\.ks:4:5: error\[KS\d{4}\]: '%=' on signed i64 values is not available in eBPF programs/);
  });

  it('signed division is fine in userspace', () => {
    const source = 'userspace {\n  fn main(argc: u32, argv: u64) -> i32 {\n    let a: i32 = -7;\n    return a / 2;\n  }\n}\n';
    expect(compile(source, { filename: FILE }).ok).toBe(true);
  });
});

describe('programs (§5)', () => {
  it('a packet view used before its null check, with the check to add', () => {
    expect(firstError(xdp('    let eth = ctx.header<EthHdr>(0);\n    if eth.h_proto == 8 { return XDP_DROP; }\n    return XDP_PASS;'))).toBe(
      [
        "prog.ks:4:8: error[KS3301]: 'eth' may be null here: ctx.header returns null when the packet is too short",
        '4 |     if eth.h_proto == 8 { return XDP_DROP; }',
        '  |        ^^^',
        '  = help: check it first: if eth == null { return XDP_PASS; }',
      ].join('\n'),
    );
  });

  it('ctx.header on a context without packet data', () => {
    const source = 'program k : kprobe("x") {\n  fn main(ctx: KprobeContext) -> i32 {\n    let e = ctx.header<EthHdr>(0);\n    return 0;\n  }\n}\n';
    expect(firstError(source)).toMatch(/^prog\.ks:3:17: error\[KS\d{4}\]: KprobeContext has no method 'header'/);
  });

  it('ctx.arg out of range', () => {
    const source = 'program k : kprobe("x") {\n  fn main(ctx: KprobeContext) -> i32 {\n    let e = ctx.arg(6);\n    return 0;\n  }\n}\n';
    expect(firstError(source)).toMatch(/^prog\.ks:3:21: error\[KS\d{4}\]: ctx\.arg\(i\) takes a constant index from 0 to 5/);
  });

  it('writing ctx.mark outside tc', () => {
    const source = 'program c : cgroup_skb("ingress") {\n  fn main(ctx: SkbContext) -> i32 {\n    ctx.mark = 1;\n    return 1;\n  }\n}\n';
    expect(firstError(source)).toMatch(/^prog\.ks:3:5: error\[KS\d{4}\]: ctx\.mark is read-only here/);
  });

  it('tail call to a program of another kind', () => {
    const source = `${xdp('    return tail_call(ctx, b) else XDP_PASS;')}program b : tc {\n  fn main(ctx: TcContext) -> TcAction {\n    return TC_ACT_OK;\n  }\n}\n`;
    expect(firstError(source)).toMatch(/^prog\.ks:3:27: error\[KS\d{4}\]: tail_call jumps between programs of the same kind: 'b' is tc, this is xdp/);
  });
});

describe('statements (§6) and built-ins (§7)', () => {
  it('a non-void function with a path that does not return', () => {
    expect(firstError(`fn f(x: u32) -> u32 {\n  if x > 1 { return 1; }\n}\n${xdp('    let y = f(2);\n    return XDP_PASS;')}`)).toMatch(
      /^prog\.ks:3:1: error\[KS\d{4}\]: not every path of 'f' returns a value[\s\S]*help: end the function with a return of type u32/,
    );
  });

  it('a match whose arms all return counts as returning', () => {
    const source = `fn f(x: u32) -> u32 {\n  match x {\n    0 -> return 1,\n    _ -> { return 2; },\n  }\n}\n${xdp('    let y = f(2);\n    return XDP_PASS;')}`;
    expect(compile(source, { filename: FILE }).diagnostics).toEqual([]);
  });

  it('recursion, naming the cycle', () => {
    const source = `fn a(x: u32) -> u32 { return b(x); }\nfn b(x: u32) -> u32 { return a(x); }\n${xdp('    let y = a(2);\n    return XDP_PASS;')}`;
    expect(firstError(source)).toMatch(/^prog\.ks:2:30: error\[KS\d{4}\]: recursion is not allowed in eBPF: a -> b -> a[\s\S]*help: rewrite the recursion as a bounded loop/);
  });

  it('more than 512 bytes of stack, naming the largest locals', () => {
    const source = xdp('    let big: [u8; 400] = [0; 400];\n    let other: [u64; 30] = [0; 30];\n    big[1] = 2;\n    other[2] = 3;\n    return XDP_PASS;');
    expect(firstError(source)).toMatch(
      /^prog\.ks:3:9: error\[KS\d{4}\]: program 'p' needs 640 bytes of stack; eBPF allows 512\n[\s\S]*note: largest locals: big \(400 bytes, in main\), other \(240 bytes, in main\)/,
    );
  });

  it('an unknown function, with the nearest built-in', () => {
    expect(firstError(xdp('    let t = bpf_ktime_get_nsec();\n    return XDP_PASS;'))).toMatch(
      /^prog\.ks:3:13: error\[KS\d{4}\]: unknown function 'bpf_ktime_get_nsec'[\s\S]*did you mean 'bpf_ktime_get_ns'\?/,
    );
  });

  it('a match used as a value without `_`', () => {
    expect(firstError(xdp('    let v: u32 = 3;\n    let w = match v { 1 -> 2, 3 -> 4 };\n    return XDP_PASS;'))).toMatch(/^prog\.ks:4:13: error\[KS\d{4}\]: a match used as a value needs a `_` arm/);
  });
});

describe('per-kind rules from the kind tables', () => {
  it('a cgroup_skb main returns 0 or 1', () => {
    const source = 'program g : cgroup_skb("ingress") {\n  fn main(ctx: SkbContext) -> i32 {\n    return 2;\n  }\n}\n';
    expect(firstError(source)).toMatch(/^prog\.ks:3:12: error\[KS\d{4}\]: a cgroup_skb program returns 0 to 1, not 2/);
  });

  it('a ProgArray holds u32 program slots', () => {
    expect(firstError('map<u32, u64> jumps : ProgArray(4);\n')).toMatch(/^prog\.ks:1:10: error\[KS\d{4}\]: ProgArray values are u32, not u64/);
  });

  it('userspace cannot iterate a tail-call table', () => {
    const source = 'map<u32, u32> jumps : ProgArray(4);\nuserspace {\n  fn main() -> i32 {\n    for (k, v) in jumps { print("%d", k); }\n    return 0;\n  }\n}\n';
    expect(firstError(source)).toMatch(/^prog\.ks:4:19: error\[KS\d{4}\]: for \(k, v\) in \.\.\. iterates a map with keys/);
  });
});
