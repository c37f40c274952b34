// The kernel verifier in the loop: every program of a built object is loaded
// on its own (so one refusal does not hide the others' verdicts), and a
// refusal is traced back to the `.ks` line through the object's line info.
import { verifierReason, verifierStatistics } from '@kernelscript/shared';
import { execa } from 'execa';
import { ToolchainError } from './toolchain-error.js';
import { verifierProbe } from './verifier-probe.js';

/** log_level bits of BPF_PROG_LOAD. */
const LOG_INSTRUCTIONS = 1;
const LOG_STATS = 4;
/** Raw log lines kept for `--verbose`. */
const LOG_TAIL_LINES = 40;
/** What bpf(BPF_PROG_LOAD) returns when the caller may not load programs at all. */
const EPERM = -1;

export interface SourcePoint {
  /** The `.ks` file, or the generated C file when the instruction came from code outside any `.ks` statement. */
  file: string;
  line: number;
  /** Null when only the line is known (a generated C line). */
  column: number | null;
}

export interface VerifierRefusal {
  /** The verifier's decisive message (the last thing it said before giving up). */
  message: string;
  /** The load's error code (negative errno). */
  errno: number;
  /** Instruction index in the program where the verifier stopped, when the log names one. */
  instruction: number | null;
  location: SourcePoint | null;
  /** The last lines of the raw verifier log. */
  logTail: string[];
}

export interface ProgramVerdict {
  program: string;
  accepted: boolean;
  /** "processed N insns": instructions the verifier walked (all paths), not the program length. */
  processedInstructions: number | null;
  /** "stack depth N[+M...]": bytes of stack the verifier saw used, summed over subprograms. */
  stackDepth: number | null;
  refusal: VerifierRefusal | null;
}

export interface VerificationReport {
  accepted: boolean;
  programs: ProgramVerdict[];
}

export interface VerifyOptions {
  /** The `.ks` path as the `#line` directives name it. */
  filename: string;
  /** The `.ks` text, for columns. */
  source: string;
}

/** Loads each of `programs` from `object` into the kernel and reports the verifier's verdicts. Creates no pins. */
export async function verifyObject(object: string, programs: string[], options: VerifyOptions): Promise<VerificationReport> {
  const probe = await verifierProbe();
  let lines: LineTable | null = null;
  const verdicts: ProgramVerdict[] = [];
  for (const program of programs) {
    const first = await load(probe, object, program, LOG_STATS);
    // Not a verdict: the kernel never ran the verifier (and wrote no log).
    if (first.errno === EPERM && first.log.trim() === '') throw permissionError(program);
    if (first.accepted) {
      verdicts.push({ program, accepted: true, ...verifierStatistics(first.log), refusal: null });
      continue;
    }
    // Refused: load again asking for the instruction trace that says where and why.
    const traced = await load(probe, object, program, LOG_INSTRUCTIONS | LOG_STATS);
    const log = traced.log || first.log;
    lines ??= await lineTable(object);
    const { message, instruction } = verifierReason(log);
    verdicts.push({
      program,
      accepted: false,
      ...verifierStatistics(log),
      refusal: {
        message,
        errno: first.errno,
        instruction,
        location: instruction === null ? null : locate(lines, program, instruction, options),
        logTail: log.trimEnd().split('\n').slice(-LOG_TAIL_LINES),
      },
    });
  }
  return { accepted: verdicts.every((v) => v.accepted), programs: verdicts };
}

function permissionError(program: string): ToolchainError {
  return new ToolchainError(
    'the kernel verifier',
    `the kernel did not let this process load program '${program}' (EPERM): loading BPF programs needs root, ` +
      'or the capabilities CAP_BPF and CAP_PERFMON (tracing programs) or CAP_NET_ADMIN (xdp, tc, socket filters)',
    'run it as root (sudo kernelscript verify …), or grant the capabilities (setpriv --ambient-caps +bpf,+perfmon,+net_admin …)',
  );
}

async function load(probe: string, object: string, program: string, level: number): Promise<{ accepted: boolean; errno: number; log: string }> {
  const result = await execa(probe, [object, program, String(level)], { reject: false, maxBuffer: 64 << 20 });
  const [verdict, ...log] = result.stdout.split('\n');
  const match = /^verdict (accepted|refused) (-?\d+)$/.exec(verdict ?? '');
  if (result.exitCode !== 0 || !match) throw new Error(`verifier probe failed for ${program}: ${result.stderr || result.stdout}`);
  return { accepted: match[1] === 'accepted', errno: Number(match[2]), log: log.join('\n') };
}

/** Per program: instruction index → source file and line, from the DWARF line table (llvm-objdump -l). */
type LineTable = Map<string, Map<number, { file: string; line: number }>>;

async function lineTable(object: string): Promise<LineTable> {
  const { stdout } = await execa('llvm-objdump', ['-d', '-l', '--no-show-raw-insn', object]);
  const table: LineTable = new Map();
  let current: Map<number, { file: string; line: number }> | null = null;
  let start = 0;
  let where: { file: string; line: number } | null = null;
  for (const text of stdout.split('\n')) {
    const symbol = /^([0-9a-f]+) <([^>]+)>:$/.exec(text);
    // Branch targets (`<LBB0_6>:`) are labels inside the current function.
    if (symbol && !/^(LBB|\.L)/.test(symbol[2]!)) {
      current = new Map();
      table.set(symbol[2]!, current);
      start = parseInt(symbol[1]!, 16) / 8;
      where = null;
      continue;
    }
    const source = /^; (.+):(\d+)$/.exec(text);
    if (source) {
      where = { file: source[1]!, line: Number(source[2]) };
      continue;
    }
    const insn = /^\s+(\d+):\t/.exec(text);
    if (insn && current && where) current.set(Number(insn[1]) - start, where);
  }
  return table;
}

function locate(table: LineTable, program: string, instruction: number, options: VerifyOptions): SourcePoint | null {
  const rows = table.get(program);
  if (!rows) return null;
  // An ld_imm64 takes two slots: walk back to the nearest instruction with a row.
  let hit: { file: string; line: number } | undefined;
  for (let i = instruction; i >= 0 && !hit; i--) hit = rows.get(i);
  if (!hit) return null;
  if (!isFile(hit.file, options.filename)) return { file: hit.file, line: hit.line, column: null };
  // `#line` carries no column: point at the statement, which starts the line.
  const text = options.source.split('\n')[hit.line - 1] ?? '';
  const column = text.length - text.trimStart().length + 1;
  return { file: options.filename, line: hit.line, column };
}

/** objdump joins the `#line` name with the compilation directory. */
function isFile(path: string, filename: string): boolean {
  const name = filename.replace(/^\.\//, '');
  return path === filename || path.endsWith(`/${name}`);
}
