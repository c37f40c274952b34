// Reading the kernel verifier's log: its decisive message, the instruction it
// stopped at, and the statistics it prints. Pure text processing with no
// imports, shared by the compiler's `verify` command and @kernelscript/runtime.

export interface VerifierReason {
  /** What the verifier said after the last instruction it printed, e.g. `invalid bpf_context access off=20 size=4`. */
  message: string;
  /** The instruction it stopped at: an `insn N` named in the message, or the last instruction printed. */
  instruction: number | null;
  /** The log lines before the reason (instructions, state, `; source @ file:line` annotations). */
  before: string[];
}

const STATISTICS_LINE = /^(verification time|stack depth|processed \d+ insns)/;
/** An instruction as the verifier prints it: `17: (0f) r7 += r0`. */
const INSTRUCTION_LINE = /^(\d+): \([0-9a-f]{2}\)/;
/** A source annotation from BTF line info: `; let x = 1; @ counter.ks:7`. */
const SOURCE_ANNOTATION = /^; /;
/** Register/state dumps and branch notes the verifier prints around instructions. */
const STATE_LINE = /^(\d+: R\d|R\d+=|from \d+ to \d+|\(\d+\) frame \d+ |mark_precise:|\s)/;

/** The decisive part of a verifier log: the lines between the last instruction or source annotation and the statistics. */
export function verifierReason(log: string): VerifierReason {
  const lines = log.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('-- END'));
  let end = lines.length;
  while (end > 0 && STATISTICS_LINE.test(lines[end - 1]!)) end--;
  let start = end;
  while (start > 0 && !INSTRUCTION_LINE.test(lines[start - 1]!) && !SOURCE_ANNOTATION.test(lines[start - 1]!)) start--;
  const reason = lines.slice(start, end).filter((line) => !STATE_LINE.test(line));
  const message = (reason.length > 0 ? reason : lines.slice(Math.max(0, end - 1), end)).join('; ');
  const named = /\binsn (\d+)/.exec(message);
  const last = start > 0 ? INSTRUCTION_LINE.exec(lines[start - 1]!) : null;
  return { message, instruction: named ? Number(named[1]) : last ? Number(last[1]) : null, before: lines.slice(0, start) };
}

/** The figures the kernel prints with BPF_LOG_STATS. */
export function verifierStatistics(log: string): { processedInstructions: number | null; stackDepth: number | null } {
  const processed = /^processed (\d+) insns/m.exec(log);
  const stack = /^stack depth ([\d+]+)/m.exec(log);
  return {
    processedInstructions: processed ? Number(processed[1]) : null,
    stackDepth: stack ? stack[1]!.split('+').reduce((sum, n) => sum + Number(n), 0) : null,
  };
}
