// Several updates of one map element look it up once, as hand-written code
// does: after `tiers[tier].packets += 1;`, a later `tiers[tier].ttl_buckets[b]
// += 1;` with the same map and the same key local uses the element pointer
// the first found (or inserted) instead of a second lookup-and-insert.
//
// The pointer stays valid while nothing can replace or remove the element or
// change the key: an update or delete of that map, an assignment to the key
// local, or a call of a helper (which may do either) ends it. A loop body
// keeps only the pointers it does not invalidate itself. The pointer is
// declared in the C block of the first update, so statements nested in a
// statement scope reuse outer pointers but never hand theirs out.
// Kernel functions only: userspace updates go through copies.
import type { IrExpr, IrFunction, IrLocal, IrMap, IrStmt } from './ir.js';
import { expressions, stmtExpressions, withChildBodies } from './ir-walk.js';
import { SubtreeIndex } from './subtree-index.js';

type ElementUpdate = Extract<IrStmt, { op: 'mapAtomic' | 'mapFieldStore' }>;

interface KnownElement {
  map: IrMap;
  key: IrLocal;
  ref: IrLocal;
}

/** What a statement itself may do to known elements: replace or remove elements of a map, assign a local, call a helper. */
type Effect = IrMap | IrLocal | typeof CALLS_HELPER;
const CALLS_HELPER = Symbol('calls a helper');

export function reuseElementLookups(fn: IrFunction, isHelper: (name: string) => boolean): IrFunction {
  if (fn.side !== 'kernel') return fn;
  const effects = new SubtreeIndex<Effect>(fn.body, (stmt) => effectsOf(stmt, isHelper));
  return { ...fn, body: rewriteBlock(fn.body, [], isHelper, effects) };
}

function rewriteBlock(body: IrStmt[], outer: KnownElement[], isHelper: (name: string) => boolean, effects: SubtreeIndex<Effect>): IrStmt[] {
  let known = [...outer];
  return body.map((stmt) => {
    const rewritten = rewriteStmt(stmt, known, isHelper, effects);
    known = known.filter((element) => !invalidates([stmt], element, effects));
    if ((rewritten.op === 'mapAtomic' || rewritten.op === 'mapFieldStore') && !rewritten.reusesLookup) {
      known.push({ map: rewritten.map, key: rewritten.key, ref: rewritten.ref });
    }
    return rewritten;
  });
}

function rewriteStmt(stmt: IrStmt, known: KnownElement[], isHelper: (name: string) => boolean, effects: SubtreeIndex<Effect>): IrStmt {
  if (stmt.op === 'mapAtomic' || stmt.op === 'mapFieldStore') {
    const found = known.find((element) => element.map === stmt.map && element.key === stmt.key);
    return found && !readsInvalidate(stmt, isHelper) ? ({ ...stmt, ref: found.ref, reusesLookup: true } as ElementUpdate) : stmt;
  }
  return withChildBodies(stmt, (body, inLoop) =>
    rewriteBlock(body, inLoop ? known.filter((element) => !invalidates(body, element, effects)) : known, isHelper, effects),
  );
}

/** An update whose own operand calls a helper: the helper runs before the element is written, so look it up again. */
function readsInvalidate(stmt: ElementUpdate, isHelper: (name: string) => boolean): boolean {
  return stmtExpressions(stmt).some((root) => callsHelper(root, isHelper));
}

/** Whether running `body` may replace or remove the element, or change its key. */
function invalidates(body: IrStmt[], element: KnownElement, effects: SubtreeIndex<Effect>): boolean {
  return body.some((stmt) => effects.holdsWithin(stmt, [CALLS_HELPER, element.map, element.key]));
}

function effectsOf(stmt: IrStmt, isHelper: (name: string) => boolean): Effect[] {
  const effects: Effect[] = [];
  if (stmtExpressions(stmt).some((root) => callsHelper(root, isHelper))) effects.push(CALLS_HELPER);
  if (stmt.op === 'mapUpdate' || stmt.op === 'mapDelete') effects.push(stmt.map);
  if (stmt.op === 'assign' && stmt.target.op === 'local') effects.push(stmt.target.local);
  return effects;
}

function callsHelper(root: IrExpr, isHelper: (name: string) => boolean): boolean {
  return [...expressions(root)].some((expr) => expr.op === 'call' && isHelper(expr.name));
}
