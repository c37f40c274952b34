// Builds a `.ks` program the way a user would: compile() it, write the eBPF C,
// and compile that with clang -Werror. Kernel tests then load the object
// through @kernelscript/runtime, which verifies every program, fills the
// tail-call table and sets config, as the generated coordinator does.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { compile, formatDiagnostic, type CompileResult, type SystemMetadata } from '../../packages/compiler/src/index.js';
import { buildBpfObject } from '../../packages/compiler/src/driver/toolchain.js';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
export const EXAMPLES = join(REPO_ROOT, 'examples');

export interface BuiltExample {
  result: CompileResult;
  metadata: SystemMetadata;
  /** The generated eBPF C. */
  ebpfC: string;
  /** The clang -Werror object. */
  object: string;
  /** Removes the build directory. */
  cleanup(): Promise<void>;
}

/** Compiles `source` (named `filename` in diagnostics), failing with the formatted diagnostics when it does not compile. */
export function compileOrThrow(source: string, filename: string): CompileResult {
  const result = compile(source, { filename });
  if (!result.ok) {
    throw new Error(`${filename} did not compile:\n${result.diagnostics.map((d) => formatDiagnostic(d, filename, source)).join('\n')}`);
  }
  return result;
}

/** Compiles source text and builds its eBPF object with `clang -Werror`. */
export async function buildSource(source: string, filename: string): Promise<BuiltExample> {
  const result = compileOrThrow(source, filename);
  const dir = await mkdtemp(join(tmpdir(), 'ks-lang-'));
  const cFile = result.files.find((f) => f.path.endsWith('.ebpf.c'))!;
  const cPath = join(dir, cFile.path);
  await writeFile(cPath, cFile.contents);
  const object = join(dir, `${result.name}.ebpf.o`);
  await buildBpfObject(cPath, object, { cflags: ['-Werror'] });
  return { result, metadata: result.metadata!, ebpfC: cFile.contents, object, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Builds `examples/<name>.ks`; diagnostics name it by its repository path, as the CLI would. */
export async function buildExample(name: string): Promise<BuiltExample> {
  const path = join(EXAMPLES, `${name}.ks`);
  return buildSource(await readFile(path, 'utf8'), relative(REPO_ROOT, path));
}
