// Built-in packet header types (LANGUAGE.md §5): kernel UAPI structs with the
// kernel's field names and offsets. Bit-fields (ihl, version, doff, syn...) are
// listed as u8 at the byte that holds them; C reads them through the real struct.
import { INT_TYPES, type StructType, type Type } from '../phases/2-symbols/types.js';

const { u8, u16, u32 } = INT_TYPES;
const bytes = (length: number): Type => ({ kind: 'array', element: u8, length });

function header(name: string, cName: string, size: number, fields: [string, Type, number][]): StructType {
  return {
    kind: 'struct',
    name,
    cName,
    size,
    align: Math.max(...fields.map(([, type]) => (type.kind === 'int' ? type.size : 1))),
    fields: fields.map(([fieldName, type, offset]) => ({ name: fieldName, type, offset })),
  };
}

export const BUILTIN_STRUCTS: Record<string, StructType> = {
  EthHdr: { ...header('EthHdr', 'struct ethhdr', 14, [['h_dest', bytes(6), 0], ['h_source', bytes(6), 6], ['h_proto', u16, 12]]), align: 1 },
  Ipv4Hdr: header('Ipv4Hdr', 'struct iphdr', 20, [
    ['ihl', u8, 0], ['version', u8, 0], ['tos', u8, 1], ['tot_len', u16, 2], ['id', u16, 4], ['frag_off', u16, 6],
    ['ttl', u8, 8], ['protocol', u8, 9], ['check', u16, 10], ['saddr', u32, 12], ['daddr', u32, 16],
  ]),
  Ipv6Hdr: header('Ipv6Hdr', 'struct ipv6hdr', 40, [
    ['priority', u8, 0], ['version', u8, 0], ['flow_lbl', bytes(3), 1], ['payload_len', u16, 4], ['nexthdr', u8, 6],
    ['hop_limit', u8, 7], ['saddr', bytes(16), 8], ['daddr', bytes(16), 24],
  ]),
  TcpHdr: header('TcpHdr', 'struct tcphdr', 20, [
    ['source', u16, 0], ['dest', u16, 2], ['seq', u32, 4], ['ack_seq', u32, 8], ['doff', u8, 12], ['fin', u8, 13],
    ['syn', u8, 13], ['rst', u8, 13], ['psh', u8, 13], ['ack', u8, 13], ['urg', u8, 13], ['window', u16, 14],
    ['check', u16, 16], ['urg_ptr', u16, 18],
  ]),
  UdpHdr: header('UdpHdr', 'struct udphdr', 8, [['source', u16, 0], ['dest', u16, 2], ['len', u16, 4], ['check', u16, 6]]),
  IcmpHdr: header('IcmpHdr', 'struct icmphdr', 8, [['type', u8, 0], ['code', u8, 1], ['checksum', u16, 2]]),
};

/** Protocol constants from the kernel UAPI, usable in every program. */
export const PROTOCOL_CONSTANTS: Record<string, { value: number; type: 'u16' | 'u8' }> = {
  ETH_P_IP: { value: 0x0800, type: 'u16' },
  ETH_P_IPV6: { value: 0x86dd, type: 'u16' },
  ETH_P_ARP: { value: 0x0806, type: 'u16' },
  IPPROTO_ICMP: { value: 1, type: 'u8' },
  IPPROTO_TCP: { value: 6, type: 'u8' },
  IPPROTO_UDP: { value: 17, type: 'u8' },
  IPPROTO_ICMPV6: { value: 58, type: 'u8' },
};

/**
 * C definitions for built-in headers whose UAPI header cannot be included
 * under `clang -target bpf`: <linux/icmp.h> pulls in glibc headers. Emitted
 * only when a program uses the type; layout and names as in the kernel.
 */
export const HEADER_C_DEFINITIONS: Partial<Record<string, string>> = {
  'struct icmphdr': [
    '/* struct icmphdr as in <linux/icmp.h>, which cannot be included with -target bpf. */',
    'struct icmphdr {',
    '    __u8 type;',
    '    __u8 code;',
    '    __sum16 checksum;',
    '    union {',
    '        struct {',
    '            __be16 id;',
    '            __be16 sequence;',
    '        } echo;',
    '        __be32 gateway;',
    '        struct {',
    '            __be16 __unused;',
    '            __be16 mtu;',
    '        } frag;',
    '        __u8 reserved[4];',
    '    } un;',
    '};',
  ].join('\n'),
};
