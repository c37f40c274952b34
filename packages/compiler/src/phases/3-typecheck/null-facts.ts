// What a condition proves about nullable views in each branch, and whether
// control can fall off the end of a statement: together they decide where a
// view may be used (`if eth == null { return XDP_PASS; }` proves it for the
// rest of the block).
import type * as ast from '../1-parse/ast.js';
import type { LocalVariable } from './typed-system.js';

/** Locals a condition proves non-null when it is true, and when it is false. */
export interface NullFacts {
  whenTrue: LocalVariable[];
  whenFalse: LocalVariable[];
}

const NO_FACTS: NullFacts = { whenTrue: [], whenFalse: [] };

/** What `condition` tells about the nullable locals `nullable` recognises. */
export function nullFacts(condition: ast.Expr, nullable: (e: ast.Expr) => LocalVariable | null): NullFacts {
  if (condition.kind === 'UnaryExpr' && condition.op === '!') {
    const inner = nullFacts(condition.operand, nullable);
    return { whenTrue: inner.whenFalse, whenFalse: inner.whenTrue };
  }
  if (condition.kind !== 'BinaryExpr') return NO_FACTS;
  const { op, left, right } = condition;
  if (op === '&&' || op === '||') {
    const a = nullFacts(left, nullable);
    const b = nullFacts(right, nullable);
    return op === '&&' ? { whenTrue: [...a.whenTrue, ...b.whenTrue], whenFalse: [] } : { whenTrue: [], whenFalse: [...a.whenFalse, ...b.whenFalse] };
  }
  if (op !== '==' && op !== '!=') return NO_FACTS;
  const tested = left.kind === 'NullLiteral' ? right : right.kind === 'NullLiteral' ? left : null;
  const local = tested ? nullable(tested) : null;
  if (!local) return NO_FACTS;
  return op === '==' ? { whenTrue: [], whenFalse: [local] } : { whenTrue: [local], whenFalse: [] };
}

/** Whether control never falls off the end of `stmt` (return/break/continue on every path). */
export function alwaysExits(stmt: ast.Stmt | ast.Block): boolean {
  switch (stmt.kind) {
    case 'ReturnStmt':
    case 'BreakStmt':
    case 'ContinueStmt':
      return true;
    case 'Block':
      return stmt.statements.some(alwaysExits);
    case 'IfStmt':
      return stmt.otherwise !== null && alwaysExits(stmt.then) && alwaysExits(stmt.otherwise);
    case 'ExprStmt':
      return stmt.expr.kind === 'MatchExpr' && stmt.expr.arms.some((a) => a.patterns.length === 0) && stmt.expr.arms.every((a) => armExits(a.body));
    default:
      return false;
  }
}

export function armExits(body: ast.Block | ast.ReturnStmt | ast.Expr): boolean {
  return body.kind === 'ReturnStmt' || (body.kind === 'Block' && alwaysExits(body));
}

/** The closing `}` of a block: where "not every path returns" points. */
export function closingBrace(block: ast.Block): ast.Span {
  const end = block.span.end;
  return { start: { ...end, offset: end.offset - 1, column: end.column - 1 }, end };
}
