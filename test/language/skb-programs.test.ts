// The skb examples without direct packet access: a socket filter that keeps
// UDP and a cgroup_skb port guard. Their header views are copies loaded
// relative to the network header (BPF_PROG_TEST_RUN hands them the skb after
// the Ethernet header was pulled, as the kernel does for sockets).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKernel, ethArp, ethIpv4Tcp, ethIpv4Udp, ethIpv6, truncated } from '../helpers/kernel.js';
import { load, type MapHandle } from '../../packages/runtime/src/index.js';
import { buildExample, type BuiltSystem } from '../helpers/build.js';

const ETH_HLEN = 14;

describeKernel('skb examples: socket_filter and cgroup_skb', () => {
  const built: Record<string, BuiltSystem> = {};
  beforeAll(async () => {
    for (const name of ['udp_socket_filter', 'port_guard']) built[name] = await buildExample(name);
  });
  afterAll(async () => {
    for (const example of Object.values(built)) await example.cleanup();
  });

  it('examples/udp_socket_filter.ks keeps whole UDP datagrams (v4 and v6) and drops everything else', () => {
    const { metadata, object } = built.udp_socket_filter!;
    expect(metadata.programs.keep_udp!.section).toBe('socket');
    using system = load({ metadata, object });
    const run = (packet: Buffer) => system.programs.keep_udp.testRun(packet).retval;
    // The socket sees the packet from the network header: skb->len excludes Ethernet.
    expect(run(ethIpv4Udp())).toBe(ethIpv4Udp().length - ETH_HLEN);
    expect(run(ethIpv6())).toBe(ethIpv6().length - ETH_HLEN);
    expect(run(ethIpv4Tcp())).toBe(0);
    expect(run(ethArp())).toBe(0);
    const kept = system.maps.kept as MapHandle<number, bigint>;
    expect([kept.get(0), kept.get(1)]).toEqual([1n, 1n]);
  });

  it('examples/port_guard.ks denies TCP and UDP to denied ports and allows the rest', () => {
    const { metadata, object } = built.port_guard!;
    expect(metadata.programs.deny_ports).toMatchObject({ section: 'cgroup_skb/egress', target: 'egress' });
    using system = load({ metadata, object });
    (system.maps.denied_ports as MapHandle<number, boolean>).set(8080, true);
    (system.maps.denied_ports as MapHandle<number, boolean>).set(53, true);
    const run = (packet: Buffer) => system.programs.deny_ports.testRun(packet).retval;
    expect(run(ethIpv4Tcp({ dstPort: 8080 }))).toBe(0);
    expect(run(ethIpv4Tcp({ dstPort: 8080 }))).toBe(0);
    expect(run(ethIpv4Udp({ dstPort: 53 }))).toBe(0);
    expect(run(ethIpv4Tcp({ dstPort: 80 }))).toBe(1);
    expect(run(ethIpv4Udp({ dstPort: 8081 }))).toBe(1);
    const icmp = ethIpv4Udp({ dstPort: 8080 });
    icmp[ETH_HLEN + 9] = 1; // IPPROTO_ICMP: not a port protocol
    expect(run(icmp)).toBe(1);
    // A TCP header cut short cannot name a port: allowed, as the program says.
    expect(run(truncated(ethIpv4Tcp({ dstPort: 8080 }), 34 + 3))).toBe(1);
    const denials = system.maps.denials as MapHandle<number, bigint>;
    expect([denials.get(8080), denials.get(53), denials.get(80)]).toEqual([2n, 1n, undefined]);
  });
});
