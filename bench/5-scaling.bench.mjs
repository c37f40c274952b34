// Compile time and memory as inputs grow: generated sources of 1k, 10k and
// 100k lines of each shape (bench/scaling/shapes.mjs), each shape in a fresh
// process (its peak RSS is the shape's own), sizes alternating within rounds,
// medians per phase. The growth factor is the time of one size over the next
// smaller one: 10x the lines may cost at most 12x the time. Targets are judged
// on the process's CPU time (it includes V8's GC and compiler threads, so it is
// no less than the wall time on an idle machine): on a loaded one the wall time
// is mostly waiting for a core. Both are printed. Then the depth
// checks: 10,000 nested `if`s and a 10,000-arm `match` must compile, or be
// refused with a located error — never crash.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { formatFigure, median, printTable, recordCheck, recordTarget } from './measure.mjs';
import { SHAPES } from './scaling/shapes.mjs';

export const name = 'Scaling: compile time per phase, growth factor and peak memory at 1k, 10k, 100k lines';

const SIZES = [1_000, 10_000, 100_000];
const DEPTH = 10_000;
/** Issue targets. */
const LARGEST_MS = 3_000;
const PEAK_MB = 500;
const GROWTH = 12;
const PARSE_US_PER_LINE = 10;

function child(script, args) {
  const run = spawnSync(process.execPath, [join(import.meta.dirname, 'scaling', script), ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.status !== 0) return { crashed: (run.stderr || `exit ${run.status}`).trim().split('\n').slice(-3).join(' / ') };
  return JSON.parse(run.stdout);
}

export async function run() {
  const rows = [];
  for (const shape of Object.keys(SHAPES)) {
    const result = child('measure-shape.mjs', [shape, ...SIZES.map(String)]);
    if (result.crashed) {
      rows.push([shape, 'crashed', result.crashed, '', '', '', '']);
      recordTarget({ target: `${shape}: 100k lines compile`, figure: Infinity, unit: 'ms', limit: LARGEST_MS, note: 'crashed' });
      continue;
    }
    const { figures, peakRssMb } = result;
    const total = (size) => (figures[size].cpuMs.length > 0 ? median(figures[size].cpuMs) : null);
    const wall = (size) => (figures[size].totalMs.length > 0 ? median(figures[size].totalMs) : null);
    const phases = Object.keys(figures[SIZES[0]].phases);
    for (const size of SIZES) {
      const figure = figures[size];
      const ms = total(size);
      const previous = SIZES[SIZES.indexOf(size) - 1];
      const growth = (a, b) => (a !== null && b !== null ? `${(a / b).toFixed(1)}×` : '');
      const phaseText = phases
        .map((phase) => {
          const here = figure.phases[phase] ? median(figure.phases[phase]) : null;
          const before = previous && figures[previous].phases[phase] ? median(figures[previous].phases[phase]) : null;
          return here === null ? '' : `${phase} ${formatFigure(here)}${previous ? ` (${growth(here, before)})` : ''}`;
        })
        .filter(Boolean)
        .join(', ');
      rows.push([
        shape,
        `${figure.lines}`,
        ms === null ? 'not run: the smaller size took over a minute' : `${formatFigure(ms)}${figure.ok ? '' : ` (error: ${figure.error})`}`,
        ms === null ? '' : formatFigure(wall(size)),
        previous ? growth(ms, total(previous)) : '',
        phaseText,
        size === SIZES.at(-1) ? formatFigure(peakRssMb) : '',
      ]);
    }
    const largest = SIZES.at(-1);
    const largestMs = total(largest) ?? Infinity;
    const largestWall = wall(largest);
    recordTarget({
      target: `${shape}: ${figures[largest].lines} lines, compile CPU time`,
      figure: largestMs,
      unit: 'ms',
      limit: LARGEST_MS,
      note: [largestWall === null ? '' : `wall ${formatFigure(largestWall)} ms`, figures[largest].ok ? '' : `error: ${figures[largest].error}`].filter(Boolean).join('; '),
    });
    recordTarget({ target: `${shape}: peak RSS of the process`, figure: peakRssMb, unit: 'MB', limit: PEAK_MB });
    const growths = SIZES.slice(1).map((size, i) => (total(size) ?? Infinity) / total(SIZES[i]));
    const worst = Math.max(...growths);
    recordTarget({ target: `${shape}: growth factor per 10× lines (worse step)`, figure: worst, unit: '×', limit: GROWTH, note: growths.map((g) => `${g.toFixed(1)}×`).join(' then ') });
    const parseCpu = figures[largest].parseCpuMs;
    const parseWall = figures[largest].phases.parse;
    if (parseCpu) {
      recordTarget({
        target: `${shape}: parsing at ${figures[largest].lines} lines, CPU`,
        figure: (median(parseCpu) * 1000) / figures[largest].lines,
        unit: 'µs/line',
        limit: PARSE_US_PER_LINE,
        note: parseWall ? `wall ${formatFigure((median(parseWall) * 1000) / figures[largest].lines)} µs/line` : '',
      });
    }
  }
  printTable(['shape', 'lines', 'compile CPU ms (median)', 'wall ms', 'growth (CPU)', 'phases, wall ms (growth)', 'peak RSS MB'], rows);

  console.log('');
  const depthRows = [];
  for (const kind of ['nested-ifs', 'match-arms']) {
    const outcome = child('measure-depth.mjs', [kind, String(DEPTH)]);
    const verdict = outcome.crashed ? 'crashed' : outcome.verdict;
    depthRows.push([`${DEPTH} ${kind === 'nested-ifs' ? 'nested ifs' : 'match arms'}`, outcome.lines ?? '', verdict, outcome.ms === undefined ? '' : formatFigure(outcome.ms), outcome.detail ?? outcome.crashed ?? '']);
    recordCheck({
      target: `${DEPTH} ${kind === 'nested-ifs' ? 'nested ifs' : 'match arms'}`,
      outcome: verdict,
      expected: 'compiled or located error',
      passed: verdict !== 'crashed',
      note: outcome.ms === undefined ? '' : `${formatFigure(outcome.ms)} ms`,
    });
  }
  printTable(['depth check', 'lines', 'outcome', 'ms', 'detail'], depthRows);
}
