// SPDX-License-Identifier: GPL-2.0
/*
 * Hand-written baseline for examples/xdp_icmp_echo.ks: answers ICMP echo
 * requests with XDP_TX, the request turned into the reply in place (MACs and
 * IPv4 addresses swapped, TTL 64 and a fresh header checksum over the header
 * and its options, type 0 with an incremental ICMP checksum update). Counts
 * replies in echo_stats[0], requests too short to answer in echo_stats[1].
 * Same map and program as the generated object.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* <linux/icmp.h> does not build with -target bpf: the 8-byte echo header. */
struct icmp_echo_hdr {
	__u8 type;
	__u8 code;
	__u16 checksum;
	__be16 id;
	__be16 sequence;
};

#define ICMP_ECHOREPLY 0
#define ICMP_ECHO 8

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} echo_stats SEC(".maps");

static __always_inline void count(__u32 slot)
{
	__u64 *value = bpf_map_lookup_elem(&echo_stats, &slot);

	if (value)
		*value += 1;
}

static __always_inline __u16 csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

/* The header checksum over ihl * 4 bytes (at most 60), options included. */
static __always_inline __u16 ip_checksum(struct iphdr *ip, void *data_end)
{
	__u16 *word = (__u16 *)ip;
	__u32 words = ip->ihl * 2;
	__u32 sum = 0;

	ip->check = 0;
	for (__u32 i = 0; i < 30; i++) {
		if (i >= words || (void *)(word + i + 1) > data_end)
			break;
		sum += word[i];
	}
	return csum_fold(sum);
}

SEC("xdp")
int icmp_echo(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	struct icmp_echo_hdr *icmp;
	__u8 mac[ETH_ALEN];
	__u32 addr;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	if (ip->protocol != IPPROTO_ICMP || ip->ihl < 5)
		return XDP_PASS;
	icmp = (void *)ip + ip->ihl * 4;
	if ((void *)(icmp + 1) > data_end) {
		count(1);
		return XDP_PASS;
	}
	if (icmp->type != ICMP_ECHO || icmp->code != 0)
		return XDP_PASS;

	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);

	addr = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = addr;
	ip->ttl = 64;
	ip->check = ip_checksum(ip, data_end);

	/* RFC 1624: the type is the high byte of the first word. */
	icmp->type = ICMP_ECHOREPLY;
	icmp->checksum = csum_fold((__u16)~icmp->checksum + (__u16)~bpf_htons(ICMP_ECHO << 8) + bpf_htons(ICMP_ECHOREPLY << 8));

	count(0);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
