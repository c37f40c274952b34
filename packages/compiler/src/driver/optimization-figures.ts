// `build --optimize`: the instruction counts of the optimiser's report, measured
// in built objects instead of estimated from the IR. The source is compiled once
// per applied transformation with only the transformations up to it on, each
// stage's eBPF object is built, and every transformation gets the counts of the
// stage before it and of its own stage (the last stage is the object the build
// already made).
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile, type CompileOptions, type CompileResult } from '../compile.js';
import type { OptimizationReport } from '../phases/5-ir/optimize/optimization.js';
import { buildBpfObject, countInstructions } from './toolchain.js';
import { withTemporaryDirectory } from './temporary-directory.js';

export async function measureOptimization(
  source: string,
  options: CompileOptions,
  result: CompileResult,
  finalCounts: Map<string, number>,
): Promise<OptimizationReport | null> {
  const report = result.optimization;
  if (!report) return null;
  const kinds = report.applied.map((a) => a.kind);
  return withTemporaryDirectory(tmpdir(), 'kernelscript-optimize-', async (dir) => {
    // counts[i]: after the first i applied transformations (counts[0]: the unoptimised object).
    const counts: Map<string, number>[] = [];
    for (let stage = 0; stage < kinds.length; stage++) {
      const staged = compile(source, { ...options, optimize: stage === 0 ? false : kinds.slice(0, stage) });
      const cFile = join(dir, `stage${stage}.ebpf.c`);
      const object = join(dir, `stage${stage}.ebpf.o`);
      await writeFile(cFile, staged.files.find((f) => f.path === `${staged.name}.ebpf.c`)!.contents);
      await buildBpfObject(cFile, object);
      counts.push(await countInstructions(object));
    }
    counts.push(finalCounts);
    const applied = report.applied.map((step, i) => ({
      ...step,
      instructions: step.instructions.map((delta) => ({
        program: delta.program,
        before: counts[i]!.get(delta.program) ?? delta.before,
        after: counts[i + 1]!.get(delta.program) ?? delta.after,
        measured: counts[i]!.has(delta.program) && counts[i + 1]!.has(delta.program),
      })),
    }));
    return { ...report, applied };
  });
}
