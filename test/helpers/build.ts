// Builds a `.ks` system the way a user would: compile() it, write the
// generated files, and build them as the Makefile does (relative paths from the
// output directory, so `#line` names the .ks file): the eBPF object with clang
// -Werror and, when asked, the coordinator with gcc -Werror.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { compile, formatDiagnostic, type CompileResult, type SystemMetadata } from '../../packages/compiler/src/index.js';
import { buildBpfObject, buildCoordinator } from '../../packages/compiler/src/driver/toolchain.js';
import { kernelInputs } from '../../packages/compiler/src/driver/kernel-inputs.js';
import type { KernelInputs } from '../../packages/compiler/src/kernel/kernel-inputs.js';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
export const EXAMPLES = join(REPO_ROOT, 'examples');

export interface BuiltSystem {
  result: CompileResult;
  metadata: SystemMetadata;
  /** The output directory holding the generated and built files. */
  dir: string;
  /** The generated eBPF C and its clang -Werror object. */
  ebpfC: string;
  object: string;
  /** The generated coordinator C, and its binary when it was built (the object lies next to it). */
  coordinatorC: string;
  coordinator: string;
  /** Removes the output directory. */
  cleanup(): Promise<void>;
}

export interface BuildOptions {
  /** Also build the coordinator with gcc (default: only the eBPF object). */
  coordinator?: boolean;
  /** The kernel to compile kernel types for (default: this machine's, as the CLI does). */
  kernel?: KernelInputs;
}

/** Compiles `source` (named `filename` in diagnostics), failing with the formatted diagnostics when it does not compile. */
export function compileOrThrow(source: string, filename: string, kernel: KernelInputs = kernelInputs()): CompileResult {
  const result = compile(source, { filename, kernel });
  if (!result.ok) {
    throw new Error(`${filename} did not compile:\n${result.diagnostics.map((d) => formatDiagnostic(d, filename, source)).join('\n')}`);
  }
  return result;
}

export async function buildSystem(source: string, filename: string, options: BuildOptions = {}): Promise<BuiltSystem> {
  const result = compileOrThrow(source, filename, options.kernel);
  const dir = await mkdtemp(join(tmpdir(), 'ks-build-'));
  try {
    for (const file of result.files) await writeFile(join(dir, file.path), file.contents);
    // clang reads each `#line` file to put its source text into BTF line info (the
    // verifier prints it): place the .ks where that path resolves, as it does for
    // `kernelscript build` run next to the source.
    if (!isAbsolute(filename) && !filename.startsWith('..')) {
      await mkdir(dirname(join(dir, filename)), { recursive: true });
      await writeFile(join(dir, filename), source);
    }
    const contents = (path: string) => result.files.find((f) => f.path === path)!.contents;
    const object = join(dir, `${result.name}.ebpf.o`);
    const coordinator = join(dir, result.name);
    await buildBpfObject(`${result.name}.ebpf.c`, object, { cwd: dir, cflags: ['-Werror'] });
    if (options.coordinator) await buildCoordinator(`${result.name}.c`, coordinator, { cwd: dir, cflags: ['-Werror'] });
    return {
      result,
      metadata: result.metadata!,
      dir,
      ebpfC: contents(`${result.name}.ebpf.c`),
      object,
      coordinatorC: contents(`${result.name}.c`),
      coordinator,
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Builds `examples/<name>.ks`; diagnostics name it by its repository path, as the CLI would. */
export async function buildExample(name: string, options: BuildOptions = {}): Promise<BuiltSystem> {
  const path = join(EXAMPLES, `${name}.ks`);
  return buildSystem(await readFile(path, 'utf8'), relative(REPO_ROOT, path), options);
}
