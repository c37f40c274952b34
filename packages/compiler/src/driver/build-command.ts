// What `build` and `verify` add to a compile: clang (and gcc for a written
// project), instruction counts from the object, and the kernel verifier when
// asked. Loaded only by those commands: it brings the toolchain (execa) in,
// which a plain compile never needs.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompileOptions, CompileResult } from '../compile.js';
import type { BuildFigures } from './build-figures.js';
import { measureOptimization } from './optimization-figures.js';
import { buildBpfObject, buildCoordinator, countInstructions } from './toolchain.js';
import { verifyObject } from './verify.js';

export interface BuildInput {
  file: string;
  source: string;
  compileOptions: CompileOptions;
}

/** Builds what `result` generated into `dir` (where its files may already be written); `say` announces each step. */
export async function buildAndMeasure(result: CompileResult, dir: string, verify: boolean, input: BuildInput, say: (step: string) => void): Promise<BuildFigures> {
  const object = join(dir, `${result.name}.ebpf.o`);
  const cSource = join(dir, `${result.name}.ebpf.c`);
  if (!existsSync(cSource)) await writeFile(cSource, result.files.find((f) => f.path === `${result.name}.ebpf.c`)!.contents);
  say(`clang: ${result.name}.ebpf.c → ${result.name}.ebpf.o`);
  await buildBpfObject(cSource, object);
  if (existsSync(join(dir, `${result.name}.c`))) {
    say(`gcc: ${result.name}.c → ${result.name}`);
    await buildCoordinator(join(dir, `${result.name}.c`), join(dir, result.name));
  }
  const instructions = await countInstructions(object);
  if (result.optimization && result.optimization.applied.length > 0) say(`clang: measuring ${result.optimization.applied.length} optimization step(s)`);
  const optimization = await measureOptimization(input.source, input.compileOptions, result, instructions);
  if (!verify) return { instructions, verification: null, optimization };
  say(`verifier: loading ${result.analysis!.programs.length} program(s) into the kernel`);
  const verification = await verifyObject(object, result.analysis!.programs.map((p) => p.name), { filename: input.file, source: input.source });
  return { instructions, verification, optimization };
}

/** `verify` without a project: the object is built in a directory removed afterwards. */
export async function buildInScratchDirectory(result: CompileResult, input: BuildInput, say: (step: string) => void): Promise<BuildFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'kernelscript-verify-'));
  try {
    return await buildAndMeasure(result, dir, true, input, say);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
