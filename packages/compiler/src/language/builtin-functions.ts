// LANGUAGE.md §7 and §10: functions every kernel program, or the userspace
// block, may call without declaring them. The type checker checks a call by
// its form and lowering emits the C the row names.
import { INT_TYPES, STRING, VOID, type Type } from '../phases/2-symbols/types.js';
import { BUILTIN_STRUCTS } from './headers.js';

export type BuiltinSide = 'kernel' | 'userspace' | 'both';

/** How a call is checked (and, for some forms, lowered). */
export type BuiltinForm =
  /** A format string literal, then integers or bools (at most MAX_PRINTK_ARGS values in the kernel); userspace calls printf. */
  | { kind: 'format' }
  /** Two integers; the result has their common type. */
  | { kind: 'min-max' }
  /** A program name, then (with `target`) a string: the interface, cgroup... it attaches to. */
  | { kind: 'program'; target: boolean }
  /** A fixed signature. With `bufferSize`, the C call also gets the size of the first (array) argument. */
  | { kind: 'signature'; params: Type[]; returns: Type; bufferSize?: boolean }
  /** LANGUAGE.md §14: `(dst, src)` — a place to copy into (its size is the length) and a u64 address or kernel pointer; the helper's i64 result. */
  | { kind: 'probe-read' }
  /** LANGUAGE.md §13: the current task, a `*task_struct` from the kernel's BTF. */
  | { kind: 'current-task' }
  /** LANGUAGE.md §13: `field_exists(p.field)` of a kernel struct field, a bool the loader decides (CO-RE). */
  | { kind: 'field-exists' }
  /** LANGUAGE.md §14: a [u8; N] and a string literal: equal (`prefix` false) or starting with it. */
  | { kind: 'string-compare'; prefix: boolean }
  /**
   * A helper on the packet (LANGUAGE.md §12): the program context (`ctx`) of one of
   * `contexts` first, then `params`. A `{ reference }` parameter is a local the
   * helper reads and writes: C gets its address and its size. With `resizes`, the
   * helper moves or resizes the packet, so views taken before the call are invalid after it.
   */
  | { kind: 'packet'; contexts: readonly string[]; params: PacketParam[]; returns: Type; resizes: boolean }
  /** `bpf_redirect(ifindex, flags)`: the result is the program's action (the redirect, or the failure action). */
  | { kind: 'redirect'; contexts: readonly string[] }
  /** `ipv4_csum(ip)`: the header checksum of the IPv4 header a view points to, options included. */
  | { kind: 'header-checksum' };

export type PacketParam = Type | { reference: Type };

export interface BuiltinFunction {
  name: string;
  side: BuiltinSide;
  form: BuiltinForm;
  /** The C spelling (the kernel's for `format`: userspace calls printf). */
  cName: string;
}

const { u16, u32, u64, i32 } = INT_TYPES;

const XDP = ['XdpContext'];
const TC = ['TcContext'];
const XDP_AND_TC = ['XdpContext', 'TcContext'];
const resize = (contexts: readonly string[], params: PacketParam[]): BuiltinForm => ({ kind: 'packet', contexts, params, returns: i32, resizes: true });

const builtin = (name: string, side: BuiltinSide, form: BuiltinForm, cName = name): BuiltinFunction => ({ name, side, form, cName });
const signature = (params: Type[], returns: Type, extra: { bufferSize?: boolean } = {}): BuiltinForm => ({ kind: 'signature', params, returns, ...extra });

