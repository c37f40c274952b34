// Unique C names in one scope: `x`, then `x_2`, `x_3`, ... Each base name
// remembers the last suffix it handed out, so 16,000 locals all named `zz`
// cost 16,000 steps, not 16,000²/2 probes (issue 15, item 6).

export class FreshNames {
  private readonly taken = new Set<string>();
  private readonly nextSuffix = new Map<string, number>();

  /** Marks `name` as used (a name chosen elsewhere). */
  take(name: string): void {
    this.taken.add(name);
  }

  /** `base` or the first `base_N` (N ≥ 2) that is neither taken nor `refused`; it is taken from now on. */
  fresh(base: string, refused: (name: string) => boolean = () => false): string {
    let n = this.nextSuffix.get(base) ?? 1;
    let name = n === 1 ? base : `${base}_${n}`;
    while (this.taken.has(name) || refused(name)) name = `${base}_${++n}`;
    this.nextSuffix.set(base, n + 1);
    this.taken.add(name);
    return name;
  }
}
