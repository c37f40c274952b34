// `load(…, { verifierLog })`: per-program log buffers handed to libbpf before
// load, so the verifier's log of an accepted program can be read afterwards.
import { check, lib, type BpfProgram } from './libbpf.js';

export type VerifierLogLevel = 'stats' | 'instructions';

/**
 * BPF_PROG_LOAD log_level bits. Level 1 keeps only the path that failed (the
 * kernel rewinds the log after every path it proves safe), so an accepted
 * program's trace needs level 2.
 */
const LOG_EVERY_PATH = 2;
const LOG_STATS = 4;
const LEVELS: Record<VerifierLogLevel, { level: number; size: number }> = {
  stats: { level: LOG_STATS, size: 64 << 10 },
  // The instruction trace of a large program runs to megabytes; the kernel fails the load (ENOSPC) when it does not fit.
  instructions: { level: LOG_EVERY_PATH | LOG_STATS, size: 16 << 20 },
};

export interface VerifierLogs {
  /** The log the kernel wrote for `program` (empty when it wrote none). */
  read(program: string): string;
}

/** Gives each program a log buffer and log level; the buffers must outlive bpf_object__load. */
export function captureVerifierLogs(programs: Record<string, BpfProgram>, level: VerifierLogLevel): VerifierLogs {
  const settings = LEVELS[level];
  if (settings === undefined) throw new TypeError(`verifierLog must be 'stats' or 'instructions', got ${String(level)}`);
  const buffers = new Map<string, Buffer>();
  for (const [name, program] of Object.entries(programs)) {
    // Untouched pages cost nothing until the kernel writes them.
    const buffer = Buffer.allocUnsafeSlow(settings.size);
    buffer[0] = 0;
    check(`setting the log buffer of program '${name}'`, () => lib.bpf_program__set_log_buf(program, buffer, buffer.length) as number);
    check(`setting the log level of program '${name}'`, () => lib.bpf_program__set_log_level(program, settings.level) as number);
    buffers.set(name, buffer);
  }
  return {
    read(program) {
      const buffer = buffers.get(program);
      if (buffer === undefined) return '';
      const end = buffer.indexOf(0);
      return buffer.toString('utf8', 0, end < 0 ? buffer.length : end);
    },
  };
}
