// unplugin-kernelscript: a real example-app build with an empty object cache
// (clang runs) against one with a warm cache (it does not), and the plugin's
// own time per `.ks` module with clang out of the picture, judged on CPU time
// (on a loaded machine the wall time is mostly waiting; both are printed).
// Needs `pnpm build` first: the app and this bench use the plugin's dist.
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { clangInvocations, moduleCompilations, unpluginFactory } from '../packages/unplugin/dist/index.js';
import { median, medianMs, printTable, recordTarget, verdict } from './measure.mjs';

export const name = 'unplugin-kernelscript: cold and warm builds, plugin overhead per .ks module';

const repoRoot = join(import.meta.dirname, '..');
const APP = join(repoRoot, 'examples/rollup-app');
/** Issue target: the plugin's own work per `.ks` module, clang excluded, in ms (median). */
const OVERHEAD_TARGET_MS = 5;
const BUILDS = 9;
const WARMUP_ROUNDS = 5;
const ROUNDS = 60;

export async function run() {
  await appBuilds();
  console.log('');
  await pluginOverhead();
}

/**
 * `rollup -c` of examples/rollup-app: cold = empty cacheDir (clang runs), warm = the cache the
 * cold build just filled. Cold and warm alternate, so both see the same load on the machine.
 */
async function appBuilds() {
  const cacheDir = join(APP, 'node_modules/.cache/kernelscript');
  const build = async () => {
    const start = process.hrtime.bigint();
    await execa(join(APP, 'node_modules/.bin/rollup'), ['-c', 'rollup.config.mjs', '--silent'], { cwd: APP });
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  await build();
  const cold = [];
  const warm = [];
  for (let i = 0; i < BUILDS; i++) {
    await rm(cacheDir, { recursive: true, force: true });
    cold.push(await build());
    warm.push(await build());
  }
  const [coldMs, warmMs] = [median(cold), median(warm)];
  printTable(
    ['examples/rollup-app build (rollup -c, whole process)', `ms (median of ${BUILDS})`],
    [
      ['cold: empty object cache, clang runs', coldMs.toFixed(0)],
      ['warm: object cache filled, clang does not run', warmMs.toFixed(0)],
      ['saved by the cache', `${(coldMs - warmMs).toFixed(0)} (${((1 - warmMs / coldMs) * 100).toFixed(0)}%)`],
    ],
  );
}

/**
 * The plugin's `load` of each example `.ks` with the object cache warm, so no clang runs:
 * KernelScript → C, the cache key and read, the JS module, the declaration check.
 * A fresh plugin instance per call, so its in-memory watch memo never answers; the memo
 * hit (what a watch rebuild of an unchanged module costs) is the last column. Rounds go
 * over every module in turn, so a burst of load on the machine hits all of them alike.
 */
async function pluginOverhead() {
  const work = await mkdtemp(join(tmpdir(), 'ks-bench-unplugin-'));
  const context = { addWatchFile() {}, warn() {}, emitFile() {} };
  const options = { cacheDir: join(work, 'cache') };
  const load = (path) => unpluginFactory(options, { framework: 'rollup' }).load.call(context, path);
  const rows = [];
  try {
    const modules = [];
    for (const file of (await readdir(join(repoRoot, 'examples'))).filter((f) => f.endsWith('.ks')).sort()) {
      const path = join(work, file);
      await cp(join(repoRoot, 'examples', file), path);
      try {
        await load(path); // fills the object cache: the only clang run
        modules.push({ file, path, samples: [], cpuSamples: [] });
      } catch (error) {
        rows.push([file, `does not build: ${String(error.message).split('\n')[0].slice(0, 70)}`, '', '', '']);
      }
    }
    const clangBefore = clangInvocations();
    const compilesBefore = moduleCompilations();
    for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
      for (const module of modules) {
        const start = process.hrtime.bigint();
        const cpu = process.cpuUsage();
        await load(module.path);
        const used = process.cpuUsage(cpu);
        if (round >= WARMUP_ROUNDS) {
          module.samples.push(Number(process.hrtime.bigint() - start) / 1e6);
          module.cpuSamples.push((used.user + used.system) / 1000);
        }
      }
    }
    if (clangInvocations() !== clangBefore) throw new Error('clang ran during the warm measurement');
    const compilesPerModule = (moduleCompilations() - compilesBefore) / modules.length;
    for (const module of modules) {
      const watching = unpluginFactory(options, { framework: 'rollup' });
      const memoHit = await medianMs(() => watching.load.call(context, module.path), { warmup: 5, iterations: 50 });
      module.median = median(module.cpuSamples);
      rows.push([module.file, module.median.toFixed(2), median(module.samples).toFixed(2), String(compilesPerModule), memoHit.toFixed(3)]);
    }
    rows.sort((a, b) => a[0].localeCompare(b[0]));
    printTable(['example', 'plugin load CPU ms, object cache warm (median)', 'wall ms', `compiles in those ${WARMUP_ROUNDS + ROUNDS} loads`, 'watch memo hit ms'], rows);
    const medians = modules.map((module) => module.median);
    const worst = Math.max(...medians);
    const met = recordTarget({ target: 'plugin overhead per .ks module, clang excluded, CPU (worst module)', figure: worst, unit: 'ms', limit: OVERHEAD_TARGET_MS, note: `median module ${median(medians).toFixed(2)} ms` });
    console.log(`\nplugin overhead per .ks module, clang excluded, CPU: median ${median(medians).toFixed(2)} ms, worst ${worst.toFixed(2)} ms over ${modules.length} modules (target ≤ ${OVERHEAD_TARGET_MS} ms for every module: ${verdict(met)})`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
