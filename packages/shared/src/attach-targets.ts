// What attaching a program of each kind from JavaScript takes, one row per
// kind: the runtime's attach()/attachAll() follow it, and the declaration
// file of a `.ks` import types `attachAll(targets)` from it.
import type { ProgramKind } from './metadata.js';

/**
 * - `interface`: a network interface (name or `{ ifindex }`), never declared in the source;
 * - `event`: a tracepoint `"category/event"` or raw tracepoint event, defaulting to the declared target;
 * - `section`: nothing: libbpf attaches from the ELF section (kprobes);
 * - `unsupported`: not attached by the runtime (use the program's fd).
 */
export type AttachTargetKind = 'interface' | 'event' | 'section' | 'unsupported';

export const ATTACH_TARGETS: Record<ProgramKind, AttachTargetKind> = {
  xdp: 'interface',
  tc: 'interface',
  tracepoint: 'event',
  raw_tracepoint: 'event',
  kprobe: 'section',
  kretprobe: 'section',
  socket_filter: 'unsupported',
  cgroup_skb: 'unsupported',
};
