// The C baseline for bench/3-runtime.bench.mjs: the same map operations the
// runtime benchmark does from Node, through libbpf, on the same pinned map
// (u32 keys 0..N-1, u64 values). Prints one JSON line of operations per second.
// Usage: map-ops <pin path> <entries> <single ops> <batch rounds> <batch size>
#include <bpf/bpf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: %s <pin path> <entries> <single ops> <batch rounds> <batch size>\n", argv[0]);
		return 2;
	}
	uint32_t entries = strtoul(argv[2], NULL, 10), ops = strtoul(argv[3], NULL, 10);
	uint32_t rounds = strtoul(argv[4], NULL, 10), batch = strtoul(argv[5], NULL, 10);
	int fd = bpf_obj_get(argv[1]);
	if (fd < 0) {
		perror("bpf_obj_get");
		return 1;
	}

	uint64_t value = 0, sum = 0;
	double start = now_seconds();
	for (uint32_t i = 0; i < ops; i++) {
		uint32_t key = i % entries;
		if (bpf_map_lookup_elem(fd, &key, &value) != 0) return 1;
		sum += value;
	}
	double get = ops / (now_seconds() - start);

	start = now_seconds();
	for (uint32_t i = 0; i < ops; i++) {
		uint32_t key = i % entries;
		value = (uint64_t)key * 3;
		if (bpf_map_update_elem(fd, &key, &value, BPF_ANY) != 0) return 1;
	}
	double set = ops / (now_seconds() - start);

	uint32_t *keys = calloc(batch, sizeof(*keys));
	uint64_t *values = calloc(batch, sizeof(*values));
	uint64_t read = 0;
	start = now_seconds();
	for (uint32_t round = 0; round < rounds; round++) {
		uint32_t token = 0;
		void *in = NULL;
		for (;;) {
			uint32_t count = batch;
			int err = bpf_map_lookup_batch(fd, in, &token, keys, values, &count, NULL);
			if (err && errno != ENOENT) return 1;
			for (uint32_t i = 0; i < count; i++) sum += values[i];
			read += count;
			if (err) break;
			in = &token;
		}
	}
	double batch_read = read / (now_seconds() - start);
	printf("{\"get\": %.0f, \"set\": %.0f, \"batchRead\": %.0f, \"checksum\": %" PRIu64 "}\n", get, set, batch_read, sum);
	return 0;
}
