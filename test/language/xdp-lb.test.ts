// examples/xdp_lb.ks in the kernel (BPF_PROG_TEST_RUN): the backend of each
// flow is predicted here with an FNV-1a of the 5-tuple written in JS, and the
// encapsulated frame it transmits is compared byte for byte with one built
// here (outer IPv4 header and its checksum from the test's own builder).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { load, type MapHandle } from '../../packages/runtime/src/index.js';
import { buildExample, type BuiltSystem } from '../helpers/build.js';
import { describeKernel, ethArp, ethIpv4Tcp, ethIpv4Udp, ETH_HLEN, ipv4Packet, macBytes, truncated } from '../helpers/kernel.js';
import { ethIpv4Icmp, IPPROTO_IPIP, ipv4HeaderChecksumValid, rawIpv4, XDP } from '../helpers/packets.js';

const VIP = '10.0.0.254';
const BALANCER = '10.0.0.1';
const BACKENDS = [
  { addr: '10.1.0.1', mac: '02:00:00:00:01:01' },
  { addr: '10.1.0.2', mac: '02:00:00:00:01:02' },
  { addr: '10.1.0.3', mac: '02:00:00:00:01:03' },
];
const LB_MAC = '02:00:00:00:00:fe';

/** FNV-1a over the words the example hashes, as they are read from the packet (little-endian loads). */
function flowHash(frame: Buffer): number {
  const saddr = frame.readUInt32LE(ETH_HLEN + 12);
  const daddr = frame.readUInt32LE(ETH_HLEN + 16);
  const ports = ((frame.readUInt16LE(ETH_HLEN + 20) << 16) | frame.readUInt16LE(ETH_HLEN + 22)) >>> 0;
  let hash = 2166136261;
  for (const word of [saddr, daddr, ports, frame[ETH_HLEN + 9]!]) hash = Math.imul((hash ^ word) >>> 0, 16777619) >>> 0;
  return hash;
}

/** The frame the balancer should send for `frame` to backend `slot`: Ethernet to the backend, an outer IPv4 header, then the packet as it came. */
function encapsulated(frame: Buffer, slot: number): Buffer {
  const innerLength = frame.readUInt16BE(ETH_HLEN + 2);
  const inner = frame.subarray(ETH_HLEN, ETH_HLEN + innerLength);
  const outer = ipv4Packet({ srcIp: BALANCER, dstIp: BACKENDS[slot]!.addr, ttl: 64 }, IPPROTO_IPIP, inner);
  const eth = Buffer.alloc(ETH_HLEN);
  macBytes(BACKENDS[slot]!.mac).copy(eth, 0);
  frame.copy(eth, 6, 0, 6);
  eth.writeUInt16BE(0x0800, 12);
  // Ethernet padding after the inner packet stays where it was.
  return Buffer.concat([eth, outer, frame.subarray(ETH_HLEN + innerLength)]);
}

const toVip = { dstIp: VIP, dstMac: LB_MAC };

describeKernel('examples/xdp_lb.ks (5-tuple hash, IP-in-IP encapsulation, XDP_TX)', () => {
  let built: BuiltSystem;
  beforeAll(async () => {
    built = await buildExample('xdp_lb');
  });
  afterAll(() => built?.cleanup());

  function system(backendCount = BACKENDS.length) {
    const loaded = load({ metadata: built.metadata, object: built.object }, { config: { backend_count: backendCount } });
    const backends = loaded.maps.backends as MapHandle<number, { addr: number; mac: number[] }>;
    BACKENDS.forEach((backend, slot) => backends.set(slot, { addr: rawIpv4(backend.addr), mac: [...macBytes(backend.mac)] }));
    return loaded;
  }

  it('encapsulates each flow towards the backend its hash picks, with a valid outer checksum', () => {
    using loaded = system();
    const perSlot = [0, 0, 0];
    for (let i = 0; i < 120; i++) {
      const bytes = randomBytes(6);
      const options = { ...toVip, srcIp: `192.0.2.${bytes[0]}`, srcPort: bytes.readUInt16BE(1) | 1, dstPort: 80 + (bytes[3]! % 3), payload: randomBytes(bytes[4]! % 40) };
      const frame = i % 2 === 0 ? ethIpv4Tcp(options) : ethIpv4Udp(options);
      const slot = flowHash(frame) % BACKENDS.length;
      perSlot[slot]!++;
      const run = loaded.programs.balance!.testRun(frame);
      expect(run.retval).toBe(XDP.TX);
      expect(run.dataOut.toString('hex')).toBe(encapsulated(frame, slot).toString('hex'));
      expect(ipv4HeaderChecksumValid(run.dataOut)).toBe(true);
      // The same flow again: the same backend.
      expect(loaded.programs.balance!.testRun(frame).dataOut.toString('hex')).toBe(encapsulated(frame, slot).toString('hex'));
    }
    const forwarded = loaded.maps.forwarded as MapHandle<number, bigint>;
    expect(BACKENDS.map((_, slot) => forwarded.get(slot))).toEqual(perSlot.map((n) => BigInt(2 * n)));
    expect(perSlot.every((n) => n > 0)).toBe(true);
  });

  it('passes what is not TCP or UDP to the VIP, and what has no backend', () => {
    {
      using loaded = system();
      for (const frame of [ethIpv4Tcp({ dstIp: '10.0.0.253' }), ethIpv4Icmp(toVip), ethArp()]) {
        const run = loaded.programs.balance!.testRun(frame);
        expect(run.retval).toBe(XDP.PASS);
        expect(run.dataOut.toString('hex')).toBe(frame.toString('hex'));
      }
    }
    {
      using loaded = system(0);
      expect(loaded.programs.balance!.testRun(ethIpv4Tcp(toVip)).retval).toBe(XDP.PASS);
    }
    {
      // Slots beyond those filled have no address.
      using loaded = system(16);
      const frames = Array.from({ length: 40 }, (_, i) => ethIpv4Udp({ ...toVip, srcPort: 1000 + i }));
      for (const frame of frames) {
        const slot = flowHash(frame) % 16;
        const run = loaded.programs.balance!.testRun(frame);
        expect(run.retval).toBe(slot < BACKENDS.length ? XDP.TX : XDP.PASS);
      }
    }
  });

  it('handles every truncation point: passes without an IPv4 header, drops without a transport header', () => {
    using loaded = system();
    for (const frame of [ethIpv4Tcp({ ...toVip, srcPort: 4242 }), ethIpv4Udp({ ...toVip, srcPort: 4243 })]) {
      const l4End = ETH_HLEN + 20 + (frame[ETH_HLEN + 9] === 6 ? 20 : 8);
      const expected = encapsulated(frame, flowHash(frame) % BACKENDS.length);
      for (let length = ETH_HLEN; length < frame.length; length++) {
        const run = loaded.programs.balance!.testRun(truncated(frame, length));
        if (length < ETH_HLEN + 20) expect({ length, retval: run.retval }).toEqual({ length, retval: XDP.PASS });
        else if (length < l4End) expect({ length, retval: run.retval }).toEqual({ length, retval: XDP.DROP });
        else expect({ length, retval: run.retval, out: run.dataOut.toString('hex') }).toEqual({ length, retval: XDP.TX, out: truncated(expected, length + 20).toString('hex') });
      }
    }
  });
});
