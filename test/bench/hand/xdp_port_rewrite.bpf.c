// SPDX-License-Identifier: GPL-2.0
/*
 * Hand-written baseline for examples/xdp_port_rewrite.ks: pops an 802.1Q tag
 * (bpf_xdp_adjust_head), rewrites UDP and TCP destination ports found in
 * port_map with incremental checksum updates (RFC 1624), and with
 * config_egress_vlan set pushes a tag for that VLAN. Same maps, config symbol
 * and program as the generated object.
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

enum { REWRITTEN = 0, TAG_REMOVED = 1, TAG_ADDED = 2, MALFORMED = 3 };

struct vlan_tag {
	__be16 tci;
	__be16 encapsulated_proto;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u16);
	__type(value, __u16);
} port_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

const volatile __u16 config_egress_vlan = 0;

static __always_inline void count(__u32 slot)
{
	__u64 *value = bpf_map_lookup_elem(&counters, &slot);

	if (value)
		*value += 1;
}

static __always_inline __u16 csum_replace2(__u16 check, __u16 old, __u16 new)
{
	__u32 sum = (__u16)~check + (__u16)~old + new;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

static __always_inline bool pop_vlan(struct xdp_md *ctx)
{
	struct ethhdr *eth = (void *)(long)ctx->data;
	__u8 dest[ETH_ALEN], source[ETH_ALEN];

	if ((void *)(eth + 1) > (void *)(long)ctx->data_end)
		return false;
	__builtin_memcpy(dest, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(source, eth->h_source, ETH_ALEN);
	if (bpf_xdp_adjust_head(ctx, (int)sizeof(struct vlan_tag)))
		return false;
	eth = (void *)(long)ctx->data;
	if ((void *)(eth + 1) > (void *)(long)ctx->data_end)
		return false;
	__builtin_memcpy(eth->h_dest, dest, ETH_ALEN);
	__builtin_memcpy(eth->h_source, source, ETH_ALEN);
	return true;
}

static __always_inline bool push_vlan(struct xdp_md *ctx, __u16 vlan)
{
	struct ethhdr *eth = (void *)(long)ctx->data;
	__u8 dest[ETH_ALEN], source[ETH_ALEN];
	struct vlan_tag *tag;
	__be16 proto;

	if ((void *)(eth + 1) > (void *)(long)ctx->data_end)
		return false;
	__builtin_memcpy(dest, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(source, eth->h_source, ETH_ALEN);
	proto = eth->h_proto;
	if (bpf_xdp_adjust_head(ctx, -(int)sizeof(struct vlan_tag)))
		return false;
	eth = (void *)(long)ctx->data;
	tag = (void *)(eth + 1);
	if ((void *)(tag + 1) > (void *)(long)ctx->data_end)
		return false;
	__builtin_memcpy(eth->h_dest, dest, ETH_ALEN);
	__builtin_memcpy(eth->h_source, source, ETH_ALEN);
	eth->h_proto = bpf_htons(ETH_P_8021Q);
	tag->tci = bpf_htons(vlan & 0x0fff);
	tag->encapsulated_proto = proto;
	return true;
}

SEC("xdp")
int rewrite_ports(struct xdp_md *ctx)
{
	struct ethhdr *eth = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_8021Q)) {
		if (!pop_vlan(ctx)) {
			count(MALFORMED);
			return XDP_DROP;
		}
		count(TAG_REMOVED);
	}

	void *data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) <= data_end && ip->ihl >= 5) {
			void *l4 = (void *)ip + ip->ihl * 4;

			if (ip->protocol == IPPROTO_UDP) {
				struct udphdr *udp = l4;

				if ((void *)(udp + 1) <= data_end) {
					__u16 port = bpf_ntohs(udp->dest);
					__u16 *to = bpf_map_lookup_elem(&port_map, &port);

					if (to) {
						__u16 old = udp->dest;

						udp->dest = bpf_htons(*to);
						/* 0 is "no checksum"; a computed 0 is sent as 0xffff. */
						if (udp->check) {
							__u16 check = csum_replace2(udp->check, old, udp->dest);

							udp->check = check ? check : 0xffff;
						}
						count(REWRITTEN);
					}
				}
			} else if (ip->protocol == IPPROTO_TCP) {
				struct tcphdr *tcp = l4;

				if ((void *)(tcp + 1) <= data_end) {
					__u16 port = bpf_ntohs(tcp->dest);
					__u16 *to = bpf_map_lookup_elem(&port_map, &port);

					if (to) {
						__u16 old = tcp->dest;

						tcp->dest = bpf_htons(*to);
						tcp->check = csum_replace2(tcp->check, old, tcp->dest);
						count(REWRITTEN);
					}
				}
			}
		}
	}

	if (config_egress_vlan) {
		if (!push_vlan(ctx, config_egress_vlan))
			return XDP_ABORTED;
		count(TAG_ADDED);
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
