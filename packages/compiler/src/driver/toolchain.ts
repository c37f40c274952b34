// Runs the C toolchain for generated code: clang for the eBPF object, gcc for
// the coordinator. Argument arrays through execa, never a shell string.
import { execa, ExecaError } from 'execa';
import { BPF_CC, BPF_CFLAGS, BPF_TARGET_ARCH, CC, CFLAGS, LIBS } from '../toolchain-flags.js';
import { missingToolError, ToolchainError } from './toolchain-error.js';

export { INSTALL_HINT, missingToolError, ToolchainError } from './toolchain-error.js';

/** The answer per clang: a long-lived process (a bundler in watch mode) asks once. */
const multiarchIncludes = new Map<string, Promise<string[]>>();

/**
 * `-I/usr/include/<multiarch>`: clang -target bpf needs it for <asm/types.h>. The clang
 * that builds the object answers, so building an eBPF object needs no C compiler.
 */
export function archIncludeFlags(clang = BPF_CC): Promise<string[]> {
  let flags = multiarchIncludes.get(clang);
  if (flags === undefined) {
    flags = run(clang, ['-print-multiarch'], `${clang} -print-multiarch`).then((out) => {
      const triple = out.trim();
      return triple ? [`-I/usr/include/${triple}`] : [];
    });
    // A failure is not remembered: the tool may be installed while a watch session runs.
    flags.catch(() => multiarchIncludes.delete(clang));
    multiarchIncludes.set(clang, flags);
  }
  return flags;
}

export interface ToolchainOptions {
  clang?: string;
  cc?: string;
  /** Extra flags for the eBPF compile (e.g. `-Werror`). */
  cflags?: string[];
  /** Working directory for the tools; generated C uses paths relative to it. */
  cwd?: string;
}

/** clang -target bpf: `<name>.ebpf.c` → `<name>.ebpf.o`. */
export async function buildBpfObject(source: string, object: string, options: ToolchainOptions = {}): Promise<void> {
  const clang = options.clang ?? BPF_CC;
  const targetArch = BPF_TARGET_ARCH[process.arch];
  const archDefine = targetArch ? [`-D__TARGET_ARCH_${targetArch}`] : [];
  const flags = [...BPF_CFLAGS, ...(await archIncludeFlags(clang)), ...archDefine, ...(options.cflags ?? [])];
  await run(clang, [...flags, '-c', source, '-o', object], `${clang} (eBPF object)`, options.cwd);
}

/** gcc: the userspace coordinator, linked against libbpf. */
export async function buildCoordinator(source: string, binary: string, options: ToolchainOptions = {}): Promise<void> {
  const cc = options.cc ?? CC;
  await run(cc, [...CFLAGS, ...(options.cflags ?? []), '-o', binary, source, ...LIBS], `${cc} (coordinator)`, options.cwd);
}

/** Version line of a tool, for cache keys. */
export async function toolVersion(tool: string): Promise<string> {
  return (await run(tool, ['--version'], `${tool} --version`)).split('\n')[0] ?? '';
}

/** BPF instructions per program function in a built object (ld_imm64 counts as two, as the kernel counts). */
export async function countInstructions(object: string): Promise<Map<string, number>> {
  const out = await run('llvm-readelf', ['--symbols', '--wide', object], 'llvm-readelf --symbols');
  const counts = new Map<string, number>();
  for (const line of out.split('\n')) {
    // Num: Value Size Type Bind Vis Ndx Name
    const fields = line.trim().split(/\s+/);
    if (fields.length < 8 || fields[3] !== 'FUNC' || fields[4] !== 'GLOBAL') continue;
    counts.set(fields[7]!, Number(fields[2]) / 8);
  }
  return counts;
}

async function run(command: string, args: string[], step: string, cwd?: string): Promise<string> {
  try {
    const result = await execa(command, args, { cwd, all: true });
    return result.stdout;
  } catch (error) {
    if (error instanceof ExecaError) {
      if ((error as { code?: string }).code === 'ENOENT') throw missingToolError(command, step);
      throw new ToolchainError(step, String(error.all ?? error.stderr ?? error.message));
    }
    throw error;
  }
}
