// SPDX-License-Identifier: GPL-2.0
/*
 * Hand-written baseline for examples/xdp_lb.ks: TCP and UDP packets for the
 * VIP are hashed (FNV-1a over the 5-tuple) onto one of config_backend_count
 * backends, encapsulated in an outer IPv4 header (IP-in-IP, room made with
 * bpf_xdp_adjust_head) and sent towards the backend's MAC with XDP_TX.
 * Same maps, config symbols and program as the generated object.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct Backend {
	__u32 addr;
	__u8 mac[ETH_ALEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct Backend);
} backends SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} forwarded SEC(".maps");

const volatile __u32 config_vip = 0x0a0000fe;
const volatile __u32 config_source = 0x0a000001;
const volatile __u32 config_backend_count = 2;

static __always_inline __u32 flow_hash(__u32 saddr, __u32 daddr, __u32 ports, __u8 protocol)
{
	__u32 hash = 2166136261U;

	hash = (hash ^ saddr) * 16777619;
	hash = (hash ^ daddr) * 16777619;
	hash = (hash ^ ports) * 16777619;
	hash = (hash ^ protocol) * 16777619;
	return hash;
}

/* The checksum of an option-less IPv4 header whose check field is zero. */
static __always_inline __u16 ip_checksum(struct iphdr *ip)
{
	__u16 *word = (__u16 *)ip;
	__u32 sum = 0;

	for (__u32 i = 0; i < sizeof(*ip) / 2; i++)
		sum += word[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

SEC("xdp")
int balance(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	struct Backend *backend;
	__u8 own_mac[ETH_ALEN];
	__u32 ports, slot;
	__u16 inner_len;
	__u8 tos;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	if (bpf_ntohl(ip->daddr) != config_vip || ip->ihl != 5)
		return XDP_PASS;

	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = (void *)(ip + 1);

		if ((void *)(tcp + 1) > data_end)
			return XDP_DROP;
		ports = ((__u32)tcp->source << 16) | tcp->dest;
	} else if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *udp = (void *)(ip + 1);

		if ((void *)(udp + 1) > data_end)
			return XDP_DROP;
		ports = ((__u32)udp->source << 16) | udp->dest;
	} else {
		return XDP_PASS;
	}
	if (config_backend_count == 0)
		return XDP_PASS;
	slot = flow_hash(ip->saddr, ip->daddr, ports, ip->protocol) % config_backend_count;
	backend = bpf_map_lookup_elem(&backends, &slot);
	if (!backend || backend->addr == 0)
		return XDP_PASS;

	__builtin_memcpy(own_mac, eth->h_dest, ETH_ALEN);
	tos = ip->tos;
	inner_len = bpf_ntohs(ip->tot_len);

	if (bpf_xdp_adjust_head(ctx, -(int)sizeof(struct iphdr)))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	ip = data + sizeof(*eth);
	if ((void *)(ip + 1) > data_end)
		return XDP_ABORTED;

	__builtin_memcpy(eth->h_dest, backend->mac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, own_mac, ETH_ALEN);
	eth->h_proto = bpf_htons(ETH_P_IP);
	ip->version = 4;
	ip->ihl = 5;
	ip->tos = tos;
	ip->tot_len = bpf_htons(inner_len + sizeof(struct iphdr));
	ip->id = 0;
	ip->frag_off = bpf_htons(0x4000);
	ip->ttl = 64;
	ip->protocol = IPPROTO_IPIP;
	ip->saddr = bpf_htonl(config_source);
	ip->daddr = backend->addr;
	ip->check = 0;
	ip->check = ip_checksum(ip);

	__u64 *count = bpf_map_lookup_elem(&forwarded, &slot);
	if (count)
		*count += 1;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
