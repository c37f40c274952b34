// Start-up: what a short `kernelscript` run, the first compile of a process
// and importing the bundler plugin cost, each in fresh processes. Every round
// runs `node -e 0` and each measured command once, in turn, so a burst of load
// on the machine hits all of them alike; figures are medians over the rounds,
// and the CLI's are ratios to `node -e 0` from the same rounds.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatFigure, median, printTable, recordTarget } from './measure.mjs';

export const name = 'Start-up: CLI runs against `node -e 0`, first compile of a process, plugin import';

const repoRoot = join(import.meta.dirname, '..');
const bin = join(repoRoot, 'packages/compiler/bin/kernelscript.js');
const seed = join(repoRoot, 'examples/multi_programs.ks');
/** Where `unplugin-kernelscript` resolves as a user's project resolves it. */
const pluginUser = join(repoRoot, 'examples/vite-app');
const ADAPTERS = ['vite', 'rollup', 'esbuild', 'webpack', 'rspack', 'rolldown'];
const ROUNDS = 21;
const WARMUP_ROUNDS = 2;
/** Issue targets. */
const CLI_COMPILE_RATIO = 1.5;
const CLI_INFO_RATIO = 1.2;
const FIRST_COMPILE_MS = 5;
const PLUGIN_IMPORT_CPU_MS = 30;

/** Wall time of one process (ms) and its stdout/stderr. */
function timed(args, cwd = repoRoot) {
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} failed:\n${run.stderr}`);
  return { ms, stdout: run.stdout, stderr: run.stderr };
}

/** A fresh process that imports the compiler's ES modules and times its first compile() (no code cache: the library path). */
const libraryFirstCompile = `
import { readFileSync } from 'node:fs';
const { compile } = await import(${JSON.stringify(pathToFileURL(join(repoRoot, 'packages/compiler/dist/index.js')).href)});
const source = readFileSync(${JSON.stringify(seed)}, 'utf8');
const start = performance.now();
const cpu = process.cpuUsage();
compile(source, { filename: 'examples/multi_programs.ks' });
const used = process.cpuUsage(cpu);
process.stdout.write(JSON.stringify({ wall: performance.now() - start, cpu: (used.user + used.system) / 1000 }));
`;

/** CPU time (user + system, ms) of importing one plugin entry in a fresh process. */
const pluginImport = (adapter) => `
const before = process.cpuUsage();
await import('unplugin-kernelscript/${adapter}');
const used = process.cpuUsage(before);
process.stdout.write(String((used.user + used.system) / 1000));
`;

export async function run() {
  const out = await mkdtemp(join(tmpdir(), 'ks-bench-startup-'));
  const runs = {
    'node -e 0': () => timed(['-e', '0']).ms,
    'kernelscript multi_programs.ks': () => {
      const run = timed([bin, seed, '-o', join(out, 'seed'), '--quiet', '--timings']);
      const [, wall, cpu] = /compile ([\d.]+) ms, CPU ([\d.]+) ms/.exec(run.stderr);
      samples['first compile() in the CLI, wall'].push(Number(wall));
      samples['first compile() in the CLI, CPU'].push(Number(cpu));
      return run.ms;
    },
    'kernelscript --version': () => timed([bin, '--version']).ms,
    'kernelscript --help': () => timed([bin, '--help']).ms,
    'first compile() importing the library, wall': () => {
      const { wall, cpu } = JSON.parse(timed(['--input-type=module', '-e', libraryFirstCompile]).stdout);
      samples['first compile() importing the library, CPU'].push(cpu);
      return wall;
    },
    ...Object.fromEntries(ADAPTERS.map((adapter) => [`import 'unplugin-kernelscript/${adapter}' (CPU)`, () => Number(timed(['--input-type=module', '-e', pluginImport(adapter)], pluginUser).stdout)])),
  };
  const samples = {
    'first compile() in the CLI, wall': [],
    'first compile() in the CLI, CPU': [],
    'first compile() importing the library, CPU': [],
    ...Object.fromEntries(Object.keys(runs).map((key) => [key, []])) };
  try {
    // The first CLI compile writes the bundle's code cache; later runs read it.
    for (let round = 0; round < WARMUP_ROUNDS; round++) for (const measure of Object.values(runs)) measure();
    for (const list of Object.values(samples)) list.length = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const [key, measure] of Object.entries(runs)) samples[key].push(measure());
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
  const medians = Object.fromEntries(Object.entries(samples).map(([key, list]) => [key, median(list)]));
  const node = { name: 'node -e 0', figure: medians['node -e 0'] };
  printTable(
    ['measured', `ms, median of ${ROUNDS} alternating rounds`, 'fastest', 'ratio to node -e 0'],
    Object.entries(samples).map(([key, list]) => [key, formatFigure(medians[key]), formatFigure(Math.min(...list)), key.startsWith('kernelscript') ? `${(medians[key] / node.figure).toFixed(2)}×` : '']),
  );
  recordTarget({ target: 'CLI compile of multi_programs.ks, wall', figure: medians['kernelscript multi_programs.ks'], unit: 'ms', baseline: node, limit: CLI_COMPILE_RATIO });
  recordTarget({ target: 'kernelscript --version, wall', figure: medians['kernelscript --version'], unit: 'ms', baseline: node, limit: CLI_INFO_RATIO });
  recordTarget({ target: 'kernelscript --help, wall', figure: medians['kernelscript --help'], unit: 'ms', baseline: node, limit: CLI_INFO_RATIO });
  // CPU time: with the machine loaded, a 5 ms wall figure is mostly time spent waiting for a core.
  const wallNote = (key) => `wall ${formatFigure(medians[`${key}, wall`])} ms (fastest ${formatFigure(Math.min(...samples[`${key}, wall`]))} ms)`;
  recordTarget({ target: 'first compile() of the seed in a fresh CLI process, CPU', figure: medians['first compile() in the CLI, CPU'], unit: 'ms', limit: FIRST_COMPILE_MS, note: wallNote('first compile() in the CLI') });
  recordTarget({
    target: 'first compile() of the seed in a fresh process importing the library, CPU',
    figure: medians['first compile() importing the library, CPU'],
    unit: 'ms',
    limit: FIRST_COMPILE_MS,
    note: `ES modules, no code cache; ${wallNote('first compile() importing the library')}`,
  });
  for (const adapter of ADAPTERS) {
    recordTarget({ target: `import 'unplugin-kernelscript/${adapter}', CPU`, figure: medians[`import 'unplugin-kernelscript/${adapter}' (CPU)`], unit: 'ms', limit: PLUGIN_IMPORT_CPU_MS });
  }
}
