// LANGUAGE.md §5: the context each program kind receives — its C type, how
// it reaches the packet, and its fields and methods with the C they become.
// The type checker and code generation read only this table.
import { INT_TYPES, type Type } from '../phases/2-symbols/types.js';

export interface ContextField {
  type: Type;
  /** C expression reading it, given the context parameter's name. */
  c: (ctx: string) => string;
  writable?: boolean;
}

/**
 * A context method. The checker validates each form's arguments; the C of
 * the forms whose spelling differs between contexts is given here.
 */
export type ContextMethod =
  /** `ctx.len()`: the packet length, a u32. */
  | { form: 'len'; c: (ctx: string) => string }
  /** `ctx.header<T>(offset)`: a nullable view into the packet (see `ContextInfo.packet`). */
  | { form: 'header' }
  /** `ctx.read<T>(offset)`: a value at a constant byte offset of the record. */
  | { form: 'read'; c: (ctx: string, cType: string, offset: bigint) => string }
  /** `ctx.arg(i)`: argument i (0..5) as a u64. */
  | { form: 'arg'; c: (ctx: string, index: number) => string }
  /** `ctx.ret()`: the probed function's return value, in program kinds that see it (`ProgramKindInfo.readsReturnValue`). */
  | { form: 'ret'; c: ((ctx: string) => string) | null }
  /** `ctx.str(FIELD, buf)`: a tracepoint record's `__data_loc` string, copied into `buf`. */
  | { form: 'str' }
  /**
   * `ctx.meta<T>()`: a nullable view of a T in the metadata area before the packet
   * (LANGUAGE.md §12): XDP writes it (after bpf_xdp_adjust_meta), tc reads what XDP left.
   */
  | { form: 'meta'; role: 'writer' | 'reader' };

export type ContextMethodForm = ContextMethod['form'];

/** How `ctx.header<T>(offset)` reaches the packet. */
export interface PacketAccess {
  /** `direct`: a pointer into the packet, bounds-checked against data_end; `copy`: bpf_skb_load_bytes_relative into a stack copy. */
  access: 'direct' | 'copy';
  /** Fields of a view may be assigned (writes go to the packet). */
  viewsWritable: boolean;
  /** `m.redirect(key, flags)` sends the packet through a redirect map (bpf_redirect_map). */
  redirectMap: boolean;
}

/**
 * Typed probes (LANGUAGE.md §13): `ctx.args.NAME` and `ctx.ret()` typed from the
 * probed kernel function's BTF prototype, and how each reads in C.
 */
export interface ProbeArgs {
  /** Parameter `index` (0-based), before the cast to its type. */
  arg: (ctx: string, index: number) => string;
  /** The function's result; `params` is its parameter count. */
  ret: (ctx: string, params: number) => string;
  /** Parameters this context can reach. */
  maxArgs: number;
  /** Without BTF, `ctx.ret()` is an untyped u64 (kprobes); else the BTF is required (fexit). */
  untypedWithoutBtf: boolean;
}

export interface ContextInfo {
  name: string;
  /** The C type `main`'s parameter points to (`struct xdp_md`; `void` for tracepoint records). */
  cType: string;
  /** Null: the context has no packet, `ctx.header` is unknown. */
  packet: PacketAccess | null;
  fields: Record<string, ContextField>;
  methods: Partial<Record<string, ContextMethod>>;
  /** Typed `ctx.args.NAME`; null where the context has no function prototype. */
  probeArgs: ProbeArgs | null;
  /** `ctx.FIELD` also names the fields of the tracepoint's record (from tracefs or BTF). */
  recordFields: boolean;
}

const { u32, u64 } = INT_TYPES;

/** A packet boundary of a context with direct access (`data`, `data_end`, `data_meta`) as the pointer C compares views with. */
export const packetPointer = (ctx: string, member: 'data' | 'data_end' | 'data_meta'): string => `(void *)(long)${ctx}->${member}`;

/** `data`/`data_end` are addresses: widened to u64 so `ctx.data_end - ctx.data` is plain arithmetic. */
const address = (name: string): ContextField => ({ type: u64, c: (ctx) => `(__u64)${ctx}->${name}` });
const plain = (name: string, writable = false): ContextField => ({ type: u32, c: (ctx) => `${ctx}->${name}`, writable });
const wide = (name: string, writable = false): ContextField => ({ type: u64, c: (ctx) => `${ctx}->${name}`, writable });

