// Locals nothing reads are left out of the C: `let x = 5;` never used, or the
// copy `v` of `let v = m[k];` when only `v == null` is asked. clang -Wall
// refuses a variable that is unused or only ever assigned
// (-Wunused-variable, -Wunused-but-set-variable), and a careful engineer
// would not write it. Calls in what is dropped still run (they may write
// maps); a lookup or packet view whose result nothing reads goes too, and so
// do `x = x;`, `x &= x;` and `x |= x;`.
import type { IrExpr, IrFunction, IrLocal, IrStmt } from './ir.js';
import { childExpressions, statements } from './ir-walk.js';
import { mentionedLocals, readLocals } from './optimize/local-uses.js';

export function dropUnusedLocals(fn: IrFunction): IrFunction {
  let body = fn.body;
  // Dropping one local can leave another unread (`v` gone → its lookup's reference): repeat until stable.
  for (;;) {
    const read = readLocalsIn(body);
    const next = dropUnread(body, (local) => read.has(local));
    if (next === null) break;
    body = next;
  }
  const mentioned = new Set([...statements(body)].flatMap(mentionedLocals));
  return { ...fn, body, locals: fn.locals.filter((local) => local.role === 'param' || mentioned.has(local)) };
}

/** Locals some statement reads (the plain target of an assignment is written, not read), or uses to do its own work. */
function readLocalsIn(body: IrStmt[]): Set<IrLocal> {
  return new Set([...statements(body)].flatMap((stmt) => [...readLocals(stmt), ...internalLocals(stmt)]));
}

function internalLocals(stmt: IrStmt): IrLocal[] {
  switch (stmt.op) {
    case 'mapAtomic':
    case 'mapFieldStore':
      return [stmt.ref, stmt.zero];
    case 'forRange':
      return [stmt.variable];
    case 'iterate':
      return [stmt.key, stmt.value];
    default:
      return [];
  }
}

const SELF_NO_OPS: ReadonlySet<string> = new Set(['=', '&=', '|=']);

/** `body` without the statements that only define unread locals; null when nothing changed. */
function dropUnread(body: IrStmt[], isRead: (local: IrLocal) => boolean): IrStmt[] | null {
  let changed = false;
  const out: IrStmt[] = [];
  for (const stmt of body) {
    const replaced = replaceStmt(stmt, isRead);
    if (replaced === null) {
      out.push(stmt);
      continue;
    }
    changed = true;
    out.push(...replaced);
  }
  return changed ? out : null;
}

/** What `stmt` becomes (null: unchanged). */
function replaceStmt(stmt: IrStmt, isRead: (local: IrLocal) => boolean): IrStmt[] | null {
  const nested = (body: IrStmt[]) => dropUnread(body, isRead);
  switch (stmt.op) {
    case 'declare':
      return isRead(stmt.local) ? null : stmt.init ? callsOf(stmt.init, stmt.line) : [];
    case 'assign':
      if (stmt.target.op !== 'local') return null;
      // `x = x;`, `x &= x;`, `x |= x;` change nothing (and clang -Wall refuses them).
      if (SELF_NO_OPS.has(stmt.operator) && stmt.value.op === 'local' && stmt.value.local === stmt.target.local) return [];
      return isRead(stmt.target.local) ? null : callsOf(stmt.value, stmt.line);
    case 'mapLookup':
      return isRead(stmt.ref) ? null : [];
    case 'packetView':
      return isRead(stmt.ref) ? null : [];
    case 'ringSubmit':
    case 'poll':
      return stmt.result && !isRead(stmt.result) ? [{ ...stmt, result: null }] : null;
    case 'scope': {
      const body = nested(stmt.body);
      if (body === null) return null;
      return body.length === 0 ? [] : [{ ...stmt, body }];
    }
    case 'if': {
      const then = nested(stmt.then);
      const otherwise = nested(stmt.otherwise);
      return then === null && otherwise === null ? null : [{ ...stmt, then: then ?? stmt.then, otherwise: otherwise ?? stmt.otherwise }];
    }
    case 'forRange':
    case 'iterate': {
      const body = nested(stmt.body);
      return body === null ? null : [{ ...stmt, body }];
    }
    case 'while': {
      const head = nested(stmt.head);
      const body = nested(stmt.body);
      return head === null && body === null ? null : [{ ...stmt, head: head ?? stmt.head, body: body ?? stmt.body }];
    }
    default:
      return null;
  }
}

/** Calls (by C name) whose only effect is their value: byte-order conversions and min/max. */
const VALUE_ONLY_CALLS: ReadonlySet<string> = new Set(['KS_MIN', 'KS_MAX', 'bpf_ntohs', 'bpf_htons', 'bpf_ntohl', 'bpf_htonl', 'ntohs', 'htons', 'ntohl', 'htonl']);

/** The outermost calls of a dropped expression that may have effects, kept as statements in evaluation order. */
function callsOf(expr: IrExpr, line: number): IrStmt[] {
  if (expr.op === 'call' && !VALUE_ONLY_CALLS.has(expr.name)) return [{ op: 'eval', expr, line }];
  const calls: IrStmt[] = [];
  for (const child of childExpressions(expr)) calls.push(...callsOf(child, line));
  return calls;
}
