// XDP examples with maps filled or read from the test: an LPM-trie blocklist,
// per-CPU statistics, a config-driven size filter and an enum/match classifier.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKernel, ethArp, ethIpv4Tcp, ethIpv4Udp, ethIpv6, truncated } from '../helpers/kernel.js';
import { load, type MapHandle } from '../../packages/runtime/src/index.js';
import { buildExample, type BuiltSystem } from '../helpers/build.js';

const XDP_DROP = 1;
const XDP_PASS = 2;
const ETH_HLEN = 14;

/** An IPv4 address as the kernel stores it (network order) read as a little-endian u32. */
const ipKey = (address: string) => Buffer.from(address.split('.').map(Number)).readUInt32LE(0);

describeKernel('xdp examples: LPM blocklist, per-CPU stats, config threshold, enum classifier', () => {
  const built: Record<string, BuiltSystem> = {};
  beforeAll(async () => {
    for (const name of ['ip_blocklist', 'cpu_stats', 'size_filter', 'packet_classifier']) built[name] = await buildExample(name);
  });
  afterAll(async () => {
    for (const example of Object.values(built)) await example.cleanup();
  });

  it('examples/ip_blocklist.ks drops by longest-prefix match and lets a more specific prefix allow', () => {
    const { metadata, object } = built.ip_blocklist!;
    expect(metadata.maps.blocklist!.flags).toContain('BPF_F_NO_PREALLOC');
    using system = load({ metadata, object });
    const blocklist = system.maps.blocklist as MapHandle<{ prefixlen: number; addr: number }, number>;
    blocklist.set({ prefixlen: 24, addr: ipKey('10.1.2.0') }, 1); // Block
    blocklist.set({ prefixlen: 32, addr: ipKey('10.1.2.3') }, 0); // Allow
    const run = (srcIp: string) => system.programs.block_networks.testRun(ethIpv4Tcp({ srcIp })).retval;
    expect(run('10.1.2.4')).toBe(XDP_DROP);
    expect(run('10.1.2.200')).toBe(XDP_DROP);
    expect(run('10.1.2.3')).toBe(XDP_PASS);
    expect(run('10.1.3.4')).toBe(XDP_PASS);
    expect(system.programs.block_networks.testRun(ethIpv6()).retval).toBe(XDP_PASS);
    expect(system.programs.block_networks.testRun(truncated(ethIpv4Tcp({ srcIp: '10.1.2.4' }), 14 + 19)).retval).toBe(XDP_DROP);
    const blocked = system.maps.blocked_by_source as MapHandle<number, bigint>;
    expect(new Map(blocked.entries())).toEqual(new Map([[ipKey('10.1.2.4'), 1n], [ipKey('10.1.2.200'), 1n]]));
  });

  it('examples/cpu_stats.ks sums packets, bytes and a size histogram per CPU', () => {
    using system = load({ metadata: built.cpu_stats!.metadata, object: built.cpu_stats!.object });
    const sizes = [60, 60, 100, 200, 1500];
    for (const size of sizes) expect(system.programs.collect_stats.testRun(Buffer.concat([ethIpv4Udp(), Buffer.alloc(size - 60)])).retval).toBe(XDP_PASS);
    const stats = system.maps.stats as MapHandle<number, { packets: bigint; bytes: bigint; max_len: number }>;
    const total = stats.get(0)!;
    expect({ packets: total.packets, bytes: total.bytes }).toEqual({ packets: 5n, bytes: BigInt(sizes.reduce((a, b) => a + b)) });
    // max_len is a per-CPU maximum; the test runs may land on several CPUs.
    expect(Math.max(...stats.getPerCpu(0)!.map((value) => value.max_len))).toBe(1500);
    const histogram = system.maps.size_histogram as MapHandle<number, bigint>;
    // log2 buckets from 64: 60 → 0, 100 → 1, 200 → 2, 1500 → 5
    expect(new Map(histogram.entries())).toEqual(new Map([[0, 2n], [1, 1n], [2, 1n], [5, 1n]]));
  });

  it('examples/size_filter.ks drops packets above the load-time max_packet_size', () => {
    const big = Buffer.concat([ethIpv4Udp(), Buffer.alloc(200)]);
    const bigTcp = Buffer.concat([ethIpv4Tcp(), Buffer.alloc(200)]);
    {
      using system = load({ metadata: built.size_filter!.metadata, object: built.size_filter!.object });
      expect(system.programs.drop_oversized.testRun(big).retval).toBe(XDP_PASS); // default 1500
    }
    {
      using system = load({ metadata: built.size_filter!.metadata, object: built.size_filter!.object }, { config: { max_packet_size: 100 } });
      expect(system.programs.drop_oversized.testRun(big).retval).toBe(XDP_DROP);
      expect(system.programs.drop_oversized.testRun(bigTcp).retval).toBe(XDP_DROP);
      expect(system.programs.drop_oversized.testRun(ethIpv4Udp()).retval).toBe(XDP_PASS);
    }
    {
      using system = load({ metadata: built.size_filter!.metadata, object: built.size_filter!.object }, { config: { max_packet_size: 100, udp_only: true } });
      expect(system.programs.drop_oversized.testRun(big).retval).toBe(XDP_DROP);
      expect(system.programs.drop_oversized.testRun(bigTcp).retval).toBe(XDP_PASS);
      const verdicts = system.maps.verdicts as MapHandle<number, bigint>;
      expect([verdicts.get(0), verdicts.get(1)]).toEqual([1n, 1n]);
    }
  });

  it('examples/packet_classifier.ks maps DSCP to tiers, buckets TTLs, and drops low-TTL scavenger traffic', () => {
    using system = load({ metadata: built.packet_classifier!.metadata, object: built.packet_classifier!.object });
    const withDscp = (dscp: number, ttl: number) => {
      const packet = ethIpv4Tcp({ ttl });
      packet[ETH_HLEN + 1] = dscp << 2;
      return packet;
    };
    const run = (packet: Buffer) => system.programs.classify_tiers.testRun(packet).retval;
    expect(run(withDscp(48, 64))).toBe(XDP_PASS); // Control, ttl bucket 2
    expect(run(withDscp(46, 200))).toBe(XDP_PASS); // Latency, bucket 3
    expect(run(withDscp(34, 10))).toBe(XDP_PASS); // Latency, bucket 0
    expect(run(withDscp(0, 40))).toBe(XDP_PASS); // Normal, bucket 1
    expect(run(withDscp(8, 64))).toBe(XDP_PASS); // Scavenger, bucket 2
    expect(run(withDscp(8, 5))).toBe(XDP_DROP); // Scavenger with a low TTL
    expect(run(ethArp())).toBe(XDP_PASS);
    const tiers = system.maps.tiers as MapHandle<number, { packets: bigint; ttl_buckets: number[] }>;
    expect(new Map(tiers.entries())).toEqual(
      new Map([
        [0, { packets: 1n, ttl_buckets: [0, 0, 1, 0] }],
        [1, { packets: 2n, ttl_buckets: [1, 0, 0, 1] }],
        [2, { packets: 1n, ttl_buckets: [0, 1, 0, 0] }],
        [3, { packets: 2n, ttl_buckets: [1, 0, 1, 0] }],
      ]),
    );
    expect((system.maps.last_tier as MapHandle<number, number>).get(0)).toBe(3);
  });
});
