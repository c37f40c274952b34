// The hand-written baselines of bench/4-hand-baselines.bench.mjs are true
// equivalents of the generated programs: each is built with the driver's
// flags, loaded into the verifier, and run on the same packets as the
// program compiled from the example, with identical return values, identical
// output packets (the rewriting examples change them) and identical map
// contents afterwards.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKernel, ethArp, ethIpv4Tcp, ethIpv4Udp, ethIpv6, macBytes, truncated } from '../helpers/kernel.js';
import { ethIpv4Icmp, rawIpv4, withUdpChecksum, withVlanTag } from '../helpers/packets.js';
import { load, type ConfigValues, type MapHandle } from '../../packages/runtime/src/index.js';
import { buildBpfObject } from '../../packages/compiler/src/driver/toolchain.js';
import { buildExample, REPO_ROOT, type BuiltSystem } from '../helpers/build.js';

const ETH_HLEN = 14;
const IPV4_HLEN = 20;

/** An IPv4/TCP packet with the given DSCP and TTL. */
function withDscp(dscp: number, ttl: number): Buffer {
  const packet = ethIpv4Tcp({ ttl });
  packet[ETH_HLEN + 1] = dscp << 2;
  return packet;
}

/** An IPv4/UDP packet whose protocol byte is `protocol`. */
function withProtocol(protocol: number): Buffer {
  const packet = ethIpv4Udp();
  packet[ETH_HLEN + 9] = protocol;
  return packet;
}

const padded = (packet: Buffer, extra: number) => Buffer.concat([packet, Buffer.alloc(extra)]);

interface Scenario {
  /** Load-time config for both objects. */
  config?: ConfigValues;
  /** Fills maps before the packets run (what a coordinator would). */
  setup?: (maps: Record<string, MapHandle>) => void;
  packets: Buffer[];
}

/** Every length of `frame` from an Ethernet header on (BPF_PROG_TEST_RUN refuses shorter XDP input). */
const everyTruncation = (frame: Buffer) => Array.from({ length: frame.length - ETH_HLEN }, (_, i) => truncated(frame, ETH_HLEN + i));

const VIP = '10.0.0.254';
const toVip = { dstIp: VIP, dstMac: '02:00:00:00:00:fe' };
const fillBackends = (maps: Record<string, MapHandle>) =>
  ['10.1.0.1', '10.1.0.2', '10.1.0.3'].forEach((addr, slot) => maps.backends!.set(slot, { addr: rawIpv4(addr), mac: [...macBytes(`02:00:00:00:01:0${slot + 1}`)] }));
const fillPorts = (maps: Record<string, MapHandle>) => {
  maps.port_map!.set(53, 5353);
  maps.port_map!.set(80, 8080);
};
const udpTo = (port: number) => withUdpChecksum(ethIpv4Udp({ dstPort: port }));

interface Baseline {
  example: string;
  program: string;
  scenarios: Scenario[];
  /** Map name → how to compare an entry's value (default: as is); for values that depend on the clock. */
  normalize?: Record<string, (value: any) => unknown>;
}

