// Warm in-process compile time per example, and the BPF instruction count of
// each program in the built object. (The CLI's start-up: 0-startup.) Examples
// are given this machine's kernel types, as the CLI gives them; the target is
// judged on CPU time (a loaded machine's wall time is mostly waiting), both
// are printed.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../packages/compiler/dist/index.js';
import { buildBpfObject, countInstructions, kernelInputs } from '../packages/compiler/dist/driver/index.js';
import { median, medianMs, printTable, recordTarget, verdict } from './measure.mjs';

export const name = 'Compiler: compile time and program size';

const repoRoot = join(import.meta.dirname, '..');
/** Issue target: every example compiles in-process, warm, in at most this many ms (median). */
const WARM_TARGET_MS = 1;

export async function run() {
  const examples = readdirSync(join(repoRoot, 'examples')).filter((f) => f.endsWith('.ks')).sort();
  const work = await mkdtemp(join(tmpdir(), 'ks-bench-'));
  const rows = [];
  const warm = [];
  const kernel = kernelInputs();
  try {
    for (const file of examples) {
      const filename = `examples/${file}`;
      const source = readFileSync(join(repoRoot, filename), 'utf8');
      const result = compile(source, { filename, kernel });
      if (!result.ok) {
        rows.push([file, `compile error: ${result.diagnostics.find((d) => d.severity === 'error')?.message}`, '', '']);
        continue;
      }
      const inProcess = await medianMs(() => compile(source, { filename, kernel }), { warmup: 50, iterations: 300, clock: 'cpu' });
      const inProcessWall = await medianMs(() => compile(source, { filename, kernel }), { warmup: 0, iterations: 300 });
      const cFile = join(work, `${result.name}.ebpf.c`);
      const object = join(work, `${result.name}.ebpf.o`);
      await writeFile(cFile, result.files[0].contents);
      let sizes;
      try {
        await buildBpfObject(cFile, object);
        sizes = [...(await countInstructions(object))].map(([program, n]) => `${program}=${n}`).join(' ');
      } catch (error) {
        sizes = `clang failed: ${String(error.message).split('\n')[0]}`;
      }
      warm.push({ file, ms: inProcess });
      rows.push([file, inProcess.toFixed(3), inProcessWall.toFixed(3), sizes]);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  printTable(['example', 'compile CPU ms (median, in-process, warm)', 'wall ms', 'BPF instructions per program'], rows);
  const slowest = warm.reduce((a, b) => (b.ms > a.ms ? b : a));
  const met = recordTarget({ target: 'in-process compile per example, warm, CPU (slowest example)', figure: slowest.ms, unit: 'ms', limit: WARM_TARGET_MS, note: slowest.file });
  console.log(`\nwarm in-process compile, CPU: median over examples ${median(warm.map((w) => w.ms)).toFixed(3)} ms, slowest ${slowest.ms.toFixed(3)} ms (${slowest.file}); target ≤ ${WARM_TARGET_MS} ms for every example: ${verdict(met)}`);
}
