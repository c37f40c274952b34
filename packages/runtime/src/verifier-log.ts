// Reading a verifier refusal out of libbpf's log: which program, the
// verifier's decisive message, and the source line it stopped at. The source
// line comes from the `; <text> @ <file>:<line>` annotations the kernel prints
// from the object's BTF line info; KernelScript's generated C carries `#line`
// directives, so those name the `.ks` file. The decisive message is read as
// the compiler's `verify` command reads it (shared code); the compiler maps the
// instruction with llvm-objdump, while the runtime starts no processes and
// reads only what the kernel printed.
import { verifierReason } from '@kernelscript/shared';

export interface SourceLine {
  /** The file the BTF line info names: the `.ks` file for KernelScript objects. */
  file: string;
  line: number;
  /** The source text of that line as the kernel printed it (may be empty). */
  text: string;
}

export interface VerifierRefusal {
  program: string;
  /** The verifier's reason, e.g. `invalid bpf_context access off=9000 size=8`. */
  message: string;
  /** Where in the source the verifier stopped; null when the log names no source line. */
  location: SourceLine | null;
  /** The whole verifier log of that program. */
  log: string;
}

const LOAD_LOG = /prog '([^']+)': -- BEGIN PROG LOAD LOG --\n([\s\S]*?)-- END PROG LOAD LOG --/g;
/** A source annotation from BTF line info: `; let x = 1; @ counter.ks:7`. */
const SOURCE_ANNOTATION = /^; (.*) @ (.+):(\d+)$/;

/** The refusal in a libbpf log of a failed object load, or null when the log holds no program load log. */
export function verifierRefusal(libbpfLog: string): VerifierRefusal | null {
  const block = [...libbpfLog.matchAll(LOAD_LOG)].at(-1);
  if (block === undefined) return null;
  const [, program, log] = block as unknown as [string, string, string];
  const { message, before } = verifierReason(log);
  return { program, message, location: lastAnnotation(before), log };
}

function lastAnnotation(lines: string[]): SourceLine | null {
  for (let index = lines.length - 1; index >= 0; index--) {
    const match = SOURCE_ANNOTATION.exec(lines[index]!);
    // Line 0 marks compiler-generated code with no source line.
    if (match && match[3] !== '0') return { file: match[2]!, line: Number(match[3]), text: match[1]!.trim() };
  }
  return null;
}
