// examples/xdp_icmp_echo.ks in the kernel (BPF_PROG_TEST_RUN): the packet it
// sends back is compared byte for byte with an echo reply built here from
// scratch, whose checksums are computed over the bytes (internetChecksum),
// not by the generated C's incremental update or header checksum.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { load, type MapHandle } from '../../packages/runtime/src/index.js';
import { buildExample, type BuiltSystem } from '../helpers/build.js';
import { describeKernel, ethArp, ethIpv4Tcp, ethIpv4Udp, ethIpv6, ETH_HLEN, internetChecksum, truncated } from '../helpers/kernel.js';
import { ethIpv4Icmp, ICMP_ECHOREPLY, icmpChecksumValid, ipv4HeaderChecksumValid, XDP, type IcmpOptions } from '../helpers/packets.js';

const REQUEST: IcmpOptions = { srcMac: '02:00:00:00:00:0a', dstMac: '02:00:00:00:00:0b', srcIp: '192.0.2.10', dstIp: '192.0.2.1', ttl: 17, id: 0x4242, sequence: 7 };

/** The reply to `request` as the example should write it: addresses swapped, TTL 64, type 0, checksums computed afresh. */
function expectedReply(request: IcmpOptions): Buffer {
  return ethIpv4Icmp({ ...request, srcMac: request.dstMac, dstMac: request.srcMac, srcIp: request.dstIp, dstIp: request.srcIp, ttl: 64, type: ICMP_ECHOREPLY });
}

/** An echo request whose IPv4 header carries `options` (a multiple of 4 bytes), with valid checksums. */
function requestWithOptions(options: Buffer): Buffer {
  const plain = ethIpv4Icmp(REQUEST);
  const header = Buffer.from(plain.subarray(ETH_HLEN, ETH_HLEN + 20));
  header[0] = 0x40 | ((20 + options.length) / 4);
  const message = plain.subarray(ETH_HLEN + 20, ETH_HLEN + header.readUInt16BE(2));
  header.writeUInt16BE(20 + options.length + message.length, 2);
  const withOptions = Buffer.concat([header, options]);
  withOptions.writeUInt16BE(0, 10);
  withOptions.writeUInt16BE(internetChecksum(withOptions), 10);
  return Buffer.concat([plain.subarray(0, ETH_HLEN), withOptions, message]);
}

