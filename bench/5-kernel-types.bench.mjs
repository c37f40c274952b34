// Compile time of programs that use kernel types (BTF and tracefs included),
// against the same compile of a program that uses none:
// - cold: the kernel BTF not yet read — the file read, its header checked,
//   the type section walked and the used types decoded inside the timed
//   compile (a fresh reader each time; the compiler's own code warm, as in a
//   watch or bundler process; a fresh process's first compile is measured
//   separately below);
// - warm: the BTF read and indexed by an earlier compile, as the driver and
//   the plugin keep it across compiles while the file is unchanged.
// Each round times every case once, in turn, so a burst of load hits all alike.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Btf, compile } from '../packages/compiler/dist/index.js';
import { kernelInputs, KERNEL_BTF, readTracepointFormat } from '../packages/compiler/dist/driver/index.js';
import { formatFigure, median, printTable, recordTarget } from './measure.mjs';

export const name = 'Kernel types: compile time with BTF, cold and warm';

const repoRoot = join(import.meta.dirname, '..');
/** The examples that read kernel types, and one that reads none (must not get slower). */
const KERNEL_EXAMPLES = ['execsnoop', 'opensnoop', 'bootstrap', 'tcpconnect'];
const PLAIN_EXAMPLE = 'multi_programs';
const ROUNDS = 41;
const WARMUP_ROUNDS = 5;
/** Issue targets. */
const COLD_MS = 30;
const WARM_MS = 2;

/** Wall and CPU time (the process's user + system) of one compile, in ms. */
function timeMs(fn) {
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const result = fn();
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  const { user, system } = process.cpuUsage(cpuStart);
  if (!result.ok) throw new Error(`compile failed: ${result.diagnostics.map((d) => d.message).join('; ')}`);
  return { wall, cpu: (user + system) / 1000 };
}

/** A fresh process: import the compiler, read the BTF and compile once; its own timing of that first compile. */
const FIRST_COMPILE = `
import { readFileSync } from 'node:fs';
const { compile } = await import(process.argv[1]);
const { kernelInputs } = await import(process.argv[2]);
const source = readFileSync(process.argv[3], 'utf8');
const start = process.hrtime.bigint();
const result = compile(source, { filename: process.argv[4], kernel: kernelInputs() });
const ms = Number(process.hrtime.bigint() - start) / 1e6;
if (!result.ok) process.exit(1);
process.stdout.write(String(ms));
`;

export async function run() {
  const load = (example) => ({ filename: `examples/${example}.ks`, source: readFileSync(join(repoRoot, 'examples', `${example}.ks`), 'utf8') });
  const kernelCases = KERNEL_EXAMPLES.map(load);
  const plain = load(PLAIN_EXAMPLE);
  const warmInputs = kernelInputs();
  // A cold compile reads the file itself, as the driver does on a first compile.
  const reads = { plain: 0 };
  const coldInputs = (counter = null) => ({
    btf: () => {
      if (counter) counter.plain++;
      return Btf.parse(readFileSync(KERNEL_BTF));
    },
    tracepointFormat: readTracepointFormat,
  });
  const samples = { plainWithout: [], plainWith: [], ...Object.fromEntries(kernelCases.flatMap((c) => [[`${c.filename}:cold`, []], [`${c.filename}:warm`, []]])) };
  for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
    const record = (key, ms) => round >= WARMUP_ROUNDS && samples[key].push(ms);
    record('plainWithout', timeMs(() => compile(plain.source, { filename: plain.filename })));
    record('plainWith', timeMs(() => compile(plain.source, { filename: plain.filename, kernel: coldInputs(reads) })));
    for (const c of kernelCases) {
      record(`${c.filename}:cold`, timeMs(() => compile(c.source, { filename: c.filename, kernel: coldInputs() })));
      record(`${c.filename}:warm`, timeMs(() => compile(c.source, { filename: c.filename, kernel: warmInputs })));
    }
  }
  // Judged on CPU time: on a loaded machine the wall time of a few-ms compile is mostly waiting for a core (printed beside it).
  const m = (key) => median(samples[key].map((t) => t.cpu));
  // The fastest wall time is the run least disturbed by other load: what an idle machine would show.
  const walls = (key) => samples[key].map((t) => t.wall);
  const both = (key) => `${formatFigure(m(key), 'ms')} (wall ${formatFigure(median(walls(key)), 'ms')}, fastest ${formatFigure(Math.min(...walls(key)), 'ms')})`;
  const rows = [
    [`${plain.filename} (no kernel types)`, both('plainWithout'), both('plainWith'), '—'],
    ...kernelCases.map((c) => [c.filename, '—', both(`${c.filename}:cold`), both(`${c.filename}:warm`)]),
  ];
  printTable(['example', 'compile, no BTF given: median CPU', 'cold (BTF read and parsed): median CPU', 'warm (BTF kept): median CPU'], rows);

  const first = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', FIRST_COMPILE, pathToFileURL(join(repoRoot, 'packages/compiler/dist/index.js')).href, pathToFileURL(join(repoRoot, 'packages/compiler/dist/driver/index.js')).href, join(repoRoot, kernelCases[0].filename), kernelCases[0].filename],
    { encoding: 'utf8' },
  );
  const firstMs = first.status === 0 ? Number(first.stdout) : null;
  console.log(`\nfirst compile of a fresh process (${kernelCases[0].filename}, compiler code not yet optimised by V8): ${firstMs === null ? 'failed' : formatFigure(firstMs, 'ms')}`);

  const worstCold = Math.max(...kernelCases.map((c) => m(`${c.filename}:cold`)));
  const worstWarm = Math.max(...kernelCases.map((c) => m(`${c.filename}:warm`)));
  recordTarget({ target: 'compile with kernel types, cold (BTF parse included)', figure: worstCold, unit: 'ms', limit: COLD_MS, note: 'slowest of the kernel-type examples, median CPU time' });
  recordTarget({ target: 'compile with kernel types, warm', figure: worstWarm, unit: 'ms', limit: WARM_MS, note: 'slowest of the kernel-type examples, median CPU time' });
  // A compile that uses no kernel type never reads the BTF: offering it costs nothing.
  console.log(
    `${plain.filename}, which uses no kernel type: the BTF was read ${reads.plain} times in ${WARMUP_ROUNDS + ROUNDS} compiles that offered it; ` +
      `median CPU ${formatFigure(m('plainWith'), 'ms')} offered vs ${formatFigure(m('plainWithout'), 'ms')} not (${(m('plainWith') / m('plainWithout')).toFixed(2)}×)`,
  );
}
