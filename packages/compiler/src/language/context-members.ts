// LANGUAGE.md §5: fields and methods of each program context, with the C they read.
import { INT_TYPES, type Type } from '../phases/2-symbols/types.js';

export interface ContextField {
  type: Type;
  /** C expression reading it, given the context parameter's name. */
  c: (ctx: string) => string;
  writable?: boolean;
}

const { u32, u64 } = INT_TYPES;

/** `data`/`data_end` are addresses: widened to u64 so `ctx.data_end - ctx.data` is plain arithmetic. */
const address = (name: string): ContextField => ({ type: u64, c: (ctx) => `(__u64)${ctx}->${name}` });
const plain = (name: string, writable = false): ContextField => ({ type: u32, c: (ctx) => `${ctx}->${name}`, writable });

const SKB_FIELDS: Record<string, ContextField> = {
  len: plain('len'),
  protocol: plain('protocol'),
  ifindex: plain('ifindex'),
  ingress_ifindex: plain('ingress_ifindex'),
  priority: plain('priority'),
  hash: plain('hash'),
  data: address('data'),
  data_end: address('data_end'),
};

export const CONTEXT_FIELDS: Record<string, Record<string, ContextField>> = {
  XdpContext: {
    data: address('data'),
    data_end: address('data_end'),
    data_meta: address('data_meta'),
    ingress_ifindex: plain('ingress_ifindex'),
    rx_queue_index: plain('rx_queue_index'),
    egress_ifindex: plain('egress_ifindex'),
  },
  TcContext: { ...SKB_FIELDS, mark: plain('mark', true) },
  SkbContext: { ...SKB_FIELDS, mark: plain('mark') },
  KprobeContext: {},
  TracepointContext: {},
  RawTracepointContext: {},
};
