// Compiler bugs found by the random-program property (test/property/), each
// as the small program it shrank to: clang -Werror refused the generated C,
// the verifier refused the object, or the C computed something else than the
// .ks says. Built with -Werror, loaded into the verifier, and run. Also the
// run-time signed overflow that -fwrapv makes wrap as the language says.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKernel, ethIpv4Udp } from '../helpers/kernel.js';
import { load, type MapHandle } from '../../packages/runtime/src/index.js';
import { buildSystem, type BuiltSystem } from '../helpers/build.js';

const XDP_PASS = 2;

// Each line of main is one shrunk counterexample; its result goes into `results`.
const SOURCE = `
map<u32, u64> results : Array(16);
map<u32, u64> seen : HashMap(8);
map<u32, u32> by_index : Array(4);

// Never called: it must not be emitted (clang -Wunused-function).
fn never_called(x: u32) -> u32 {
  return x + 1;
}

// A parameter that is only assigned (clang -Wunused-but-set-parameter).
fn only_assigns(p: u8) -> u64 {
  p = 3;
  return 7;
}

program regressions : xdp {
  fn main(ctx: XdpContext) -> XdpAction {
    let unused: u32 = 5;                // -Wunused-variable
    let present = seen[1];              // only null-tested: its copy is unused
    if present == null {
      seen[1] = 1;
    }
    let same: u32 = 3;
    same = same;                        // -Wself-assign
    same |= same;
    if same == same {                   // -Wtautological-compare
      results[0] = only_assigns(1);
    }
    for i in 0..4 {                     // the counter as a map key: the verifier lost its bound
      by_index[i] = i;
    }
    let w: u32 = 0;
    while w < 2 {                       // ... also a while loop's
      by_index[w] += 10;
      w += 1;
    }
    let a: u8 = 200;
    let b: u8 = 100;
    results[1] = (a + b) as u64;        // u8 arithmetic wraps: 44, not 300
    if a + b < 50 {                     // ... also in a comparison
      results[2] = 1;
    }
    let small: u8 = 255 + 255;          // a constant that wraps: 254 (-Wconstant-conversion)
    results[3] = small as u64;
    let smallest: i64 = -9223372036854775808;
    results[4] = (smallest + 1) as u64; // -Wimplicitly-unsigned-literal
    let big: u64 = 1 << 40;             // -Wshift-count-overflow on an int literal
    results[5] = big;
    let n: u32 = 33;
    let shifted: u64 = 1 << n;          // a variable shift of a 64-bit literal: 1ULL << n
    results[6] = shifted;
    let x: i32 = 5;
    results[7] = (-(-x)) as u64;        // printed as the decrement --x
    let wide: i64 = 0 + (4294967294 as i64);
    results[8] = min(wide, 0) as u64;   // 4294967294ULL compared with a signed value (-Wsign-compare)
    let overflow: i32 = 2147483647 + 1; // -Winteger-overflow: wraps to the minimum
    results[9] = (overflow as i64 + 2147483648) as u64;
    results[10] = ((-1) << 3) as u64;   // -Wshift-negative-value: -8
    results[11] = (2 ^ 3) as u64;       // -Wxor-used-as-pow: a xor, 1
    let bits: u32 = 7;
    if (bits & 4) == 3 {                // -Wtautological-bitwise-compare: never true
      results[12] = 1;
    }
    if (bits | 4) != 3 {                // always true
      results[13] = 1;
    }
    let top: i32 = 2147483647;
    let one = (ctx.rx_queue_index + 1) as i32; // 1, but only known at run time
    let wrapped = top + one;            // signed overflow at run time wraps (-fwrapv)
    results[14] = (wrapped as i64 + 2147483648) as u64;
    if wrapped < top {                  // C without -fwrapv may assume this is false
      results[15] = 1;
    }
    return XDP_PASS;
  }
}
`;

describeKernel('compiler bugs found by the random-program property', () => {
  let built: BuiltSystem;
  beforeAll(async () => {
    // buildSystem compiles the C with clang -Werror: each warning above fails here.
    built = await buildSystem(SOURCE, 'property-regressions.ks');
  });
  afterAll(() => built?.cleanup());

  it('the generated C has no unused variable, parameter or function', () => {
    expect(built.ebpfC).not.toContain('never_called');
    expect(built.ebpfC).not.toMatch(/\bunused\b/);
    expect(built.ebpfC).toContain('(void)p;');
    expect(built.ebpfC).not.toMatch(/\b__u64 present\b/);
    expect(built.ebpfC).not.toContain('--');
  });

  it('the verifier accepts it, and it computes what the .ks says', () => {
    using system = load({ metadata: built.metadata, object: built.object });
    expect(system.programs.regressions!.testRun(ethIpv4Udp()).retval).toBe(XDP_PASS);
    const results = system.maps.results as MapHandle<number, bigint>;
    const value = (index: number) => results.get(index);
    expect(value(0)).toBe(7n);
    expect(value(1)).toBe(44n);
    expect(value(2)).toBe(1n);
    expect(value(3)).toBe(254n);
    expect(value(4)).toBe(BigInt.asUintN(64, -(2n ** 63n) + 1n));
    expect(value(5)).toBe(2n ** 40n);
    expect(value(6)).toBe(2n ** 33n);
    expect(value(7)).toBe(5n);
    expect(value(8)).toBe(0n);
    expect(value(9)).toBe(0n);
    expect(value(10)).toBe(BigInt.asUintN(64, -8n));
    expect(value(11)).toBe(1n);
    expect([value(12), value(13)]).toEqual([0n, 1n]);
    expect([value(14), value(15)]).toEqual([0n, 1n]);
    expect([...(system.maps.by_index as MapHandle<number, number>).entries()]).toEqual([
      [0, 10],
      [1, 11],
      [2, 2],
      [3, 3],
    ]);
    expect((system.maps.seen as MapHandle<number, bigint>).get(1)).toBe(1n);
  });
});
