// Shared timing helpers for the benchmarks.

/** Wall time and the process's CPU time (user + system), in ms since some fixed point. */
const CLOCKS = {
  wall: () => Number(process.hrtime.bigint()) / 1e6,
  cpu: () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  },
};

/**
 * Median of `iterations` timed calls of `fn` (ms), after `warmup` untimed calls.
 * `clock: 'cpu'` times them in CPU time: on a loaded machine, the wall time of
 * a short call is mostly waiting for a core.
 */
export async function medianMs(fn, { warmup = 20, iterations = 100, clock = 'wall' } = {}) {
  const now = CLOCKS[clock];
  for (let i = 0; i < warmup; i++) await fn();
  const samples = [];
  for (let i = 0; i < iterations; i++) {
    const start = now();
    await fn();
    samples.push(now() - start);
  }
  return median(samples);
}

/** The middle value of `samples` (the upper middle for an even count). */
export function median(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Prints rows as an aligned table. */
export function printTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

const targets = [];

/**
 * Records an issue target for the summary `pnpm bench` ends with. Absolute
 * targets (figure ≤ limit): the ratio is figure / limit and must be ≤ 1.
 * Relative ones (`baseline` given, e.g. `node -e 0` measured in the same
 * rounds): the ratio is figure / baseline and must be ≤ limit. Returns whether
 * the target is met.
 */
export function recordTarget({ target, figure, unit, limit, baseline = null, note = '' }) {
  const ratio = baseline === null ? figure / limit : figure / baseline.figure;
  const ratioLimit = baseline === null ? 1 : limit;
  const comparedWith = baseline === null ? `${formatFigure(limit, unit)} (the limit)` : `${formatFigure(baseline.figure, unit)} (${baseline.name})`;
  const met = ratio <= ratioLimit;
  targets.push({ target, figure: formatFigure(figure, unit), comparedWith, ratio: `${ratio.toFixed(2)}${baseline === null ? '' : '×'}`, ratioLimit: `≤ ${ratioLimit.toFixed(2)}${baseline === null ? '' : '×'}`, met, note });
  return met;
}

/** Records a target that is an outcome rather than a figure (e.g. "compiles, or a located error"). */
export function recordCheck({ target, outcome, expected, passed, note = '' }) {
  targets.push({ target, figure: outcome, comparedWith: '', ratio: '', ratioLimit: expected, met: passed, note });
  return passed;
}

/** A figure with a precision that suits its size. */
export function formatFigure(value, unit = '') {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : Math.abs(value) >= 1 ? 2 : 3;
  return `${value.toFixed(digits)}${unit ? ` ${unit}` : ''}`;
}

/** 'met' or 'NOT met', for the benches' own lines. */
export function verdict(met) {
  return met ? 'met' : 'NOT met';
}

/** The recorded targets as one table. */
export function printTargets() {
  printTable(
    ['target', 'figure', 'compared with', 'ratio', 'limit', 'met', 'note'],
    targets.map((t) => [t.target, t.figure, t.comparedWith, t.ratio, t.ratioLimit, t.met ? 'yes' : 'NO', t.note]),
  );
  const missed = targets.filter((t) => !t.met).length;
  console.log(`\n${targets.length - missed} of ${targets.length} targets met`);
}
