// Child process of 5-scaling.bench.mjs: compiles one shape at each size in
// alternating rounds and prints the figures as JSON on stdout. A process per
// shape, so each shape's peak memory is its own.
import { compile } from '../../packages/compiler/dist/index.js';
import { parse } from '../../packages/compiler/dist/phases/1-parse/parse.js';
import { SHAPES } from './shapes.mjs';

const [shape, ...sizeArgs] = process.argv.slice(2);
const sizes = sizeArgs.map(Number);
const ROUNDS = 3;
/** A size slower than this is measured once: the figure is far off target either way. */
const SLOW_MS = 10_000;
/** After a size this slow the larger ones are not attempted (they would take many minutes). */
const GIVE_UP_MS = 60_000;

const inputs = sizes.map((size) => ({ size, source: SHAPES[shape](size) }));
const figures = Object.fromEntries(inputs.map(({ size, source }) => [size, { lines: source.split('\n').length - 1, ok: true, error: null, totalMs: [], cpuMs: [], phases: {} }]));

function measure({ size, source }) {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const result = compile(source, { filename: `${shape.replace(/\W/g, '_')}.ks`, timings: true });
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const figure = figures[size];
  figure.totalMs.push(ms);
  figure.cpuMs.push((used.user + used.system) / 1000);
  if (!result.ok) {
    figure.ok = false;
    const first = result.diagnostics.find((d) => d.severity === 'error');
    figure.error = first ? `${first.span ? `${first.span.start.line}:${first.span.start.column}: ` : ''}${first.message}` : 'failed';
  }
  for (const { phase, ms: phaseMs } of result.timings ?? []) (figure.phases[phase] ??= []).push(phaseMs);
  return ms;
}

/** The parse phase alone, in CPU time (the compile's phase timings are wall time). */
function measureParse({ size, source }) {
  const cpu = process.cpuUsage();
  try {
    parse(source);
  } catch {
    // a located error: its time counts all the same
  }
  const used = process.cpuUsage(cpu);
  (figures[size].parseCpuMs ??= []).push((used.user + used.system) / 1000);
}

// Warm-up: the smallest size, so the JIT has seen every phase before anything is timed.
for (let i = 0; i < 2; i++) compile(inputs[0].source, { filename: 'warmup.ks' });
const slow = new Set();
let largest = Infinity;
for (let round = 0; round < ROUNDS; round++) {
  for (const input of inputs) {
    if (slow.has(input.size) || input.size > largest) continue;
    const ms = measure(input);
    if (input.size === sizes.at(-1)) measureParse(input);
    if (ms > SLOW_MS) slow.add(input.size);
    if (ms > GIVE_UP_MS) largest = input.size;
  }
}
process.stdout.write(JSON.stringify({ shape, figures, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
