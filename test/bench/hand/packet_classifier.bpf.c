// SPDX-License-Identifier: GPL-2.0
/*
 * Hand-written baseline for examples/packet_classifier.ks: classifies IPv4
 * packets into tiers by DSCP, keeps per-tier packet counts and a TTL
 * histogram, remembers the last tier, and drops scavenger traffic whose TTL
 * is below 16. Same maps, program and layouts as the generated object.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

enum Tier { Tier_Control = 0, Tier_Latency = 1, Tier_Normal = 2, Tier_Scavenger = 3 };

struct TierStats {
	__u64 packets;
	__u32 ttl_buckets[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, enum Tier);
	__type(value, struct TierStats);
} tiers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} last_tier SEC(".maps");

/* DSCP code points (RFC 4594) to tiers. */
static __always_inline enum Tier tier_of_dscp(__u8 dscp)
{
	switch (dscp) {
	case 48:
	case 56:
		return Tier_Control;
	case 46:
	case 34:
	case 36:
	case 38:
		return Tier_Latency;
	case 8:
		return Tier_Scavenger;
	default:
		return Tier_Normal;
	}
}

/* TTL histogram buckets: 0..31, 32..63, 64..127, 128..255. */
static __always_inline __u32 ttl_bucket(__u8 ttl)
{
	if (ttl < 32)
		return 0;
	if (ttl < 64)
		return 1;
	if (ttl < 128)
		return 2;
	return 3;
}

SEC("xdp")
int classify_tiers(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;

	enum Tier tier = tier_of_dscp(ip->tos >> 2);
	__u32 bucket = ttl_bucket(ip->ttl);

	struct TierStats *stats = bpf_map_lookup_elem(&tiers, &tier);
	if (!stats) {
		struct TierStats zero = {};

		/* BPF_NOEXIST: a concurrent first insert wins and both CPUs count into it. */
		bpf_map_update_elem(&tiers, &tier, &zero, BPF_NOEXIST);
		stats = bpf_map_lookup_elem(&tiers, &tier);
	}
	if (stats) {
		__sync_fetch_and_add(&stats->packets, 1);
		switch (bucket) {
		case 0:
			__sync_fetch_and_add(&stats->ttl_buckets[0], 1);
			break;
		case 1:
			__sync_fetch_and_add(&stats->ttl_buckets[1], 1);
			break;
		case 2:
			__sync_fetch_and_add(&stats->ttl_buckets[2], 1);
			break;
		default:
			__sync_fetch_and_add(&stats->ttl_buckets[3], 1);
		}
	}

	__u32 zero_key = 0;
	__u32 tier_value = tier;
	bpf_map_update_elem(&last_tier, &zero_key, &tier_value, BPF_ANY);

	if (tier == Tier_Scavenger && ip->ttl < 16)
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
