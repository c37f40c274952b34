// LANGUAGE.md §5: the program kinds — one row per kind, with every property
// that the compiler, the coordinator and the runtime decide by kind: what it
// receives, returns and attaches to. Nothing else in the tree compares a
// program kind's name (packages/compiler/README.md, "Adding a program kind").
import { parsePerfEventTarget, parseUprobeTarget } from '@kernelscript/shared';
import type { DiagnosticCode } from '../diagnostics/codes.js';
import type { AttachMethod, ProgramKind } from '../metadata.js';

/** What `program p : kind("target")` takes. */
export type TargetRule =
  | { kind: 'none' }
  /** `"ingress"` or `"egress"`; without `required`, ingress when absent. */
  | { kind: 'direction'; required: boolean }
  /**
   * A name (kernel function, tracepoint...): `example` is shown when it is missing; `pattern` must match;
   * `check.problem` says what is wrong with a target (reported as `check.code`), or null.
   */
  | { kind: 'name'; example: string; pattern?: { regex: RegExp; shape: string }; check?: { code: DiagnosticCode; problem: (target: string) => string | null } };

export interface ProgramKindInfo {
  kind: ProgramKind;
  /** The context type of `main`'s parameter (a row of CONTEXTS). */
  context: string;
  returnType: 'XdpAction' | 'TcAction' | 'i32';
  /** Values of an i32 result the verifier accepts (check_return_code: cgroup_skb 0 deny / 1 allow, fentry and fexit 0); null: any. */
  returnRange: readonly [number, number] | null;
  target: TargetRule;
  section(target: string | null): string;
  /** Headers the eBPF C needs when a program of this kind is in the file. */
  includes: readonly string[];
  /** How the coordinator's attach() and the runtime's attach() hook it up. */
  attach: AttachMethod;
  /** `ctx.ret()` reads the probed function's return value. */
  readsReturnValue: boolean;
  /** Whether BPF_PROG_TEST_RUN works for this kind on the machines we test on. */
  testRunnable: boolean;
}

const plain = (name: string) => () => name;
const prefixed = (prefix: string) => (target: string | null) => `${prefix}/${target}`;
/** struct pt_regs comes from the UAPI <asm/ptrace.h>; bpf_tracing.h picks its registers by __TARGET_ARCH_*. */
const PROBE_INCLUDES = ['#include <asm/ptrace.h>', '#include <bpf/bpf_tracing.h>'];
/** A kernel function or raw tracepoint: a C identifier, with the `.` of compiler clones such as `tcp_v4_rcv.cold`. */
const FUNCTION_TARGET: TargetRule = { kind: 'name', example: '"function_name"', pattern: { regex: /^[A-Za-z_][\w.]*$/, shape: 'a kernel function name (letters, digits, _ and .)' } };
/** The loaders resolve the symbol in the binary's ELF symbol table when they attach. */
const UPROBE_TARGET: TargetRule = { kind: 'name', example: '"/path/to/binary:function"', check: { code: 'KS2211', problem: (target) => errorOf(parseUprobeTarget(target)) } };
const errorOf = (parsed: { ok: true } | { ok: false; error: string }): string | null => (parsed.ok ? null : parsed.error);

const row = (info: Omit<ProgramKindInfo, 'includes' | 'readsReturnValue' | 'returnRange'> & Partial<ProgramKindInfo>): ProgramKindInfo => ({
  includes: [],
  readsReturnValue: false,
  returnRange: null,
  ...info,
});

export const PROGRAM_KINDS: Record<ProgramKind, ProgramKindInfo> = {
  xdp: row({ kind: 'xdp', context: 'XdpContext', returnType: 'XdpAction', target: { kind: 'none' }, section: plain('xdp'), attach: 'xdp', testRunnable: true }),
  tc: row({ kind: 'tc', context: 'TcContext', returnType: 'TcAction', target: { kind: 'direction', required: false }, section: plain('tc'), attach: 'tc', testRunnable: true }),
  kprobe: row({ kind: 'kprobe', context: 'KprobeContext', returnType: 'i32', target: FUNCTION_TARGET, section: prefixed('kprobe'), includes: PROBE_INCLUDES, attach: 'section', testRunnable: false }),
  kretprobe: row({ kind: 'kretprobe', context: 'KprobeContext', returnType: 'i32', target: FUNCTION_TARGET, section: prefixed('kretprobe'), includes: PROBE_INCLUDES, attach: 'section', readsReturnValue: true, testRunnable: false }),
  // BPF trampolines: libbpf finds the target in the kernel's BTF at load (this machine's kernel refuses to load them).
  fentry: row({ kind: 'fentry', context: 'TracingContext', returnType: 'i32', returnRange: [0, 0], target: FUNCTION_TARGET, section: prefixed('fentry'), attach: 'section', testRunnable: false }),
  fexit: row({ kind: 'fexit', context: 'TracingContext', returnType: 'i32', returnRange: [0, 0], target: FUNCTION_TARGET, section: prefixed('fexit'), attach: 'section', readsReturnValue: true, testRunnable: false }),
  tracepoint: row({
    kind: 'tracepoint',
    context: 'TracepointContext',
    returnType: 'i32',
    target: { kind: 'name', example: '"syscalls/sys_enter_getppid"', pattern: { regex: /^[\w]+\/[\w]+$/, shape: '"category/event"' } },
    section: prefixed('tracepoint'),
    attach: 'tracepoint',
    testRunnable: false,
  }),
  raw_tracepoint: row({ kind: 'raw_tracepoint', context: 'RawTracepointContext', returnType: 'i32', target: FUNCTION_TARGET, section: prefixed('raw_tracepoint'), attach: 'raw_tracepoint', testRunnable: true }),
  socket_filter: row({ kind: 'socket_filter', context: 'SkbContext', returnType: 'i32', target: { kind: 'none' }, section: plain('socket'), attach: 'socket', testRunnable: true }),
  cgroup_skb: row({ kind: 'cgroup_skb', context: 'SkbContext', returnType: 'i32', returnRange: [0, 1], target: { kind: 'direction', required: true }, section: prefixed('cgroup_skb'), attach: 'cgroup', testRunnable: true }),
  // The section names the target as libbpf spells it (`uprobe//bin/bash:readline`), so the object is self-describing.
  uprobe: row({ kind: 'uprobe', context: 'KprobeContext', returnType: 'i32', target: UPROBE_TARGET, section: prefixed('uprobe'), includes: PROBE_INCLUDES, attach: 'uprobe', testRunnable: false }),
  uretprobe: row({ kind: 'uretprobe', context: 'KprobeContext', returnType: 'i32', target: UPROBE_TARGET, section: prefixed('uretprobe'), includes: PROBE_INCLUDES, attach: 'uretprobe', readsReturnValue: true, testRunnable: false }),
  perf_event: row({
    kind: 'perf_event',
    context: 'PerfEventContext',
    returnType: 'i32',
    target: { kind: 'name', example: '"cpu-clock:freq=99"', check: { code: 'KS2212', problem: (target) => errorOf(parsePerfEventTarget(target)) } },
    section: plain('perf_event'),
    includes: ['#include <linux/bpf_perf_event.h>'],
    attach: 'perf_event',
    testRunnable: false,
  }),
};

/** The program kinds whose programs receive `context` (a row of CONTEXTS), in table order. */
export function programKindsWith(context: string): ProgramKind[] {
  return Object.values(PROGRAM_KINDS).filter((k) => k.context === context).map((k) => k.kind);
}

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
