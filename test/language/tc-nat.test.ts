// examples/tc_nat.ks in the kernel (BPF_PROG_TEST_RUN of a tc program with
// its __sk_buff passed in and out): each translated packet is compared byte
// for byte with the packet built here for the backend's address and port,
// whose IPv4 and TCP/UDP checksums the builders compute over the bytes.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { load, type MapHandle } from '../../packages/runtime/src/index.js';
import { buildExample, type BuiltSystem } from '../helpers/build.js';
import { describeKernel, ethArp, ethIpv4Tcp, ethIpv4Udp, ethIpv6, ETH_HLEN, truncated } from '../helpers/kernel.js';
import { ethIpv4Icmp, ipv4HeaderChecksumValid, l4ChecksumValid, rawIpv4, withUdpChecksum } from '../helpers/packets.js';

const TC_ACT_OK = 0;
const NAT_MARK = 0x4e4154;
/** sizeof(struct __sk_buff) and offsetof(mark) on the kernels we test on. */
const SKB_SIZE = 192;
const MARK_OFFSET = 8;
/** A port as the u16 a program reads from a header (network order bytes, little-endian load). */
const rawPort = (port: number) => ((port & 0xff) << 8) | (port >> 8);

const RULES = [
  { public: { addr: '203.0.113.10', port: 80, protocol: 6 }, backend: { addr: '10.10.0.5', port: 8080 } },
  { public: { addr: '203.0.113.10', port: 53, protocol: 17 }, backend: { addr: '10.10.0.6', port: 5353 } },
  { public: { addr: '203.0.113.11', port: 443, protocol: 6 }, backend: { addr: '10.10.0.7', port: 443 } },
];

describeKernel('examples/tc_nat.ks (destination NAT in tc, incremental checksums)', () => {
  let built: BuiltSystem;
  beforeAll(async () => {
    built = await buildExample('tc_nat');
  });
  afterAll(() => built?.cleanup());

  function system() {
    const loaded = load({ metadata: built.metadata, object: built.object });
    const table = loaded.maps.nat_table as MapHandle<{ addr: number; port: number; protocol: number }, { addr: number; port: number }>;
    for (const rule of RULES) {
      table.set({ addr: rawIpv4(rule.public.addr), port: rawPort(rule.public.port), protocol: rule.public.protocol }, { addr: rawIpv4(rule.backend.addr), port: rawPort(rule.backend.port) });
    }
    return loaded;
  }
  const run = (loaded: ReturnType<typeof system>, packet: Buffer) => {
    const result = loaded.programs.dnat!.testRun(packet, { ctx: Buffer.alloc(SKB_SIZE) });
    return { retval: result.retval, out: result.dataOut.toString('hex'), mark: result.ctxOut!.readUInt32LE(MARK_OFFSET) };
  };

  it('translates TCP and UDP to their backend with checksums that verify, and marks them', () => {
    using loaded = system();
    for (let i = 0; i < 60; i++) {
      const rule = RULES[i % RULES.length]!;
      const bytes = randomBytes(4);
      const client = { srcIp: `198.51.100.${bytes[0]}`, srcPort: bytes.readUInt16BE(1) | 1024, payload: randomBytes(bytes[3]! % 48) };
      const make = (addr: string, port: number) =>
        rule.public.protocol === 6 ? ethIpv4Tcp({ ...client, dstIp: addr, dstPort: port, seq: i }) : withUdpChecksum(ethIpv4Udp({ ...client, dstIp: addr, dstPort: port }));
      const result = run(loaded, make(rule.public.addr, rule.public.port));
      const expected = make(rule.backend.addr, rule.backend.port);
      expect(result).toEqual({ retval: TC_ACT_OK, out: expected.toString('hex'), mark: NAT_MARK });
      const out = Buffer.from(result.out, 'hex');
      expect(ipv4HeaderChecksumValid(out) && l4ChecksumValid(out)).toBe(true);
    }
    const translated = loaded.maps.translated as MapHandle<number, bigint>;
    expect([translated.get(0), translated.get(1)]).toEqual([40n, 20n]);
  });

  it('keeps a UDP checksum of 0 (none) as it is', () => {
    using loaded = system();
    const result = run(loaded, ethIpv4Udp({ dstIp: '203.0.113.10', dstPort: 53 }));
    expect(result).toEqual({ retval: TC_ACT_OK, out: ethIpv4Udp({ dstIp: '10.10.0.6', dstPort: 5353 }).toString('hex'), mark: NAT_MARK });
  });

  it('leaves everything without a rule untouched and unmarked', () => {
    using loaded = system();
    const untouched = [
      ethIpv4Tcp({ dstIp: '203.0.113.10', dstPort: 81 }),
      ethIpv4Udp({ dstIp: '203.0.113.10', dstPort: 80 }), // a TCP rule's port, over UDP
      ethIpv4Tcp({ dstIp: '203.0.113.12', dstPort: 80 }),
      ethIpv4Icmp({ dstIp: '203.0.113.10' }),
      ethArp(),
      ethIpv6({ dstPort: 80 }),
    ];
    for (const packet of untouched) expect(run(loaded, packet)).toEqual({ retval: TC_ACT_OK, out: packet.toString('hex'), mark: 0 });
  });

  it('handles every truncation point the kernel runs: nothing changes until the transport header is complete', () => {
    using loaded = system();
    const packet = ethIpv4Tcp({ dstIp: '203.0.113.10', dstPort: 80 });
    const expected = ethIpv4Tcp({ dstIp: '10.10.0.5', dstPort: 8080 });
    const l4End = ETH_HLEN + 20 + 20;
    // BPF_PROG_TEST_RUN refuses an skb whose IPv4 frame is shorter than its IPv4 header (EINVAL): start there.
    expect(() => run(loaded, truncated(packet, ETH_HLEN + 19))).toThrow(/EINVAL/);
    for (let length = ETH_HLEN + 20; length < packet.length; length++) {
      const result = run(loaded, truncated(packet, length));
      const complete = length >= l4End;
      expect({ length, ...result }).toEqual({ length, retval: TC_ACT_OK, out: truncated(complete ? expected : packet, length).toString('hex'), mark: complete ? NAT_MARK : 0 });
    }
  });
});
