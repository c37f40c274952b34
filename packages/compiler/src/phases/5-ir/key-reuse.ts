// A map key computed again from the same values uses the temporary that
// already holds it: after `let bucket = buckets[ip.saddr];`, the later
// `buckets[ip.saddr] = bucket;` passes `&buckets_key` instead of copying
// `ip->saddr` into a second stack slot, as hand-written code keeps one key.
//
// Only keys built from locals, fields, constants and operators qualify (no
// calls, map reads or context reads, whose values may change), and only while
// none of the locals they read is assigned. A temporary declared inside a
// statement scope is visible only there. Temporaries are never written after
// their declaration (helpers read keys), so sharing one is safe. A statement
// scope left with nothing to declare loses its braces.
import type { IrExpr, IrFunction, IrLocal, IrStmt } from './ir.js';
import { sameType } from '../2-symbols/types.js';
import { expressions, withChildBodies } from './ir-walk.js';
import { SubtreeIndex } from './subtree-index.js';

interface HeldKey {
  local: IrLocal;
  init: IrExpr;
  /** The locals `init` reads: assigning one of them ends the key's reuse. */
  reads: IrLocal[];
}

/** Where the function's locals are assigned. */
type Assignments = SubtreeIndex<IrLocal>;

export function reuseKeyTemporaries(fn: IrFunction): IrFunction {
  const renamed = new Map<IrLocal, IrLocal>();
  const body = rewriteBlock(fn.body, [], renamed, new SubtreeIndex(fn.body, assignedBy));
  return { ...fn, body, locals: fn.locals.filter((local) => !renamed.has(local)) };
}

function rewriteBlock(body: IrStmt[], outer: HeldKey[], renamed: Map<IrLocal, IrLocal>, assignments: Assignments): IrStmt[] {
  let held = [...outer];
  const out: IrStmt[] = [];
  for (const stmt of body) {
    if (stmt.op === 'declare' && isKeyTemporary(stmt.local) && stmt.init && isStable(stmt.init)) {
      const init = stmt.init;
      const same = held.find((key) => sameType(key.local.type, stmt.local.type) && sameExpr(key.init, init));
      if (same) {
        renamed.set(stmt.local, same.local);
        continue;
      }
      held.push({ local: stmt.local, init, reads: localsRead(init) });
      out.push(stmt);
      continue;
    }
    const rewritten = rewriteStmt(stmt, held, renamed, assignments);
    if (held.length > 0) held = held.filter((key) => !assignments.holdsWithin(stmt, key.reads));
    // A statement scope left with nothing to declare needs no braces of its own.
    if (rewritten.op === 'scope' && !rewritten.body.some(declaresVariable)) out.push(...rewritten.body);
    else out.push(rewritten);
  }
  return out;
}

function rewriteStmt(stmt: IrStmt, held: HeldKey[], renamed: Map<IrLocal, IrLocal>, assignments: Assignments): IrStmt {
  const key = (local: IrLocal) => renamed.get(local) ?? local;
  switch (stmt.op) {
    case 'mapLookup':
    case 'mapDelete':
    case 'mapAtomic':
    case 'mapFieldStore':
      return { ...stmt, key: key(stmt.key) };
    case 'mapUpdate':
      return { ...stmt, key: key(stmt.key), value: key(stmt.value) };
    default:
      return withChildBodies(stmt, (body, inLoop) =>
        rewriteBlock(body, inLoop ? held.filter((key) => !body.some((inner) => assignments.holdsWithin(inner, key.reads))) : held, renamed, assignments),
      );
  }
}

/** Statements whose C declares a variable in the block they stand in. */
function declaresVariable(stmt: IrStmt): boolean {
  return ['declare', 'mapLookup', 'packetView', 'mapAtomic', 'mapFieldStore', 'ringSubmit', 'poll'].includes(stmt.op);
}

/** A temporary made to pass a key or value by address (lower.ts `addressable`). */
function isKeyTemporary(local: IrLocal): boolean {
  return local.role === 'temporary' && local.addressTaken && local.type.kind !== 'struct' && local.type.kind !== 'array';
}

/** Built only from what the function itself changes by assignment: locals, their fields, packet fields, constants. */
function isStable(expr: IrExpr): boolean {
  return [...expressions(expr)].every((e) => ['int', 'bool', 'symbol', 'local', 'field', 'cast', 'unary', 'binary'].includes(e.op));
}

/** The locals `init` reads. */
function localsRead(init: IrExpr): IrLocal[] {
  return [...expressions(init)].flatMap((e) => (e.op === 'local' ? [e.local] : []));
}

/** The locals a statement itself assigns or declares (not counting the statements nested in it). */
function assignedBy(stmt: IrStmt): IrLocal[] {
  if (stmt.op === 'assign') {
    const target = [...expressions(stmt.target)].find((e) => e.op === 'local');
    return target && target.op === 'local' ? [target.local] : [];
  }
  if (stmt.op === 'declare') return [stmt.local];
  if (stmt.op === 'packetView') return [stmt.ref];
  return [];
}

function sameExpr(a: IrExpr, b: IrExpr): boolean {
  if (a.op !== b.op) return false;
  switch (a.op) {
    case 'int':
      return a.value === (b as typeof a).value && sameType(a.type, (b as typeof a).type);
    case 'bool':
      return a.value === (b as typeof a).value;
    case 'symbol':
      return a.name === (b as typeof a).name;
    case 'local':
      return a.local === (b as typeof a).local;
    case 'field':
      return a.field === (b as typeof a).field && a.viaPointer === (b as typeof a).viaPointer && sameExpr(a.object, (b as typeof a).object);
    case 'cast':
      return sameType(a.type, (b as typeof a).type) && sameExpr(a.value, (b as typeof a).value);
    case 'unary':
      return a.operator === (b as typeof a).operator && sameExpr(a.operand, (b as typeof a).operand);
    case 'binary':
      return a.operator === (b as typeof a).operator && sameExpr(a.left, (b as typeof a).left) && sameExpr(a.right, (b as typeof a).right);
    default:
      return false;
  }
}
