// Runs the XDP program in the kernel on crafted packets (BPF_PROG_TEST_RUN):
// nothing is attached, no interface is touched. Loading needs root.
import { load } from '@kernelscript/runtime';
import { describe, expect, it } from 'vitest';
import counter from '../src/counter.ks';

const XDP_PASS = 2;

/** An Ethernet + IPv4 header with `protocol`, padded to `length` bytes. */
function ipv4Packet(protocol: number, length = 64): Uint8Array {
  const packet = new Uint8Array(length);
  packet.set([0x08, 0x00], 12); // EtherType IPv4
  packet[14] = 0x45; // version 4, 5-word header
  packet[14 + 9] = protocol;
  return packet;
}

describe.skipIf(process.getuid?.() !== 0)('count_packets', () => {
  it('counts packets and bytes per protocol and passes every packet', () => {
    using system = load(counter);
    const run = (packet: Uint8Array) => system.programs.count_packets.testRun(packet).retval;
    expect(run(ipv4Packet(17, 64))).toBe(XDP_PASS);
    expect(run(ipv4Packet(17, 100))).toBe(XDP_PASS);
    expect(run(ipv4Packet(6))).toBe(XDP_PASS);
    expect(system.maps.by_protocol.get(17)).toEqual({ packets: 2n, bytes: 164n });
    expect(system.maps.by_protocol.get(6)).toEqual({ packets: 1n, bytes: 64n });
  });

  it('ignores what is not IPv4', () => {
    using system = load(counter);
    const arp = new Uint8Array(60);
    arp.set([0x08, 0x06], 12);
    expect(system.programs.count_packets.testRun(arp).retval).toBe(XDP_PASS);
    expect([...system.maps.by_protocol.keys()]).toEqual([]);
  });
});