// BPF_PROG_TEST_RUN refuses XDP input shorter than an Ethernet header, so truncation starts after it.
const BASELINES: Baseline[] = [
  {
    example: 'protocol_counter',
    program: 'count_protocols',
    scenarios: [
      {
        packets: [
          ethIpv4Tcp(),
          ethIpv4Udp(),
          ethIpv6(),
          withProtocol(1),
          withProtocol(58),
          withProtocol(47),
          ethArp(),
          truncated(ethIpv4Tcp(), ETH_HLEN + IPV4_HLEN - 1),
          truncated(ethIpv6(), ETH_HLEN + 39),
          truncated(ethIpv4Udp(), ETH_HLEN),
        ],
      },
    ],
  },
  {
    example: 'packet_classifier',
    program: 'classify_tiers',
    scenarios: [
      {
        packets: [
          ...[48, 56, 46, 34, 36, 38, 8, 0, 10].flatMap((dscp) => [1, 15, 16, 31, 32, 63, 64, 127, 128, 255].map((ttl) => withDscp(dscp, ttl))),
          ethArp(),
          ethIpv6(),
          truncated(ethIpv4Tcp(), ETH_HLEN + IPV4_HLEN - 1),
        ],
      },
    ],
  },
  {
    example: 'rate_limiter',
    program: 'rate_limit',
    scenarios: [
      // A rate of 0 never refills, so the verdicts do not depend on the clock.
      {
        config: { rate_per_sec: 0n, burst: 3n },
        packets: [
          ...Array.from({ length: 5 }, () => ethIpv4Udp({ srcIp: '192.0.2.1' })),
          ...Array.from({ length: 2 }, () => ethIpv4Tcp({ srcIp: '192.0.2.2' })),
          ethArp(),
          ethIpv6(),
          truncated(ethIpv4Udp({ srcIp: '192.0.2.3' }), ETH_HLEN + IPV4_HLEN - 1),
        ],
      },
      // 10^9 tokens per second: every packet finds its bucket refilled to the burst.
      { config: { rate_per_sec: 1_000_000_000n, burst: 1n }, packets: Array.from({ length: 4 }, () => ethIpv4Udp()) },
    ],
    normalize: { buckets: (bucket: { tokens: bigint }) => ({ tokens: bucket.tokens }) },
  },
  {
    example: 'size_filter',
    program: 'drop_oversized',
    scenarios: [
      { packets: [ethIpv4Udp(), padded(ethIpv4Udp(), 2000)] },
      {
        config: { max_packet_size: 100 },
        packets: [ethIpv4Udp(), padded(ethIpv4Udp(), 200), padded(ethIpv4Tcp(), 200), ethArp()],
      },
      {
        config: { max_packet_size: 100, udp_only: true },
        packets: [ethIpv4Udp(), padded(ethIpv4Udp(), 200), padded(ethIpv4Tcp(), 200), padded(ethArp(), 200), padded(truncated(ethIpv4Udp(), 20), 0)],
      },
      { config: { max_packet_size: 20, udp_only: true }, packets: [truncated(ethIpv4Udp(), ETH_HLEN + IPV4_HLEN - 1), ethIpv4Udp()] },
    ],
  },
  {
    example: 'xdp_icmp_echo',
    program: 'icmp_echo',
    scenarios: [
      {
        packets: [
          ethIpv4Icmp(),
          ethIpv4Icmp({ srcIp: '198.51.100.7', dstIp: '203.0.113.9', ttl: 1, id: 0xffff, sequence: 0xfffe, payload: Buffer.alloc(100, 0xa5) }),
          ethIpv4Icmp({ type: 0 }),
          ethIpv4Tcp(),
          ethIpv4Udp(),
          ethIpv6(),
          ethArp(),
          ...everyTruncation(ethIpv4Icmp()),
        ],
      },
    ],
  },
  {
    example: 'xdp_port_rewrite',
    program: 'rewrite_ports',
    scenarios: [
      {
        setup: fillPorts,
        packets: [udpTo(53), udpTo(80), ethIpv4Udp({ dstPort: 53 }), ethIpv4Tcp({ dstPort: 80 }), udpTo(443), ethIpv6(), ethArp(), withVlanTag(udpTo(53), 7), ...everyTruncation(withVlanTag(ethIpv4Tcp({ dstPort: 80 }), 7))],
      },
      { config: { egress_vlan: 42 }, setup: fillPorts, packets: [udpTo(53), ethIpv4Tcp({ dstPort: 80 }), withVlanTag(udpTo(80), 3), ethArp()] },
    ],
  },
  {
    example: 'xdp_lb',
    program: 'balance',
    scenarios: [
      {
        config: { backend_count: 3 },
        setup: fillBackends,
        packets: [
          ...Array.from({ length: 12 }, (_, i) => ethIpv4Tcp({ ...toVip, srcPort: 40000 + i })),
          ...Array.from({ length: 12 }, (_, i) => ethIpv4Udp({ ...toVip, srcIp: `192.0.2.${i + 1}` })),
          ethIpv4Icmp(toVip),
          ethIpv4Tcp(),
          ethArp(),
          ...everyTruncation(ethIpv4Tcp(toVip)),
        ],
      },
      // Slots without a backend pass.
      { config: { backend_count: 16 }, setup: fillBackends, packets: Array.from({ length: 16 }, (_, i) => ethIpv4Udp({ ...toVip, srcPort: 1000 + i })) },
    ],
  },
];

interface Run {
  retvals: number[];
  /** Output packets, hex. */
  packets: string[];
  maps: Record<string, [unknown, unknown][]>;
}

/** Loads `object` with the example's metadata, runs the packets, and reads every map back (sorted by key). */
function runScenario(built: BuiltSystem, object: string, baseline: Baseline, scenario: Scenario): Run {
  using system = load({ metadata: built.metadata, object }, { config: scenario.config });
  scenario.setup?.(system.maps as Record<string, MapHandle>);
  const runs = scenario.packets.map((packet) => system.programs[baseline.program]!.testRun(packet));
  const retvals = runs.map((run) => run.retval);
  const packets = runs.map((run) => run.dataOut.toString('hex'));
  const maps: Run['maps'] = {};
  for (const [name, handle] of Object.entries(system.maps)) {
    const normalize = baseline.normalize?.[name] ?? ((value: unknown) => value);
    const entries = [...(handle as MapHandle).entries()].map(([key, value]) => [key, normalize(value)] as [unknown, unknown]);
    maps[name] = entries.sort(([a], [b]) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
  }
  return { retvals, packets, maps };
}

describeKernel('hand-written baselines (test/bench/hand/) behave exactly like the generated programs', () => {
  const generated: Record<string, BuiltSystem> = {};
  const handObjects: Record<string, string> = {};
  beforeAll(async () => {
    for (const { example } of BASELINES) {
      const built = await buildExample(example);
      generated[example] = built;
      // In the build directory, so cleanup() removes it too.
      handObjects[example] = join(built.dir, `${example}.hand.o`);
      await buildBpfObject(join(REPO_ROOT, 'test/bench/hand', `${example}.bpf.c`), handObjects[example]!, { cflags: ['-Werror'] });
    }
  });
  afterAll(async () => {
    for (const built of Object.values(generated)) await built.cleanup();
  });

  for (const baseline of BASELINES) {
    it(`test/bench/hand/${baseline.example}.bpf.c: same verdicts and map contents as examples/${baseline.example}.ks`, async () => {
      // The hand-written file names the same maps, program and config symbols as the generated one.
      const handSource = await readFile(join(REPO_ROOT, 'test/bench/hand', `${baseline.example}.bpf.c`), 'utf8');
      expect(handSource).toContain(`int ${baseline.program}(`);
      for (const scenario of baseline.scenarios) {
        const fromGenerated = runScenario(generated[baseline.example]!, generated[baseline.example]!.object, baseline, scenario);
        const fromHand = runScenario(generated[baseline.example]!, handObjects[baseline.example]!, baseline, scenario);
        expect(fromHand).toEqual(fromGenerated);
        // Guard against a vacuous comparison: the scenario touched some map.
        expect(Object.values(fromGenerated.maps).some((entries) => entries.length > 0)).toBe(true);
      }
    });
  }
});
