/** The candidate closest to `name` by edit distance, if it is close enough to be a likely typo. */
export function nearestName(name: string, candidates: Iterable<string>): string | null {
  const allowed = Math.max(1, Math.floor(name.length / 3));
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    // The distance is at least the difference in length: skip the quadratic work for names that cannot be close.
    if (Math.abs(candidate.length - name.length) > allowed) continue;
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== null && bestDistance <= allowed ? best : null;
}

/**
 * Up to `count` candidates closest to `name`, best first (ties in candidate
 * order), among those within a looser distance than a typo: for lists such as
 * "the nearest fields are ...".
 */
export function nearestNames(name: string, candidates: Iterable<string>, count: number): string[] {
  const limit = Math.max(2, Math.ceil(name.length / 2));
  const ranked: { candidate: string; distance: number }[] = [];
  for (const candidate of new Set(candidates)) {
    // Names much longer or shorter cannot be within the limit: skip the matrix.
    if (Math.abs(candidate.length - name.length) > limit) continue;
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance <= limit) ranked.push({ candidate, distance });
  }
  return ranked
    .sort((a, b) => a.distance - b.distance)
    .slice(0, count)
    .map((r) => r.candidate);
}

/** `help: did you mean 'x'?` or nothing. */
export function didYouMean(name: string, candidates: Iterable<string>): string[] {
  const nearest = nearestName(name, candidates);
  return nearest ? [`help: did you mean '${nearest}'?`] : [];
}

/** Edits between two names, a swap of neighbours counting as one (the commonest typo). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}
