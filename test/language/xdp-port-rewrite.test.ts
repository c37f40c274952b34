// examples/xdp_port_rewrite.ks in the kernel (BPF_PROG_TEST_RUN): each
// output frame is compared byte for byte with the frame built here with the
// new port (checksums computed afresh over the bytes), with its 802.1Q tag
// removed or added; truncated frames, a failed bpf_xdp_adjust_head (a tag cut
// short) and other protocols included.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { load, type MapHandle } from '../../packages/runtime/src/index.js';
import { buildExample, type BuiltSystem } from '../helpers/build.js';
import { describeKernel, ethArp, ethIpv4Tcp, ethIpv4Udp, ethIpv6, ETH_HLEN, internetChecksum, truncated } from '../helpers/kernel.js';
import { l4ChecksumValid, withoutVlanTag, withUdpChecksum, withVlanTag, XDP } from '../helpers/packets.js';

const Counter = { Rewritten: 0, TagRemoved: 1, TagAdded: 2, Malformed: 3 };
const udp = (dstPort: number, payload = Buffer.from('ports')) => withUdpChecksum(ethIpv4Udp({ srcPort: 40000, dstPort, payload }));
const tcp = (dstPort: number) => ethIpv4Tcp({ srcPort: 40001, dstPort });
/** Where a frame's transport header ends (Ethernet, 20-byte IPv4, and the UDP or TCP header). */
const l4End = (frame: Buffer) => ETH_HLEN + 20 + (frame[ETH_HLEN + 9] === 6 ? 20 : 8);

