// "Does any statement nested in this one assign x?" asked at every level of a
// deep nest (a long `match` is an `else if` chain): a set of facts per
// statement, merged upwards, grows with the depth and is copied at every
// level — quadratic. Instead the function's statements are numbered once in
// pre-order, so that each statement's subtree is a range of numbers, and each
// fact keeps the sorted numbers of the statements it holds for: a question is
// one binary search per fact asked about.
import type { IrStmt } from './ir.js';
import { childBodies } from './ir-walk.js';

export class SubtreeIndex<Fact> {
  /** Each statement's subtree as the pre-order numbers [first, end). */
  private readonly ranges = new Map<IrStmt, { first: number; end: number }>();
  /** For each fact, the numbers of the statements it holds for, ascending. */
  private readonly holders = new Map<Fact, number[]>();

  /** `factsOf` says what holds for one statement itself, not counting the statements nested in it. */
  constructor(body: readonly IrStmt[], factsOf: (stmt: IrStmt) => Iterable<Fact>) {
    let next = 0;
    const pending: { stmt: IrStmt; first: number | null }[] = [...body].reverse().map((stmt) => ({ stmt, first: null }));
    while (pending.length > 0) {
      const entry = pending.pop()!;
      if (entry.first !== null) {
        this.ranges.set(entry.stmt, { first: entry.first, end: next });
        continue;
      }
      const first = next++;
      for (const fact of factsOf(entry.stmt)) {
        const list = this.holders.get(fact);
        if (list) list.push(first);
        else this.holders.set(fact, [first]);
      }
      pending.push({ stmt: entry.stmt, first });
      const children = childBodies(entry.stmt);
      for (let c = children.length - 1; c >= 0; c--) for (let i = children[c]!.length - 1; i >= 0; i--) pending.push({ stmt: children[c]![i]!, first: null });
    }
  }

  /** Whether one of `facts` holds for `stmt` or a statement nested in it (`stmt` is one of the indexed body's). */
  holdsWithin(stmt: IrStmt, facts: Iterable<Fact>): boolean {
    const range = this.ranges.get(stmt);
    if (!range) throw new Error('SubtreeIndex: a statement that is not in the indexed body');
    for (const fact of facts) {
      const list = this.holders.get(fact);
      if (list && firstAtOrAfter(list, range.first) < range.end) return true;
    }
    return false;
  }
}

/** The first element of ascending `list` that is ≥ `value` (Infinity when none is). */
function firstAtOrAfter(list: readonly number[], value: number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (list[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low < list.length ? list[low]! : Infinity;
}
