// examples/protocol_counter.ks: XDP header parsing eth → ipv4/ipv6 → protocol, counted per CPU.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKernel, ethArp, ethIpv4Tcp, ethIpv4Udp, ethIpv6, truncated } from '../helpers/kernel.js';
import { load, type LoadedSystem, type MapHandle } from '../../packages/runtime/src/index.js';
import { buildExample, type BuiltSystem } from '../helpers/build.js';

const XDP_PASS = 2;
const Proto = { Tcp: 0, Udp: 1, Icmp: 2, Other: 3, NotIp: 4, Malformed: 5 };

describeKernel('examples/protocol_counter.ks (xdp, per-CPU counts by protocol)', () => {
  let built: BuiltSystem;
  let system: LoadedSystem;
  beforeAll(async () => {
    built = await buildExample('protocol_counter');
    system = load({ metadata: built.metadata, object: built.object });
  });
  afterAll(async () => {
    system?.close();
    await built?.cleanup();
  });

  // BPF_PROG_TEST_RUN refuses XDP input shorter than an Ethernet header, so truncation starts after it.
  it('counts each protocol, passes every packet, and counts truncated headers as malformed', () => {
    const counts = system.maps.proto_counts as MapHandle<number, bigint>;
    const icmp = ethIpv4Udp();
    icmp[14 + 9] = 1; // IPPROTO_ICMP
    const gre = ethIpv4Udp();
    gre[14 + 9] = 47;
    const cases: [Buffer, number, number][] = [
      [ethIpv4Tcp(), Proto.Tcp, 3],
      [ethIpv4Udp(), Proto.Udp, 2],
      [ethIpv6(), Proto.Udp, 1],
      [icmp, Proto.Icmp, 4],
      [gre, Proto.Other, 1],
      [ethArp(), Proto.NotIp, 5],
      [truncated(ethIpv4Tcp(), 14 + 19), Proto.Malformed, 1],
      [truncated(ethIpv6(), 14 + 39), Proto.Malformed, 1],
    ];
    for (const [packet, , repeat] of cases) {
      expect(system.programs.count_protocols.testRun(packet, { repeat }).retval).toBe(XDP_PASS);
    }
    expect(counts.get(Proto.Tcp)).toBe(3n);
    expect(counts.get(Proto.Udp)).toBe(3n);
    expect(counts.get(Proto.Icmp)).toBe(4n);
    expect(counts.get(Proto.Other)).toBe(1n);
    expect(counts.get(Proto.NotIp)).toBe(5n);
    expect(counts.get(Proto.Malformed)).toBe(2n);
  });
});