describeKernel('examples/xdp_port_rewrite.ks (ports, incremental checksums, VLAN pop and push)', () => {
  let built: BuiltSystem;
  beforeAll(async () => {
    built = await buildExample('xdp_port_rewrite');
  });
  afterAll(() => built?.cleanup());

  function system(config: { egress_vlan?: number } = {}) {
    const loaded = load({ metadata: built.metadata, object: built.object }, { config });
    const ports = loaded.maps.port_map as MapHandle<number, number>;
    ports.set(80, 8080);
    ports.set(53, 5353);
    return loaded;
  }
  const counters = (loaded: ReturnType<typeof system>) => {
    const handle = loaded.maps.counters as MapHandle<number, bigint>;
    return Object.values(Counter).map((slot) => handle.get(slot));
  };

  it('rewrites UDP and TCP destination ports with checksums that verify', () => {
    using loaded = system();
    const cases: [Buffer, Buffer][] = [
      [udp(80), udp(8080)],
      [udp(53), udp(5353)],
      [tcp(80), tcp(8080)],
      // UDP without a checksum (0) keeps none.
      [ethIpv4Udp({ dstPort: 53 }), ethIpv4Udp({ dstPort: 5353 })],
    ];
    for (const [input, expected] of cases) {
      const run = loaded.programs.rewrite_ports!.testRun(input);
      expect(run.retval).toBe(XDP.PASS);
      expect(run.dataOut.toString('hex')).toBe(expected.toString('hex'));
      expect(l4ChecksumValid(run.dataOut)).toBe(true);
    }
    expect(counters(loaded)).toEqual([4n, 0n, 0n, 0n]);
  });

  it('sends a UDP checksum that comes out as 0 as 0xffff', () => {
    using loaded = system();
    // Two payload bytes chosen so that the rewritten datagram sums to 0xffff: its checksum computes to 0.
    const zeroed = withUdpChecksum(ethIpv4Udp({ srcPort: 40000, dstPort: 8080, payload: Buffer.alloc(2) }));
    zeroed.writeUInt16BE(0, ETH_HLEN + 20 + 6);
    const pseudo = Buffer.alloc(12);
    zeroed.copy(pseudo, 0, ETH_HLEN + 12, ETH_HLEN + 20);
    pseudo[9] = 17;
    pseudo.writeUInt16BE(10, 10);
    const filler = internetChecksum(Buffer.concat([pseudo, zeroed.subarray(ETH_HLEN + 20, ETH_HLEN + 30)]));
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(filler);
    const expected = withUdpChecksum(ethIpv4Udp({ srcPort: 40000, dstPort: 8080, payload }));
    expect(expected.readUInt16BE(ETH_HLEN + 20 + 6)).toBe(0xffff);
    const run = loaded.programs.rewrite_ports!.testRun(withUdpChecksum(ethIpv4Udp({ srcPort: 40000, dstPort: 80, payload })));
    expect(run.dataOut.toString('hex')).toBe(expected.toString('hex'));
  });

  it('leaves other ports and protocols alone', () => {
    using loaded = system();
    for (const packet of [udp(81), tcp(443), ethArp(), ethIpv6({ dstPort: 80 })]) {
      const run = loaded.programs.rewrite_ports!.testRun(packet);
      expect(run.retval).toBe(XDP.PASS);
      expect(run.dataOut.toString('hex')).toBe(packet.toString('hex'));
    }
    expect(counters(loaded)).toEqual([0n, 0n, 0n, 0n]);
  });

  it('removes an 802.1Q tag, and with egress_vlan tags every frame it passes', () => {
    {
      using loaded = system();
      const run = loaded.programs.rewrite_ports!.testRun(withVlanTag(udp(80), 100));
      expect(run.retval).toBe(XDP.PASS);
      expect(run.dataOut.toString('hex')).toBe(udp(8080).toString('hex'));
      expect(counters(loaded)).toEqual([1n, 1n, 0n, 0n]);
    }
    {
      using loaded = system({ egress_vlan: 200 });
      const cases: [Buffer, Buffer][] = [
        [udp(80), withVlanTag(udp(8080), 200)],
        [withVlanTag(tcp(80), 100), withVlanTag(tcp(8080), 200)],
        [ethArp(), withVlanTag(ethArp(), 200)],
      ];
      for (const [input, expected] of cases) {
        const run = loaded.programs.rewrite_ports!.testRun(input);
        expect(run.retval).toBe(XDP.PASS);
        expect(run.dataOut.toString('hex')).toBe(expected.toString('hex'));
      }
      expect(counters(loaded)).toEqual([2n, 1n, 3n, 0n]);
    }
  });

  it('handles every truncation point of untagged and tagged frames; a tag cut short fails bpf_xdp_adjust_head and drops', () => {
    using loaded = system();
    for (const original of [udp(80), tcp(80)]) {
      const rewritten = original[ETH_HLEN + 9] === 6 ? tcp(8080) : udp(8080);
      for (let length = ETH_HLEN; length < original.length; length++) {
        const run = loaded.programs.rewrite_ports!.testRun(truncated(original, length));
        const expected = length >= l4End(original) ? truncated(rewritten, length) : truncated(original, length);
        expect({ length, retval: run.retval, out: run.dataOut.toString('hex') }).toEqual({ length, retval: XDP.PASS, out: expected.toString('hex') });
      }
      const tagged = withVlanTag(original, 100);
      for (let length = ETH_HLEN; length < tagged.length; length++) {
        const run = loaded.programs.rewrite_ports!.testRun(truncated(tagged, length));
        if (length < ETH_HLEN + 4) {
          // bpf_xdp_adjust_head(ctx, 4) would leave less than an Ethernet header: it fails.
          expect({ length, retval: run.retval }).toEqual({ length, retval: XDP.DROP });
          continue;
        }
        const untagged = length - 4;
        const expected = untagged >= l4End(original) ? truncated(rewritten, untagged) : truncated(withoutVlanTag(tagged), untagged);
        expect({ length, retval: run.retval, out: run.dataOut.toString('hex') }).toEqual({ length, retval: XDP.PASS, out: expected.toString('hex') });
      }
    }
    const [rewritten, removed, added, malformed] = counters(loaded);
    expect({ removed, added, malformed }).toEqual({ removed: BigInt(2 * (60 - 18 + 4)), added: 0n, malformed: 8n });
    expect(rewritten).toBeGreaterThan(0n);
  });
});
