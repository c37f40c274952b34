// What attaching a program from JavaScript takes, by its attach method (the
// program metadata's `attach`, from the compiler's program-kind table): the
// runtime's attach()/attachAll() follow it, and the declaration file of a
// `.ks` import types `attachAll(targets)` from it.
import type { AttachMethod } from './metadata.js';

/**
 * - `interface`: a network interface (name or `{ ifindex }`), never declared in the source;
 * - `event`: a tracepoint `"category/event"`, a raw tracepoint event, a uprobe's `"/path:symbol"` or a
 *   perf event `"cpu-clock:freq=99"`, defaulting to the declared target;
 * - `section`: nothing: libbpf attaches from the ELF section (kprobes);
 * - `unsupported`: not attached by the runtime (use the program's fd).
 */
export type AttachTargetKind = 'interface' | 'event' | 'section' | 'unsupported';

export const ATTACH_TARGETS: Record<AttachMethod, AttachTargetKind> = {
  xdp: 'interface',
  tc: 'interface',
  tracepoint: 'event',
  raw_tracepoint: 'event',
  uprobe: 'event',
  uretprobe: 'event',
  perf_event: 'event',
  section: 'section',
  socket: 'unsupported',
  cgroup: 'unsupported',
};