export const BUILTIN_FUNCTIONS: Record<string, BuiltinFunction> = Object.fromEntries(
  [
    // Kernel print() writes a line into the log ring buffer (6-codegen/kernel-log.ts); bpf_printk goes to trace_pipe.
    builtin('print', 'both', { kind: 'format' }, 'KS_LOG'),
    builtin('bpf_printk', 'kernel', { kind: 'format' }),
    builtin('bpf_ktime_get_ns', 'kernel', signature([], u64)),
    builtin('bpf_get_current_pid_tgid', 'kernel', signature([], u64)),
    builtin('bpf_get_current_uid_gid', 'kernel', signature([], u64)),
    builtin('bpf_get_smp_processor_id', 'kernel', signature([], u32)),
    builtin('bpf_get_prandom_u32', 'kernel', signature([], u32)),
    builtin('bpf_get_current_comm', 'kernel', signature([{ kind: 'array', element: INT_TYPES.u8, length: 16 }], i32, { bufferSize: true })),
    builtin('ntohs', 'both', signature([u16], u16), 'bpf_ntohs'),
    builtin('htons', 'both', signature([u16], u16), 'bpf_htons'),
    builtin('ntohl', 'both', signature([u32], u32), 'bpf_ntohl'),
    builtin('htonl', 'both', signature([u32], u32), 'bpf_htonl'),
    // LANGUAGE.md §15: the log2 histogram slot of a value, as bcc and bpftrace count them.
    builtin('log2', 'kernel', signature([u64], u32), 'ks_log2'),
    builtin('min', 'both', { kind: 'min-max' }, 'KS_MIN'),
    builtin('max', 'both', { kind: 'min-max' }, 'KS_MAX'),
    builtin('bpf_get_current_task', 'kernel', { kind: 'current-task' }),
    builtin('field_exists', 'kernel', { kind: 'field-exists' }, 'bpf_core_field_exists'),
    builtin('bpf_probe_read_user', 'kernel', { kind: 'probe-read' }),
    builtin('bpf_probe_read_kernel', 'kernel', { kind: 'probe-read' }),
    builtin('bpf_probe_read_user_str', 'kernel', { kind: 'probe-read' }),
    builtin('bpf_probe_read_kernel_str', 'kernel', { kind: 'probe-read' }),
    builtin('str_eq', 'both', { kind: 'string-compare', prefix: false }),
    builtin('starts_with', 'both', { kind: 'string-compare', prefix: true }),
    // LANGUAGE.md §12: checksums (RFC 1624 on values as stored), resizing, redirecting and routing packets.
    builtin('csum_replace2', 'both', signature([u16, u16, u16], u16), 'ks_csum_replace2'),
    builtin('csum_replace4', 'both', signature([u16, u32, u32], u16), 'ks_csum_replace4'),
    builtin('ipv4_csum', 'kernel', { kind: 'header-checksum' }, 'ks_ipv4_csum'),
    builtin('bpf_xdp_adjust_head', 'kernel', resize(XDP, [i32])),
    builtin('bpf_xdp_adjust_tail', 'kernel', resize(XDP, [i32])),
    builtin('bpf_xdp_adjust_meta', 'kernel', resize(XDP, [i32])),
    builtin('bpf_skb_adjust_room', 'kernel', resize(TC, [i32, u32, u64])),
    builtin('bpf_skb_change_tail', 'kernel', resize(TC, [u32, u64])),
    builtin('bpf_redirect', 'kernel', { kind: 'redirect', contexts: XDP_AND_TC }),
    builtin('bpf_fib_lookup', 'kernel', { kind: 'packet', contexts: XDP_AND_TC, params: [{ reference: BUILTIN_STRUCTS.FibLookup! }, u32], returns: i32, resizes: false }),
    builtin('ifindex', 'userspace', signature([STRING], u32), 'if_nametoindex'),
    builtin('sleep', 'userspace', signature([u32], VOID), 'ks_sleep_ms'),
    builtin('attach', 'userspace', { kind: 'program', target: true }, 'ks_attach'),
    builtin('detach', 'userspace', { kind: 'program', target: false }, 'ks_detach'),
  ].map((b) => [b.name, b]),
);

/** Most arguments `bpf_printk` (and kernel `print`, alike) may format: bpf_trace_printk takes three. */
export const MAX_PRINTK_ARGS = 3;
