// SPDX-License-Identifier: GPL-2.0
/*
 * Hand-written baseline for examples/execsnoop.ks, in the style of
 * libbpf-tools' execsnoop.bpf.c: vmlinux.h, the sys_enter_execve record as
 * struct trace_event_raw_sys_enter, the parent's tgid read with
 * BPF_CORE_READ, argv copied string by string from user memory at a running
 * offset. The offset is bounded the way libbpf-tools bounds it (a string is
 * read only while a window of ARGS_WINDOW bytes is left), so the verifier can
 * check every write. Same map, program and event layout as the generated object.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define MAX_ARGS 8
#define ARGS_SIZE 384
#define ARGS_WINDOW (ARGS_SIZE - ARGS_SIZE / 2)
#define E2BIG 7

struct ExecEvent {
	__u32 pid;
	__u32 ppid;
	__u32 uid;
	__u32 args_count;
	__u32 args_size;
	__u8 comm[16];
	__u8 args[ARGS_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 262144);
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int execsnoop(struct trace_event_raw_sys_enter *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	const char *const *argv = (const char *const *)ctx->args[1];
	struct ExecEvent e = {};

	e.pid = bpf_get_current_pid_tgid() >> 32;
	e.ppid = BPF_CORE_READ(task, real_parent, tgid);
	e.uid = bpf_get_current_uid_gid();
	bpf_get_current_comm(&e.comm, sizeof(e.comm));
	for (__u32 i = 0; i < MAX_ARGS; i++) {
		const char *arg = NULL;
		long n;

		bpf_probe_read_user(&arg, sizeof(arg), &argv[i]);
		if (!arg)
			break;
		if (e.args_size > ARGS_SIZE - ARGS_WINDOW)
			break;
		n = bpf_probe_read_user_str(&e.args[e.args_size], ARGS_WINDOW, arg);
		if (n < 0)
			break;
		e.args_count++;
		e.args_size += n;
	}
	bpf_ringbuf_output(&events, &e, sizeof(e), 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