describeKernel('examples/xdp_icmp_echo.ks (XDP_TX echo replies, byte for byte)', () => {
  let built: BuiltSystem;
  beforeAll(async () => {
    built = await buildExample('xdp_icmp_echo');
  });
  afterAll(() => built?.cleanup());

  it('answers an echo request with the reply built independently, and counts it', () => {
    using system = load({ metadata: built.metadata, object: built.object });
    const run = system.programs.icmp_echo!.testRun(ethIpv4Icmp(REQUEST));
    expect(run.retval).toBe(XDP.TX);
    expect(run.dataOut.toString('hex')).toBe(expectedReply(REQUEST).toString('hex'));
    expect(ipv4HeaderChecksumValid(run.dataOut)).toBe(true);
    expect(icmpChecksumValid(run.dataOut)).toBe(true);
    expect((system.maps.echo_stats as MapHandle<number, bigint>).get(0)).toBe(1n);
  });

  it('keeps both checksums right for random addresses, identifiers, TTLs and payloads', () => {
    using system = load({ metadata: built.metadata, object: built.object });
    for (let i = 0; i < 200; i++) {
      const bytes = randomBytes(16);
      const request: IcmpOptions = {
        ...REQUEST,
        srcIp: [...bytes.subarray(0, 4)].join('.'),
        dstIp: [...bytes.subarray(4, 8)].join('.'),
        ttl: bytes[8]!,
        id: bytes.readUInt16BE(9),
        sequence: bytes.readUInt16BE(11),
        payload: randomBytes(bytes[13]! % 64),
      };
      const run = system.programs.icmp_echo!.testRun(ethIpv4Icmp(request));
      expect(run.retval).toBe(XDP.TX);
      expect(run.dataOut.toString('hex')).toBe(expectedReply(request).toString('hex'));
    }
  });

  it('sums the IPv4 options into the new header checksum', () => {
    using system = load({ metadata: built.metadata, object: built.object });
    const options = Buffer.from([0x94, 0x04, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00]); // router alert, NOP, NOP, NOP, end
    const request = requestWithOptions(options);
    const run = system.programs.icmp_echo!.testRun(request);
    expect(run.retval).toBe(XDP.TX);
    expect(ipv4HeaderChecksumValid(run.dataOut)).toBe(true);
    expect(icmpChecksumValid(run.dataOut)).toBe(true);
    // Same bytes as the plain reply, options kept, header fields rewritten.
    const expected = Buffer.from(request);
    expectedReply(REQUEST).copy(expected, 0, 0, 12);
    expected[ETH_HLEN + 8] = 64;
    expected.set(request.subarray(ETH_HLEN + 16, ETH_HLEN + 20), ETH_HLEN + 12);
    expected.set(request.subarray(ETH_HLEN + 12, ETH_HLEN + 16), ETH_HLEN + 16);
    expected[ETH_HLEN + 28] = ICMP_ECHOREPLY;
    expected.writeUInt16BE(0, ETH_HLEN + 10);
    expected.writeUInt16BE(internetChecksum(expected.subarray(ETH_HLEN, ETH_HLEN + 28)), ETH_HLEN + 10);
    const icmpStart = ETH_HLEN + 28;
    const icmpEnd = ETH_HLEN + expected.readUInt16BE(ETH_HLEN + 2);
    expected.writeUInt16BE(0, icmpStart + 2);
    expected.writeUInt16BE(internetChecksum(expected.subarray(icmpStart, icmpEnd)), icmpStart + 2);
    expect(run.dataOut.toString('hex')).toBe(expected.toString('hex'));
  });

  it('passes every truncated request unchanged until its ICMP header is complete', () => {
    using system = load({ metadata: built.metadata, object: built.object });
    const request = ethIpv4Icmp(REQUEST);
    const reply = expectedReply(REQUEST);
    const icmpHeaderEnd = ETH_HLEN + 20 + 8;
    // BPF_PROG_TEST_RUN takes no XDP frame shorter than an Ethernet header.
    for (let length = ETH_HLEN; length < request.length; length++) {
      const run = system.programs.icmp_echo!.testRun(truncated(request, length));
      if (length < icmpHeaderEnd) {
        expect({ length, retval: run.retval }).toEqual({ length, retval: XDP.PASS });
        expect(run.dataOut.toString('hex')).toBe(truncated(request, length).toString('hex'));
      } else {
        // The headers are all there: it answers (only the bytes it has).
        expect({ length, retval: run.retval }).toEqual({ length, retval: XDP.TX });
        expect(run.dataOut.toString('hex')).toBe(truncated(reply, length).toString('hex'));
      }
    }
    const stats = system.maps.echo_stats as MapHandle<number, bigint>;
    expect(stats.get(1)).toBe(BigInt(8)); // lengths 34..41: the IPv4 header but not the ICMP one
    expect(stats.get(0)).toBe(BigInt(request.length - icmpHeaderEnd));
  });

  it('passes other protocols, echo replies and other ICMP messages untouched', () => {
    using system = load({ metadata: built.metadata, object: built.object });
    const others = [ethIpv4Udp(), ethIpv4Tcp(), ethArp(), ethIpv6(), ethIpv4Icmp({ ...REQUEST, type: ICMP_ECHOREPLY }), ethIpv4Icmp({ ...REQUEST, type: 3, code: 1 }), ethIpv4Icmp({ ...REQUEST, code: 1 })];
    for (const packet of others) {
      const run = system.programs.icmp_echo!.testRun(packet);
      expect(run.retval).toBe(XDP.PASS);
      expect(run.dataOut.toString('hex')).toBe(packet.toString('hex'));
    }
    expect((system.maps.echo_stats as MapHandle<number, bigint>).get(0)).toBe(0n);
  });
});
