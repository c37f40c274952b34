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

type ElementUpdate = Extract<IrStmt, { op: 'mapAtomic' | 'mapFieldStore' }>;

interface KnownElement {
  map: IrMap;
  key: IrLocal;
  ref: IrLocal;
}

export function reuseElementLookups(fn: IrFunction, isHelper: (name: string) => boolean): IrFunction {
  if (fn.side !== 'kernel') return fn;
  return { ...fn, body: rewriteBlock(fn.body, [], isHelper) };
}

function rewriteBlock(body: IrStmt[], outer: KnownElement[], isHelper: (name: string) => boolean): IrStmt[] {
  let known = [...outer];
  return body.map((stmt) => {
    const rewritten = rewriteStmt(stmt, known, isHelper);
    known = known.filter((element) => !invalidates([stmt], element, isHelper));
    if ((rewritten.op === 'mapAtomic' || rewritten.op === 'mapFieldStore') && !rewritten.reusesLookup) {
      known.push({ map: rewritten.map, key: rewritten.key, ref: rewritten.ref });
    }
    return rewritten;
  });
}

function rewriteStmt(stmt: IrStmt, known: KnownElement[], isHelper: (name: string) => boolean): IrStmt {
  if (stmt.op === 'mapAtomic' || stmt.op === 'mapFieldStore') {
    const found = known.find((element) => element.map === stmt.map && element.key === stmt.key);
    return found && !readsInvalidate(stmt, isHelper) ? ({ ...stmt, ref: found.ref, reusesLookup: true } as ElementUpdate) : stmt;
  }
  return withChildBodies(stmt, (body, inLoop) =>
    rewriteBlock(body, inLoop ? known.filter((element) => !invalidates(body, element, isHelper)) : known, isHelper),
  );
}

/** An update whose own operand calls a helper: the helper runs before the element is written, so look it up again. */
function readsInvalidate(stmt: ElementUpdate, isHelper: (name: string) => boolean): boolean {
  return stmtExpressions(stmt).some((root) => callsHelper(root, isHelper));
}

/** Whether running `body` may replace or remove the element, or change its key. */
function invalidates(body: IrStmt[], element: KnownElement, isHelper: (name: string) => boolean): boolean {
  return body.some((stmt) => {
    const effects = effectsOf(stmt, isHelper);
    return effects.callsHelper || effects.replacedMaps.has(element.map) || effects.assignedLocals.has(element.key);
  });
}

/** What a statement (nested ones included) may do to known elements. */
interface Effects {
  replacedMaps: Set<IrMap>;
  assignedLocals: Set<IrLocal>;
  callsHelper: boolean;
}

/**
 * Once per statement: each level of a deep nest (a long `match` chain) asks about
 * everything below it, so walking the subtree at every level would be quadratic.
 * Keyed on the statement as lowered; this pass changes no effect of it.
 */
const effectsCache = new WeakMap<IrStmt, Effects>();

function effectsOf(stmt: IrStmt, isHelper: (name: string) => boolean): Effects {
  const cached = effectsCache.get(stmt);
  if (cached) return cached;
  const effects: Effects = { replacedMaps: new Set(), assignedLocals: new Set(), callsHelper: stmtExpressions(stmt).some((root) => callsHelper(root, isHelper)) };
  if (stmt.op === 'mapUpdate' || stmt.op === 'mapDelete') effects.replacedMaps.add(stmt.map);
  if (stmt.op === 'assign' && stmt.target.op === 'local') effects.assignedLocals.add(stmt.target.local);
  withChildBodies(stmt, (body) => {
    for (const inner of body) {
      const nested = effectsOf(inner, isHelper);
      for (const map of nested.replacedMaps) effects.replacedMaps.add(map);
      for (const local of nested.assignedLocals) effects.assignedLocals.add(local);
      effects.callsHelper ||= nested.callsHelper;
    }
    return body;
  });
  effectsCache.set(stmt, effects);
  return effects;
}

function callsHelper(root: IrExpr, isHelper: (name: string) => boolean): boolean {
  return [...expressions(root)].some((expr) => expr.op === 'call' && isHelper(expr.name));
}
