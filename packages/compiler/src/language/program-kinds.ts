// LANGUAGE.md §5: what each program kind attaches to, receives and returns.
import type { ProgramKind } from '../metadata.js';

export interface ProgramKindInfo {
  kind: ProgramKind;
  contextType: string;
  /** The C parameter type of `main`. */
  cContext: string;
  returnType: 'XdpAction' | 'TcAction' | 'i32';
  target: 'none' | 'optional-direction' | 'required-direction' | 'required';
  section(target: string | null): string;
  /** Whether BPF_PROG_TEST_RUN works for this kind on the machines we test on. */
  testRunnable: boolean;
}

const plain = (name: string) => () => name;

export const PROGRAM_KINDS: Record<ProgramKind, ProgramKindInfo> = {
  xdp: { kind: 'xdp', contextType: 'XdpContext', cContext: 'struct xdp_md', returnType: 'XdpAction', target: 'none', section: plain('xdp'), testRunnable: true },
  tc: { kind: 'tc', contextType: 'TcContext', cContext: 'struct __sk_buff', returnType: 'TcAction', target: 'optional-direction', section: plain('tc'), testRunnable: true },
  kprobe: { kind: 'kprobe', contextType: 'KprobeContext', cContext: 'struct pt_regs', returnType: 'i32', target: 'required', section: (t) => `kprobe/${t}`, testRunnable: false },
  kretprobe: { kind: 'kretprobe', contextType: 'KprobeContext', cContext: 'struct pt_regs', returnType: 'i32', target: 'required', section: (t) => `kretprobe/${t}`, testRunnable: false },
  tracepoint: { kind: 'tracepoint', contextType: 'TracepointContext', cContext: 'void', returnType: 'i32', target: 'required', section: (t) => `tracepoint/${t}`, testRunnable: false },
  raw_tracepoint: { kind: 'raw_tracepoint', contextType: 'RawTracepointContext', cContext: 'struct bpf_raw_tracepoint_args', returnType: 'i32', target: 'required', section: (t) => `raw_tracepoint/${t}`, testRunnable: true },
  socket_filter: { kind: 'socket_filter', contextType: 'SkbContext', cContext: 'struct __sk_buff', returnType: 'i32', target: 'none', section: plain('socket'), testRunnable: true },
  cgroup_skb: { kind: 'cgroup_skb', contextType: 'SkbContext', cContext: 'struct __sk_buff', returnType: 'i32', target: 'required-direction', section: (t) => `cgroup_skb/${t}`, testRunnable: true },
};

export function isProgramKind(name: string): name is ProgramKind {
  return Object.hasOwn(PROGRAM_KINDS, name);
}

/** Return constants, by the action type they belong to. */
export const ACTION_CONSTANTS: Record<'XdpAction' | 'TcAction', Record<string, { value: number; variant: string }>> = {
  XdpAction: {
    XDP_ABORTED: { value: 0, variant: 'Aborted' },
    XDP_DROP: { value: 1, variant: 'Drop' },
    XDP_PASS: { value: 2, variant: 'Pass' },
    XDP_TX: { value: 3, variant: 'Tx' },
    XDP_REDIRECT: { value: 4, variant: 'Redirect' },
  },
  TcAction: {
    TC_ACT_UNSPEC: { value: -1, variant: 'Unspec' },
    TC_ACT_OK: { value: 0, variant: 'Ok' },
    TC_ACT_RECLASSIFY: { value: 1, variant: 'Reclassify' },
    TC_ACT_SHOT: { value: 2, variant: 'Shot' },
    TC_ACT_PIPE: { value: 3, variant: 'Pipe' },
    TC_ACT_STOLEN: { value: 4, variant: 'Stolen' },
    TC_ACT_REDIRECT: { value: 7, variant: 'Redirect' },
  },
};

/** `XDP_PASS` → its action type and value; also `XdpAction::Pass`. */
export function findActionConstant(name: string): { action: 'XdpAction' | 'TcAction'; constant: string; value: number } | null {
  for (const action of ['XdpAction', 'TcAction'] as const) {
    const hit = ACTION_CONSTANTS[action][name];
    if (hit) return { action, constant: name, value: hit.value };
  }
  return null;
}

export function findActionVariant(action: string, variant: string): { action: 'XdpAction' | 'TcAction'; constant: string; value: number } | null {
  if (action !== 'XdpAction' && action !== 'TcAction') return null;
  for (const [constant, info] of Object.entries(ACTION_CONSTANTS[action])) {
    if (info.variant === variant) return { action, constant, value: info.value };
  }
  return null;
}
