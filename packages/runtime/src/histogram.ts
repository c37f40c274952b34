// Log2 histograms (LANGUAGE.md §15): a map a program fills with
// `hist[log2(value)] += 1` read back as buckets, and printed as the bar chart
// of bcc's and libbpf-tools' print_log2_hist.

/** One slot of a log2 histogram: the values from `low` to `high` were seen `count` times. */
export interface Log2Bucket {
  low: bigint;
  high: bigint;
  count: bigint;
}

/**
 * The buckets of a log2 histogram from its (slot, count) entries — a
 * MapHandle's `entries()` — from slot 0 up to the highest slot with a count.
 */
export function log2Buckets(entries: Iterable<readonly [number, number | bigint]>): Log2Bucket[] {
  const counts: bigint[] = [];
  for (const [slot, count] of entries) {
    if (!Number.isInteger(slot) || slot < 0 || slot > 63) throw new RangeError(`a log2 slot is 0 to 63, not ${slot}`);
    counts[slot] = (counts[slot] ?? 0n) + BigInt(count);
  }
  let last = counts.length - 1;
  while (last >= 0 && !counts[last]) last--;
  return Array.from({ length: last + 1 }, (_, slot) => {
    const high = (1n << BigInt(slot + 1)) - 1n;
    return { low: slot === 0 ? 0n : 1n << BigInt(slot), high, count: counts[slot] ?? 0n };
  });
}

/** The bar chart of `buckets`, line for line as libbpf-tools' print_log2_hist prints it ("" when there are none). */
export function formatLog2Histogram(buckets: readonly Log2Bucket[], unit: string): string {
  if (buckets.length === 0) return '';
  const narrow = buckets.length - 1 <= 32;
  const [indent, unitWidth, width, stars] = narrow ? [5, 19, 10, 40] : [15, 29, 20, 20];
  const max = buckets.reduce((m, b) => (b.count > m ? b.count : m), 0n);
  const lines = [`${' '.repeat(indent)}${unit.padEnd(unitWidth)} : count    distribution`];
  for (const { low, high, count } of buckets) {
    const filled = max === 0n ? 0 : Number((count * BigInt(stars)) / max);
    lines.push(`${String(low).padStart(width)} -> ${String(high).padEnd(width)} : ${String(count).padEnd(8)} |${'*'.repeat(filled)}${' '.repeat(stars - filled)}|`);
  }
  return `${lines.join('\n')}\n`;
}
