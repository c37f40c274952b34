// Locals nothing reads are left out of the C: `let x = 5;` never used, or the
// copy `v` of `let v = m[k];` when only `v == null` is asked. clang -Wall
// refuses a variable that is unused or only ever assigned
// (-Wunused-variable, -Wunused-but-set-variable), and a careful engineer
// would not write it. Calls in what is dropped still run (they may write
// maps); a lookup or packet view whose result nothing reads goes too, and so
// do `x = x;`, `x &= x;` and `x |= x;`.
import type { IrExpr, IrFunction, IrLocal, IrStmt } from './ir.js';
import { childExpressions, statements } from './ir-walk.js';
import { definedLocal, mentionedLocals, readLocals } from './local-uses.js';
import { rewriteStatements } from './rewrite.js';

/**
 * `fn` without the locals nothing reads. `onDropped` hears of each definition
 * dropped because its local went unread, in the order they go (a local that
 * only dropped code read goes in a later round).
 */
export function dropUnusedLocals(fn: IrFunction, onDropped?: (local: IrLocal, line: number) => void): IrFunction {
  let body = fn.body;
  // Dropping one local can leave another unread (`v` gone → its lookup's reference): repeat until stable.
  for (;;) {
    const read = readLocalsIn(body);
    const next = dropUnread(body, (local) => read.has(local), onDropped);
    if (next === null) break;
    body = next;
  }
  const mentioned = new Set([...statements(body)].flatMap(mentionedLocals));
  return { ...fn, body, locals: fn.locals.filter((local) => local.role === 'param' || mentioned.has(local)) };
}

/** Locals some statement reads (the plain target of an assignment is written, not read), or uses to do its own work. */
function readLocalsIn(body: IrStmt[]): Set<IrLocal> {
  const read = new Set<IrLocal>();
  for (const stmt of statements(body)) {
    for (const local of readLocals(stmt)) read.add(local);
    for (const local of internalLocals(stmt)) read.add(local);
  }
  return read;
}

function internalLocals(stmt: IrStmt): IrLocal[] {
  switch (stmt.op) {
    case 'mapAtomic':
    case 'mapFieldStore':
    case 'mapElementRef':
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
function dropUnread(body: IrStmt[], isRead: (local: IrLocal) => boolean, onDropped?: (local: IrLocal, line: number) => void): IrStmt[] | null {
  let changed = false;
  const out = rewriteStatements(body, (stmt) => {
    const replaced = replaceStmt(stmt, isRead);
    if (replaced === null) return [stmt];
    changed = true;
    const local = definedLocal(stmt);
    if (local && !isRead(local)) onDropped?.(local, stmt.line);
    return replaced;
  });
  return changed ? out : null;
}

/** What `stmt` becomes (null: unchanged); its nested blocks are already done. */
function replaceStmt(stmt: IrStmt, isRead: (local: IrLocal) => boolean): IrStmt[] | null {
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
    case 'scope':
      // A statement block whose temporaries all went needs no block.
      return stmt.body.length === 0 ? [] : null;
    default:
      return null;
  }
}

/** Calls (by C name) whose only effect is their value: byte-order conversions and min/max. */
const VALUE_ONLY_CALLS: ReadonlySet<string> = new Set(['KS_MIN', 'KS_MAX', 'bpf_ntohs', 'bpf_htons', 'bpf_ntohl', 'bpf_htonl', 'ntohs', 'htons', 'ntohl', 'htonl']);

/** The outermost calls of a dropped expression that may have effects, kept as statements in evaluation order. */
function callsOf(expr: IrExpr, line: number): IrStmt[] {
  // A probe read writes its target: it stays even when its result is not read.
  if ((expr.op === 'call' && !VALUE_ONLY_CALLS.has(expr.name)) || expr.op === 'probeRead') return [{ op: 'eval', expr, line }];
  const calls: IrStmt[] = [];
  for (const child of childExpressions(expr)) calls.push(...callsOf(child, line));
  return calls;
}
