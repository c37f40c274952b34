// Compile speed per example (in-process and through the CLI) and the BPF
// instruction count of each program in the built object.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { compile } from '../packages/compiler/dist/index.js';
import { buildBpfObject, countInstructions } from '../packages/compiler/dist/driver/index.js';
import { medianMs, printTable } from './measure.mjs';

export const name = 'Compiler: compile time and program size';

const repoRoot = join(import.meta.dirname, '..');
const bin = join(repoRoot, 'packages/compiler/bin/kernelscript.js');
/** Issue target: the seed example compiles in-process in at most this many ms (median). */
const SEED_TARGET_MS = 2;

export async function run() {
  const examples = readdirSync(join(repoRoot, 'examples')).filter((f) => f.endsWith('.ks')).sort();
  const work = await mkdtemp(join(tmpdir(), 'ks-bench-'));
  const rows = [];
  let seedMs = null;
  try {
    for (const file of examples) {
      const filename = `examples/${file}`;
      const source = readFileSync(join(repoRoot, filename), 'utf8');
      const result = compile(source, { filename });
      if (!result.ok) {
        rows.push([file, 'compile error', '', '']);
        continue;
      }
      const inProcess = await medianMs(() => compile(source, { filename }), { warmup: 50, iterations: 300 });
      const cli = await medianMs(() => execa(process.execPath, [bin, filename, '-o', join(work, result.name), '--quiet'], { cwd: repoRoot }), {
        warmup: 2,
        iterations: 9,
      });
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
      if (file === 'multi_programs.ks') seedMs = inProcess;
      rows.push([file, inProcess.toFixed(3), cli.toFixed(1), sizes]);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  printTable(['example', 'compile ms (median, in-process)', 'CLI ms (median)', 'BPF instructions per program'], rows);
  if (seedMs !== null) {
    console.log(`\nseed example in-process compile: ${seedMs.toFixed(3)} ms median (target ≤ ${SEED_TARGET_MS} ms: ${seedMs <= SEED_TARGET_MS ? 'met' : 'NOT met'})`);
  }
}
