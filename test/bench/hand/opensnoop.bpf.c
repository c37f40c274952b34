// SPDX-License-Identifier: GPL-2.0
/*
 * Hand-written baseline for examples/opensnoop.ks, in the style of
 * libbpf-tools' opensnoop.bpf.c: sys_enter_openat keeps the file name pointer
 * and flags per thread, sys_exit_openat sends them with the result, pid, uid
 * and command name, the name read from user memory. Same maps, programs and
 * event layout as the generated object.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct OpenArgs {
	__u64 filename;
	__u64 flags;
};

struct OpenEvent {
	__u32 pid;
	__u32 uid;
	__s64 ret;
	__u64 flags;
	__u8 comm[16];
	__u8 filename[256];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct OpenArgs);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 262144);
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int enter_openat(struct trace_event_raw_sys_enter *ctx)
{
	__u32 tid = bpf_get_current_pid_tgid();
	struct OpenArgs args = { .filename = ctx->args[1], .flags = ctx->args[2] };

	bpf_map_update_elem(&start, &tid, &args, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = id;
	struct OpenArgs *args = bpf_map_lookup_elem(&start, &tid);
	struct OpenEvent e = {};

	if (!args)
		return 0;
	e.pid = id >> 32;
	e.uid = bpf_get_current_uid_gid();
	e.ret = ctx->ret;
	e.flags = args->flags;
	bpf_get_current_comm(&e.comm, sizeof(e.comm));
	bpf_probe_read_user_str(&e.filename, sizeof(e.filename), (const void *)args->filename);
	bpf_ringbuf_output(&events, &e, sizeof(e), 0);
	bpf_map_delete_elem(&start, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
