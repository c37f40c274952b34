// SPDX-License-Identifier: GPL-2.0
/*
 * Hand-written baseline for examples/rate_limiter.ks: a token bucket per
 * IPv4 source in an LRU hash; `config_burst` packets per source, refilled at
 * `config_rate_per_sec`; packets beyond that are dropped and counted. Same
 * maps, config symbols and program as the generated object.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define NS_PER_SEC 1000000000ULL

struct Bucket {
	__u64 tokens;
	__u64 last_refill_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct Bucket);
} buckets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} dropped SEC(".maps");

const volatile __u64 config_rate_per_sec = 100;
const volatile __u64 config_burst = 10;

SEC("xdp")
int rate_limit(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if ((void *)(ip + 1) > data_end)
		return XDP_DROP;

	__u64 now = bpf_ktime_get_ns();
	__u32 saddr = ip->saddr;
	struct Bucket *found = bpf_map_lookup_elem(&buckets, &saddr);
	if (!found) {
		/* First packet from this source: a full bucket minus this packet. */
		struct Bucket fresh = { .tokens = config_burst - 1, .last_refill_ns = now };

		bpf_map_update_elem(&buckets, &saddr, &fresh, BPF_ANY);
		return XDP_PASS;
	}

	/* Work on a copy and write it back, as the .ks program does. */
	struct Bucket bucket = *found;
	__u64 refill = (now - bucket.last_refill_ns) * config_rate_per_sec / NS_PER_SEC;
	if (refill > 0) {
		__u64 tokens = bucket.tokens + refill;

		bucket.tokens = tokens < config_burst ? tokens : config_burst;
		bucket.last_refill_ns = now;
	}
	if (bucket.tokens == 0) {
		__u32 zero = 0;
		__u64 *count = bpf_map_lookup_elem(&dropped, &zero);

		if (count)
			__sync_fetch_and_add(count, 1);
		return XDP_DROP;
	}
	bucket.tokens -= 1;
	bpf_map_update_elem(&buckets, &saddr, &bucket, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
