// @kernelscript/shared — what the compiler and the runtime both speak, with no
// dependencies: the metadata of a compiled system (types only), what attaching
// each program kind takes, and the reader of the kernel verifier's log. The
// runtime installs this, not the compiler.
export type * from './metadata.js';
export { verifierReason, verifierStatistics, type VerifierReason } from './verifier-log.js';
export { ATTACH_TARGETS, type AttachTargetKind } from './attach-targets.js';
export { BPFFS_ROOT, movePinPath, pinPathProblem, pinRootProblem } from './pin-path.js';
export {
  DEFAULT_PERF_FREQUENCY,
  PERF_EVENTS,
  PERF_TYPE,
  parsePerfEventTarget,
  parseUprobeTarget,
  type Parsed,
  type PerfEventName,
  type PerfEventTarget,
  type UprobeTarget,
} from './probe-targets.js';
