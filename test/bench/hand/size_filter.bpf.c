// SPDX-License-Identifier: GPL-2.0
/*
 * Hand-written baseline for examples/size_filter.ks: drops frames longer than
 * `config_max_packet_size` (only UDP ones when `config_udp_only`), counting
 * passed frames in verdicts[0] and dropped ones in verdicts[1]. Same map,
 * config symbols and program as the generated object.
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>

enum { VERDICT_PASS = 0, VERDICT_DROP = 1 };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} verdicts SEC(".maps");

const volatile __u32 config_max_packet_size = 1500;
const volatile bool config_udp_only = false;

static __always_inline void count(__u32 verdict)
{
	__u64 *count = bpf_map_lookup_elem(&verdicts, &verdict);

	if (count)
		__sync_fetch_and_add(count, 1);
}

SEC("xdp")
int drop_oversized(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if ((__u32)(data_end - data) <= config_max_packet_size) {
		count(VERDICT_PASS);
		return XDP_PASS;
	}
	if (config_udp_only) {
		struct iphdr *ip = data + sizeof(struct ethhdr);

		if ((void *)(ip + 1) > data_end || ip->protocol != IPPROTO_UDP) {
			count(VERDICT_PASS);
			return XDP_PASS;
		}
	}
	count(VERDICT_DROP);
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
