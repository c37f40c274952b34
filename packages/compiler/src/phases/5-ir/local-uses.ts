// Which locals a statement reads, defines, or mentions at all: what removing
// unused locals needs (clang -Wall -Werror refuses an unused variable).
import type { IrExpr, IrLocal, IrStmt } from './ir.js';
import { childExpressions, stmtExpressions } from './ir-walk.js';

/** Locals whose value `stmt` reads. A plain or compound assignment to a local is not a read of it (C's "set but not used"). */
export function readLocals(stmt: IrStmt): IrLocal[] {
  if (stmt.op === 'assign' && stmt.target.op === 'local') return localsIn([stmt.value]);
  return localsIn(stmtExpressions(stmt));
}

/** The local `stmt` only defines: removable with the statement when nothing reads it and the statement has no other effect. */
export function definedLocal(stmt: IrStmt): IrLocal | null {
  switch (stmt.op) {
    case 'declare':
      return stmt.local;
    case 'assign':
      return stmt.target.op === 'local' ? stmt.target.local : null;
    case 'mapLookup':
    case 'packetView':
      return stmt.ref;
    default:
      return null;
  }
}

/** Every local `stmt` names (not counting nested statements). */
export function mentionedLocals(stmt: IrStmt): IrLocal[] {
  const own: (IrLocal | null)[] = (() => {
    switch (stmt.op) {
      case 'declare':
        return [stmt.local];
      case 'mapLookup':
        return [stmt.key, stmt.ref];
      case 'mapUpdate':
        return [stmt.key, stmt.value];
      case 'mapDelete':
        return [stmt.key];
      case 'mapAtomic':
      case 'mapFieldStore':
      case 'mapElementRef':
        return [stmt.key, stmt.ref, stmt.zero];
      case 'ringSubmit':
        return [stmt.value, stmt.result];
      case 'packetView':
        return [stmt.ref, stmt.copy];
      case 'forRange':
        return [stmt.variable];
      case 'iterate':
        return [stmt.key, stmt.value];
      case 'poll':
        return [stmt.result];
      default:
        return [];
    }
  })();
  return [...own.filter((l): l is IrLocal => l !== null), ...localsIn(stmtExpressions(stmt))];
}

/** With an explicit stack: this runs over every expression of a function, more than once. */
function localsIn(roots: IrExpr[]): IrLocal[] {
  const found: IrLocal[] = [];
  const pending = [...roots];
  while (pending.length > 0) {
    const expr = pending.pop()!;
    if (expr.op === 'local') found.push(expr.local);
    else if (expr.op === 'elementValue' || expr.op === 'isNull') found.push(expr.ref);
    pending.push(...childExpressions(expr));
  }
  return found;
}
