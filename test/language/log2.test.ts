// log2(x) (LANGUAGE.md §15): the log2 histogram slot of a u64 in the kernel,
// the index of its highest set bit (0 for 0 and 1). A program computes it for
// values userspace wrote, in the kernel with BPF_PROG_TEST_RUN, and the test
// compares with the same rule computed in JS.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { formatLog2Histogram, load, log2Buckets, type MapHandle } from '../../packages/runtime/src/index.js';
import { buildSystem, type BuiltSystem } from '../helpers/build.js';
import { describeKernel, ethIpv4Udp } from '../helpers/kernel.js';

const SOURCE = `
map<u32, u64> inputs : Array(16);
map<u32, u32> slots : Array(16);
map<u32, u64> hist : Array(64);

program slots_of : xdp {
  fn main(ctx: XdpContext) -> XdpAction {
    for i in 0..16 {
      slots[i] = log2(inputs[i]);
      hist[log2(inputs[i])] += 1;
    }
    return XDP_PASS;
  }
}
`;

const VALUES = [0n, 1n, 2n, 3n, 4n, 7n, 8n, 1000n, 65535n, 65536n, 0xffff_ffffn, 0x1_0000_0000n, 1n << 47n, (1n << 63n) - 1n, 1n << 63n, 0xffff_ffff_ffff_ffffn];
const highestBit = (x: bigint) => (x <= 1n ? 0 : x.toString(2).length - 1);

describeKernel('log2 in the kernel', () => {
  let built: BuiltSystem;
  beforeAll(async () => {
    built = await buildSystem(SOURCE, 'log2.ks');
  });
  afterAll(() => built?.cleanup());

  it('is the index of the highest set bit for values from 0 to 2^64-1, without a loop the verifier must walk', () => {
    expect(built.ebpfC).toMatch(/static __always_inline __u32 ks_log2\(__u64 x\)/);
    using system = load({ metadata: built.metadata, object: built.object });
    const inputs = system.maps.inputs as MapHandle<number, bigint>;
    VALUES.forEach((value, i) => inputs.set(i, value));
    expect(system.programs.slots_of!.testRun(ethIpv4Udp()).retval).toBe(2);
    const slots = system.maps.slots as MapHandle<number, number>;
    expect(VALUES.map((_, i) => slots.get(i))).toEqual(VALUES.map(highestBit));
  });

  it('fills a histogram the runtime reads as buckets and prints as libbpf-tools\' bar chart', () => {
    using system = load({ metadata: built.metadata, object: built.object });
    const inputs = system.maps.inputs as MapHandle<number, bigint>;
    // Slot 0 twice (0 and 1), slot 1 once (3), slot 3 four times (8..15); every other input is 0.
    [1n, 3n, 8n, 9n, 12n, 15n].forEach((value, i) => inputs.set(i, value));
    expect(system.programs.slots_of!.testRun(ethIpv4Udp()).retval).toBe(2);
    const buckets = log2Buckets((system.maps.hist as MapHandle<number, bigint>).entries());
    expect(buckets).toEqual([
      { low: 0n, high: 1n, count: 11n },
      { low: 2n, high: 3n, count: 1n },
      { low: 4n, high: 7n, count: 0n },
      { low: 8n, high: 15n, count: 4n },
    ]);
    expect(formatLog2Histogram(buckets, 'usecs')).toBe(
      [
        '     usecs               : count    distribution',
        '         0 -> 1          : 11       |****************************************|',
        '         2 -> 3          : 1        |***                                     |',
        '         4 -> 7          : 0        |                                        |',
        '         8 -> 15         : 4        |**************                          |',
        '',
      ].join('\n'),
    );
  });
});
