// Built-in packet header types (LANGUAGE.md §5): kernel UAPI structs with the
// kernel's field names and offsets. Bit-fields (ihl, version, doff, syn...) are
// listed as u8 at the byte that holds them; C reads them through the real struct.
import type { IntName } from '../metadata.js';
import { INT_TYPES, type StructType, type Type } from '../phases/2-symbols/types.js';

const { u8, u16, u32 } = INT_TYPES;
const bytes = (length: number): Type => ({ kind: 'array', element: u8, length });

/** A field: name, type, offset, and its C place when C spells it as another type (see StructField.cPlace). */
type HeaderField = [string, Type, number, ((place: string) => string)?];

function header(name: string, cName: string, size: number, fields: HeaderField[]): StructType {
  return {
    kind: 'struct',
    name,
    cName,
    size,
    align: Math.max(...fields.map(([, type]) => (type.kind === 'int' ? type.size : 1))),
    fields: fields.map(([fieldName, type, offset, cPlace]) => (cPlace ? { name: fieldName, type, offset, cPlace } : { name: fieldName, type, offset })),
  };
}

/** IPv6 addresses are `[u8; 16]` in the language; C has a `struct in6_addr` (its bytes are `.in6_u.u6_addr8`). */
const in6Bytes = (place: string) => `${place}.in6_u.u6_addr8`;
/** struct bpf_fib_lookup keeps IPv6 addresses as `__u32[4]` in network order: the same 16 bytes. */
const u32x4Bytes = (place: string) => `((__u8 *)${place})`;

export const BUILTIN_STRUCTS: Record<string, StructType> = {
  EthHdr: { ...header('EthHdr', 'struct ethhdr', 14, [['h_dest', bytes(6), 0], ['h_source', bytes(6), 6], ['h_proto', u16, 12]]), align: 1 },
  Ipv4Hdr: header('Ipv4Hdr', 'struct iphdr', 20, [
    ['ihl', u8, 0], ['version', u8, 0], ['tos', u8, 1], ['tot_len', u16, 2], ['id', u16, 4], ['frag_off', u16, 6],
    ['ttl', u8, 8], ['protocol', u8, 9], ['check', u16, 10], ['saddr', u32, 12], ['daddr', u32, 16],
  ]),
  Ipv6Hdr: header('Ipv6Hdr', 'struct ipv6hdr', 40, [
    ['priority', u8, 0], ['version', u8, 0], ['flow_lbl', bytes(3), 1], ['payload_len', u16, 4], ['nexthdr', u8, 6],
    ['hop_limit', u8, 7], ['saddr', bytes(16), 8, in6Bytes], ['daddr', bytes(16), 24, in6Bytes],
  ]),
  TcpHdr: header('TcpHdr', 'struct tcphdr', 20, [
    ['source', u16, 0], ['dest', u16, 2], ['seq', u32, 4], ['ack_seq', u32, 8], ['doff', u8, 12], ['fin', u8, 13],
    ['syn', u8, 13], ['rst', u8, 13], ['psh', u8, 13], ['ack', u8, 13], ['urg', u8, 13], ['window', u16, 14],
    ['check', u16, 16], ['urg_ptr', u16, 18],
  ]),
  UdpHdr: header('UdpHdr', 'struct udphdr', 8, [['source', u16, 0], ['dest', u16, 2], ['len', u16, 4], ['check', u16, 6]]),
  IcmpHdr: header('IcmpHdr', 'struct icmphdr', 8, [['type', u8, 0], ['code', u8, 1], ['checksum', u16, 2]]),
  // LANGUAGE.md §12: the parameters and results of bpf_fib_lookup. Members of one C union share an offset.
  FibLookup: header('FibLookup', 'struct bpf_fib_lookup', 64, [
    ['family', u8, 0], ['l4_protocol', u8, 1], ['sport', u16, 2], ['dport', u16, 4], ['tot_len', u16, 6], ['mtu_result', u16, 6],
    ['ifindex', u32, 8], ['tos', u8, 12], ['flowinfo', u32, 12], ['rt_metric', u32, 12],
    ['ipv4_src', u32, 16], ['ipv6_src', bytes(16), 16, u32x4Bytes], ['ipv4_dst', u32, 32], ['ipv6_dst', bytes(16), 32, u32x4Bytes],
    ['h_vlan_proto', u16, 48], ['h_vlan_TCI', u16, 50], ['tbid', u32, 48], ['smac', bytes(6), 52], ['dmac', bytes(6), 58],
  ]),
};

