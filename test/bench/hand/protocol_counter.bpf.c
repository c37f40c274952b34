// SPDX-License-Identifier: GPL-2.0
/*
 * Hand-written baseline for examples/protocol_counter.ks: counts packets per
 * IP protocol (Ethernet -> IPv4/IPv6 -> TCP/UDP/ICMP) in a per-CPU array.
 * Every packet passes; a frame truncated inside a header counts as malformed.
 * Same map, program and enum values as the generated object.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

enum Proto { Proto_Tcp, Proto_Udp, Proto_Icmp, Proto_Other, Proto_NotIp, Proto_Malformed };

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} proto_counts SEC(".maps");

static __always_inline __u32 classify(__u8 protocol)
{
	switch (protocol) {
	case IPPROTO_TCP:
		return Proto_Tcp;
	case IPPROTO_UDP:
		return Proto_Udp;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return Proto_Icmp;
	default:
		return Proto_Other;
	}
}

/* Per-CPU slot: no other CPU writes it, so a plain increment is enough. */
static __always_inline void count(__u32 kind)
{
	__u64 *count = bpf_map_lookup_elem(&proto_counts, &kind);

	if (count)
		*count += 1;
}

SEC("xdp")
int count_protocols(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 kind = Proto_NotIp;

	if ((void *)(eth + 1) > data_end) {
		count(Proto_Malformed);
		return XDP_PASS;
	}
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > data_end) {
			count(Proto_Malformed);
			return XDP_PASS;
		}
		kind = classify(ip->protocol);
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > data_end) {
			count(Proto_Malformed);
			return XDP_PASS;
		}
		kind = classify(ip6->nexthdr);
	}
	count(kind);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
