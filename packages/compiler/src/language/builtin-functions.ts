// LANGUAGE.md §7 and §10: functions every kernel program, or the userspace
// block, may call without declaring them.
import { INT_TYPES, VOID, type Type } from '../phases/2-symbols/types.js';

export type BuiltinSide = 'kernel' | 'userspace' | 'both';

export interface BuiltinFunction {
  name: string;
  side: BuiltinSide;
  /** Null: checked by hand (printf-like, generic). */
  params: Type[] | null;
  returns: Type | 'same-as-args';
  /** The C spelling. */
  cName: string;
}

const { u16, u32, u64, i32 } = INT_TYPES;

const builtin = (name: string, side: BuiltinSide, params: Type[] | null, returns: BuiltinFunction['returns'], cName = name): BuiltinFunction => ({
  name,
  side,
  params,
  returns,
  cName,
});

export const BUILTIN_FUNCTIONS: Record<string, BuiltinFunction> = Object.fromEntries(
  [
    builtin('print', 'both', null, VOID),
    builtin('bpf_printk', 'kernel', null, VOID),
    builtin('bpf_ktime_get_ns', 'kernel', [], u64),
    builtin('bpf_get_current_pid_tgid', 'kernel', [], u64),
    builtin('bpf_get_current_uid_gid', 'kernel', [], u64),
    builtin('bpf_get_smp_processor_id', 'kernel', [], u32),
    builtin('bpf_get_prandom_u32', 'kernel', [], u32),
    builtin('bpf_get_current_comm', 'kernel', [{ kind: 'array', element: INT_TYPES.u8, length: 16 }], i32),
    builtin('ntohs', 'both', [u16], u16, 'bpf_ntohs'),
    builtin('htons', 'both', [u16], u16, 'bpf_htons'),
    builtin('ntohl', 'both', [u32], u32, 'bpf_ntohl'),
    builtin('htonl', 'both', [u32], u32, 'bpf_htonl'),
    builtin('min', 'both', null, 'same-as-args'),
    builtin('max', 'both', null, 'same-as-args'),
    builtin('sleep', 'userspace', [u32], VOID, 'ks_sleep_ms'),
    builtin('attach', 'userspace', null, i32),
    builtin('detach', 'userspace', null, i32),
  ].map((b) => [b.name, b]),
);

/** Most arguments `bpf_printk` (and kernel `print`) may format: the helper takes three. */
export const MAX_PRINTK_ARGS = 3;