/**
 * Constants of the kernel UAPI, usable in every program: protocol numbers,
 * and the flags and results of the helpers of LANGUAGE.md §12. Those that
 * the headers the generated C includes define appear in C by name; `literal`
 * ones (defined only in headers that cannot be included with -target bpf) as
 * their value.
 */
export const PROTOCOL_CONSTANTS: Record<string, { value: number; type: IntName; literal?: true }> = {
  ETH_P_IP: { value: 0x0800, type: 'u16' },
  ETH_P_IPV6: { value: 0x86dd, type: 'u16' },
  ETH_P_ARP: { value: 0x0806, type: 'u16' },
  ETH_P_8021Q: { value: 0x8100, type: 'u16' },
  ETH_P_8021AD: { value: 0x88a8, type: 'u16' },
  IPPROTO_ICMP: { value: 1, type: 'u8' },
  IPPROTO_IPIP: { value: 4, type: 'u8' },
  IPPROTO_TCP: { value: 6, type: 'u8' },
  IPPROTO_UDP: { value: 17, type: 'u8' },
  IPPROTO_GRE: { value: 47, type: 'u8' },
  IPPROTO_ICMPV6: { value: 58, type: 'u8' },
  ICMP_ECHOREPLY: { value: 0, type: 'u8', literal: true },
  ICMP_ECHO: { value: 8, type: 'u8', literal: true },
  AF_INET: { value: 2, type: 'u8', literal: true },
  AF_INET6: { value: 10, type: 'u8', literal: true },
  // skb->pkt_type (<linux/if_packet.h>).
  PACKET_HOST: { value: 0, type: 'u32', literal: true },
  PACKET_BROADCAST: { value: 1, type: 'u32', literal: true },
  PACKET_MULTICAST: { value: 2, type: 'u32', literal: true },
  PACKET_OTHERHOST: { value: 3, type: 'u32', literal: true },
  // bpf_redirect / bpf_redirect_map flags.
  BPF_F_INGRESS: { value: 1, type: 'u64' },
  BPF_F_BROADCAST: { value: 8, type: 'u64' },
  BPF_F_EXCLUDE_INGRESS: { value: 16, type: 'u64' },
  // bpf_skb_adjust_room modes and flags.
  BPF_ADJ_ROOM_NET: { value: 0, type: 'u32' },
  BPF_ADJ_ROOM_MAC: { value: 1, type: 'u32' },
  BPF_F_ADJ_ROOM_FIXED_GSO: { value: 1, type: 'u64' },
  BPF_F_ADJ_ROOM_ENCAP_L3_IPV4: { value: 2, type: 'u64' },
  BPF_F_ADJ_ROOM_ENCAP_L3_IPV6: { value: 4, type: 'u64' },
  BPF_F_ADJ_ROOM_ENCAP_L4_GRE: { value: 8, type: 'u64' },
  BPF_F_ADJ_ROOM_ENCAP_L4_UDP: { value: 16, type: 'u64' },
  BPF_F_ADJ_ROOM_NO_CSUM_RESET: { value: 32, type: 'u64' },
  BPF_F_ADJ_ROOM_ENCAP_L2_ETH: { value: 64, type: 'u64' },
  // bpf_fib_lookup flags and results.
  BPF_FIB_LOOKUP_DIRECT: { value: 1, type: 'u32' },
  BPF_FIB_LOOKUP_OUTPUT: { value: 2, type: 'u32' },
  BPF_FIB_LKUP_RET_SUCCESS: { value: 0, type: 'i64' },
  BPF_FIB_LKUP_RET_BLACKHOLE: { value: 1, type: 'i64' },
  BPF_FIB_LKUP_RET_UNREACHABLE: { value: 2, type: 'i64' },
  BPF_FIB_LKUP_RET_PROHIBIT: { value: 3, type: 'i64' },
  BPF_FIB_LKUP_RET_NOT_FWDED: { value: 4, type: 'i64' },
  BPF_FIB_LKUP_RET_FWD_DISABLED: { value: 5, type: 'i64' },
  BPF_FIB_LKUP_RET_UNSUPP_LWT: { value: 6, type: 'i64' },
  BPF_FIB_LKUP_RET_NO_NEIGH: { value: 7, type: 'i64' },
  BPF_FIB_LKUP_RET_FRAG_NEEDED: { value: 8, type: 'i64' },
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