const SKB_FIELDS: Record<string, ContextField> = {
  len: plain('len'),
  protocol: plain('protocol'),
  ifindex: plain('ifindex'),
  ingress_ifindex: plain('ingress_ifindex'),
  priority: plain('priority'),
  hash: plain('hash'),
  data: address('data'),
  data_end: address('data_end'),
  pkt_type: plain('pkt_type'),
  vlan_tci: plain('vlan_tci'),
  queue_mapping: plain('queue_mapping'),
  tstamp: wide('tstamp'),
};

const SKB_METHODS: ContextInfo['methods'] = {
  len: { form: 'len', c: (ctx) => `${ctx}->len` },
  header: { form: 'header' },
};

const PROBE_METHODS: ContextInfo['methods'] = {
  arg: { form: 'arg', c: (ctx, i) => `PT_REGS_PARM${i + 1}(${ctx})` },
  ret: { form: 'ret', c: (ctx) => `PT_REGS_RC(${ctx})` },
};

const context = (
  name: string,
  cType: string,
  packet: PacketAccess | null,
  fields: ContextInfo['fields'],
  methods: ContextInfo['methods'],
  extra: Partial<Pick<ContextInfo, 'probeArgs' | 'recordFields'>> = {},
): ContextInfo => ({
  name,
  cType,
  packet,
  fields,
  methods,
  probeArgs: extra.probeArgs ?? null,
  recordFields: extra.recordFields ?? false,
});

export const CONTEXTS: Record<string, ContextInfo> = {
  XdpContext: context(
    'XdpContext',
    'struct xdp_md',
    { access: 'direct', viewsWritable: true, redirectMap: true },
    {
      data: address('data'),
      data_end: address('data_end'),
      data_meta: address('data_meta'),
      ingress_ifindex: plain('ingress_ifindex'),
      rx_queue_index: plain('rx_queue_index'),
      egress_ifindex: plain('egress_ifindex'),
    },
    {
      len: { form: 'len', c: (ctx) => `(__u32)(${ctx}->data_end - ${ctx}->data)` },
      header: { form: 'header' },
      meta: { form: 'meta', role: 'writer' },
    },
  ),
  TcContext: context(
    'TcContext',
    'struct __sk_buff',
    { access: 'direct', viewsWritable: true, redirectMap: false },
    { ...SKB_FIELDS, mark: plain('mark', true), tstamp: wide('tstamp', true) },
    { ...SKB_METHODS, meta: { form: 'meta', role: 'reader' } },
  ),
  // socket_filter and cgroup_skb may not read the packet directly: views are read-only stack copies.
  SkbContext: context('SkbContext', 'struct __sk_buff', { access: 'copy', viewsWritable: false, redirectMap: false }, { ...SKB_FIELDS, mark: plain('mark') }, SKB_METHODS),
  KprobeContext: context('KprobeContext', 'struct pt_regs', null, {}, PROBE_METHODS, {
    // bpf_tracing.h reads the argument registers of the target architecture.
    probeArgs: { arg: (ctx, i) => `PT_REGS_PARM${i + 1}(${ctx})`, ret: (ctx) => `PT_REGS_RC(${ctx})`, maxArgs: 5, untypedWithoutBtf: true },
  }),
  // fentry/fexit: the arguments are an array of u64 slots, the result follows them (fexit).
  TracingContext: context(
    'TracingContext',
    'unsigned long long',
    null,
    {},
    // ctx.ret() is always typed here (fexit): its slot follows the parameters, so the prototype says where.
    { arg: { form: 'arg', c: (ctx, i) => `${ctx}[${i}]` }, ret: { form: 'ret', c: null } },
    { probeArgs: { arg: (ctx, i) => `${ctx}[${i}]`, ret: (ctx, params) => `${ctx}[${params}]`, maxArgs: 12, untypedWithoutBtf: false } },
  ),
  TracepointContext: context(
    'TracepointContext',
    'void',
    null,
    {},
    {
      read: { form: 'read', c: (ctx, cType, offset) => `*(${cType} *)((char *)${ctx} + ${offset})` },
      str: { form: 'str' },
    },
    { recordFields: true },
  ),
  RawTracepointContext: context('RawTracepointContext', 'struct bpf_raw_tracepoint_args', null, {}, {
    arg: { form: 'arg', c: (ctx, i) => `${ctx}->args[${i}]` },
  }),
  // The sample's period (events since the last one) and, for events that have one, the data address.
  PerfEventContext: context(
    'PerfEventContext',
    'struct bpf_perf_event_data',
    null,
    { sample_period: { type: u64, c: (ctx) => `${ctx}->sample_period` }, addr: { type: u64, c: (ctx) => `${ctx}->addr` } },
    {},
  ),
};
