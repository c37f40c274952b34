// Packets the packet-rewriting examples take and give (LANGUAGE.md §12),
// built and checked here independently of the compiler: every checksum comes
// from internetChecksum (RFC 1071, computed over the bytes), never from the
// generated C.
import { ETH_HLEN, ETH_P_IP, ethernetFrame, internetChecksum, ipv4Bytes, ipv4Packet, IPPROTO_TCP, IPPROTO_UDP, type Ipv4Options } from './kernel.js';

export const IPPROTO_ICMP = 1;
export const IPPROTO_IPIP = 4;
export const ETH_P_8021Q = 0x8100;
export const ICMP_ECHO = 8;
export const ICMP_ECHOREPLY = 0;
export const XDP = { ABORTED: 0, DROP: 1, PASS: 2, TX: 3, REDIRECT: 4 } as const;

export interface IcmpOptions extends Ipv4Options {
  type?: number;
  code?: number;
  id?: number;
  sequence?: number;
  payload?: Buffer;
}

/** Ethernet + IPv4 + ICMP (an echo request by default), with valid checksums. */
export function ethIpv4Icmp(options: IcmpOptions = {}): Buffer {
  const payload = options.payload ?? Buffer.from('kernelscript echo');
  const icmp = Buffer.alloc(8);
  icmp[0] = options.type ?? ICMP_ECHO;
  icmp[1] = options.code ?? 0;
  icmp.writeUInt16BE(options.id ?? 0x1234, 4);
  icmp.writeUInt16BE(options.sequence ?? 1, 6);
  const message = Buffer.concat([icmp, payload]);
  message.writeUInt16BE(internetChecksum(message), 2);
  return ethernetFrame(options, ETH_P_IP, ipv4Packet(options, IPPROTO_ICMP, message));
}

/** `frame` with an 802.1Q tag (TPID 0x8100, VLAN `vid`, priority 0) after its MAC addresses. */
export function withVlanTag(frame: Buffer, vid: number): Buffer {
  const tag = Buffer.alloc(4);
  tag.writeUInt16BE(ETH_P_8021Q, 0);
  tag.writeUInt16BE(vid & 0x0fff, 2);
  return Buffer.concat([frame.subarray(0, 12), tag, frame.subarray(12)]);
}

/** `frame` without the 4 bytes of an 802.1Q tag after its MAC addresses. */
export function withoutVlanTag(frame: Buffer): Buffer {
  return Buffer.concat([frame.subarray(0, 12), frame.subarray(16)]);
}

/** Whether the IPv4 header at `offset` sums to zero with its checksum (RFC 1071 verification). */
export function ipv4HeaderChecksumValid(packet: Buffer, offset = ETH_HLEN): boolean {
  const length = (packet[offset]! & 0x0f) * 4;
  return internetChecksum(packet.subarray(offset, offset + length)) === 0;
}

/** Whether the ICMP message of the IPv4 packet at `offset` (up to the IP total length) has a valid checksum. */
export function icmpChecksumValid(packet: Buffer, offset = ETH_HLEN): boolean {
  const headerLength = (packet[offset]! & 0x0f) * 4;
  const total = packet.readUInt16BE(offset + 2);
  return internetChecksum(packet.subarray(offset + headerLength, offset + total)) === 0;
}

/** Whether the TCP or UDP segment of the IPv4 packet at `offset` has a valid checksum over its pseudo-header (a UDP 0 means none). */
export function l4ChecksumValid(packet: Buffer, offset = ETH_HLEN): boolean {
  const headerLength = (packet[offset]! & 0x0f) * 4;
  const protocol = packet[offset + 9]!;
  const segment = packet.subarray(offset + headerLength, offset + packet.readUInt16BE(offset + 2));
  if (protocol === IPPROTO_UDP && segment.readUInt16BE(6) === 0) return true;
  if (protocol !== IPPROTO_UDP && protocol !== IPPROTO_TCP) throw new Error(`protocol ${protocol} has no pseudo-header checksum`);
  const pseudo = Buffer.alloc(12);
  packet.copy(pseudo, 0, offset + 12, offset + 20);
  pseudo[9] = protocol;
  pseudo.writeUInt16BE(segment.length, 10);
  return internetChecksum(Buffer.concat([pseudo, segment])) === 0;
}

/** The IPv4 header checksum of `header` computed afresh (its checksum field taken as zero). */
export function ipv4HeaderChecksum(header: Buffer): number {
  const copy = Buffer.from(header);
  copy.writeUInt16BE(0, 10);
  return internetChecksum(copy);
}

/** `frame` (Ethernet + IPv4 + UDP) with its UDP checksum computed over the pseudo-header (a computed 0 sent as 0xffff). */
export function withUdpChecksum(frame: Buffer, offset = ETH_HLEN): Buffer {
  const packet = Buffer.from(frame);
  const headerLength = (packet[offset]! & 0x0f) * 4;
  const start = offset + headerLength;
  const segment = packet.subarray(start, offset + packet.readUInt16BE(offset + 2));
  segment.writeUInt16BE(0, 6);
  const pseudo = Buffer.alloc(12);
  packet.copy(pseudo, 0, offset + 12, offset + 20);
  pseudo[9] = IPPROTO_UDP;
  pseudo.writeUInt16BE(segment.length, 10);
  segment.writeUInt16BE(internetChecksum(Buffer.concat([pseudo, segment])) || 0xffff, 6);
  return packet;
}

/** An IPv4 address as the u32 a program reads from a header on these little-endian hosts (network order bytes). */
export function rawIpv4(address: string): number {
  return ipv4Bytes(address).readUInt32LE(0);
}
