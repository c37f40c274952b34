// examples/flow_table.ks: a tc flow table with struct keys and values, and the
// atomic `m[k].field += x` it relies on, proven under concurrency.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKernel, dumpMap, ethArp, ethIpv4Tcp, ethIpv4Udp, ethIpv6, loadAll, testRun, truncated, withPinDir } from '../helpers/kernel.js';
import { load, type MapHandle } from '../../packages/runtime/src/index.js';
import { buildExample, type BuiltSystem } from '../helpers/build.js';

const TC_ACT_OK = 0;
type FlowKey = { saddr: number; daddr: number; sport: number; dport: number; protocol: number };
type FlowStats = { packets: bigint; bytes: bigint; first_seen_ns: bigint; last_seen_ns: bigint };

/** An IPv4 address as the kernel stores `saddr` (network order) read as a little-endian u32. */
const ipKey = (address: string) => Buffer.from(address.split('.').map(Number)).readUInt32LE(0);

describeKernel('examples/flow_table.ks (tc, struct keys and values)', () => {
  let built: BuiltSystem;
  beforeAll(async () => {
    built = await buildExample('flow_table');
  });
  afterAll(() => built?.cleanup());

  it('counts packets and bytes per 5-tuple and ignores other traffic and truncated headers', () => {
    using system = load({ metadata: built.metadata, object: built.object });
    const program = system.programs.track_flows;
    const tcp = ethIpv4Tcp({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 40000, dstPort: 443 });
    const udp = ethIpv4Udp({ srcIp: '10.0.0.3', dstIp: '10.0.0.4', srcPort: 5353, dstPort: 53, payload: Buffer.alloc(100) });
    // BPF_PROG_TEST_RUN refuses tc input whose IPv4 header is cut short (EINVAL), so truncation starts at layer 4.
    const ignored = [ethArp(), ethIpv6(), truncated(tcp, 34 + 19), truncated(udp, 34 + 7)];
    for (const packet of [tcp, tcp, udp, ...ignored]) expect(program.testRun(packet).retval).toBe(TC_ACT_OK);

    const flows = system.maps.flows as MapHandle<FlowKey, FlowStats>;
    const entries = [...flows.entries()].sort(([a], [b]) => a.protocol - b.protocol);
    expect(entries.map(([key, stats]) => [key, stats.packets, stats.bytes])).toEqual([
      [{ saddr: ipKey('10.0.0.1'), daddr: ipKey('10.0.0.2'), sport: 40000, dport: 443, protocol: 6 }, 2n, BigInt(2 * tcp.length)],
      [{ saddr: ipKey('10.0.0.3'), daddr: ipKey('10.0.0.4'), sport: 5353, dport: 53, protocol: 17 }, 1n, BigInt(udp.length)],
    ]);
    const [, tcpStats] = entries[0]!;
    expect(tcpStats.first_seen_ns).toBeGreaterThan(0n);
    expect(tcpStats.last_seen_ns).toBeGreaterThanOrEqual(tcpStats.first_seen_ns);
  });

  it('loses no update when two processes count the same new flow at once (atomic m[k].field += x)', async () => {
    await withPinDir(async (dir) => {
      const { programs, maps } = await loadAll(built.object, dir);
      const repeat = 200_000;
      // Two bpftool processes: BPF_PROG_TEST_RUN runs each on its own CPU, racing on one new key.
      await Promise.all([testRun(programs.track_flows!, ethIpv4Udp(), repeat), testRun(programs.track_flows!, ethIpv4Udp(), repeat)]);
      const entries = await dumpMap(maps.flows!);
      expect(entries).toHaveLength(1);
      expect(entries[0]!.value.readBigUInt64LE(0)).toBe(BigInt(2 * repeat));
    });
  });
});
