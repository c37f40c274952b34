// What `build` and `verify` add to a compile: the eBPF object (clang), the
// coordinator (gcc) for a written project, instruction counts from the
// object, and the kernel verifier when asked. Objects and coordinators come
// from the build cache when their inputs are unchanged (build-cache.ts).
// Loaded only by those commands: it brings the toolchain (execa) in, which a
// plain compile never needs.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompileOptions, CompileResult } from '../compile.js';
import { cachedBpfObject, cachedCoordinator, writeExecutable } from './build-cache.js';
import type { BuildFigures } from './build-figures.js';
import { measureOptimization } from './optimization-figures.js';
import { countInstructions } from './toolchain.js';
import { verifyObject } from './verify.js';
import { withTemporaryDirectory } from './temporary-directory.js';

export interface BuildInput {
  file: string;
  source: string;
  compileOptions: CompileOptions;
  cacheDir: string;
}

export interface BuildOutcome {
  figures: BuildFigures;
  /** The tools that ran ('clang', 'gcc'); empty when the cache had everything. */
  toolsRun: string[];
}

/** Builds what `result` generated into `dir` (where its files may already be written); `say` announces each step. */
export async function buildAndMeasure(result: CompileResult, dir: string, verify: boolean, input: BuildInput, say: (step: string) => void): Promise<BuildOutcome> {
  const generated = (path: string) => result.files.find((f) => f.path === path)!.contents;
  const toolsRun: string[] = [];
  const fromCache = (built: boolean, tool: string) => {
    if (built) toolsRun.push(tool);
    return built ? '' : ' (unchanged: from the build cache)';
  };
  const object = join(dir, `${result.name}.ebpf.o`);
  const built = await cachedBpfObject({ name: result.name, cSource: generated(`${result.name}.ebpf.c`), ks: { path: input.file, text: input.source }, cacheDir: input.cacheDir });
  await writeFile(object, built.bytes);
  say(`clang: ${result.name}.ebpf.c → ${result.name}.ebpf.o${fromCache(built.built, 'clang')}`);
  if (existsSync(join(dir, `${result.name}.c`))) {
    const coordinator = await cachedCoordinator({ name: result.name, cSource: generated(`${result.name}.c`), object: built.bytes, cacheDir: input.cacheDir });
    await writeExecutable(join(dir, result.name), coordinator.bytes);
    say(`gcc: ${result.name}.c → ${result.name}${fromCache(coordinator.built, 'gcc')}`);
  }
  const instructions = await countInstructions(object);
  if (result.optimization && result.optimization.applied.length > 0) say(`clang: measuring ${result.optimization.applied.length} optimization step(s)`);
  const optimization = await measureOptimization(input.source, input.compileOptions, result, instructions);
  if (!verify) return { figures: { instructions, verification: null, optimization }, toolsRun };
  say(`verifier: loading ${result.analysis!.programs.length} program(s) into the kernel`);
  const verification = await verifyObject(object, result.analysis!.programs.map((p) => p.name), { filename: input.file, source: input.source });
  return { figures: { instructions, verification, optimization }, toolsRun };
}

/** `verify` without a project: the object is built in a directory removed afterwards. */
export async function buildInScratchDirectory(result: CompileResult, input: BuildInput, say: (step: string) => void): Promise<BuildOutcome> {
  return withTemporaryDirectory(tmpdir(), 'kernelscript-verify-', (dir) => buildAndMeasure(result, dir, true, input, say));
}
