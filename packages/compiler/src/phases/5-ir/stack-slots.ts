// Which IR locals occupy BPF stack, and how much stack a body needs when
// statement-scoped temporaries may share slots (clang's stack colouring reuses
// the slots of variables whose C blocks do not overlap).
import { alignOf, roundUp, sizeOf } from '../2-symbols/types.js';
import type { IrExpr, IrLocal, IrStmt } from './ir.js';
import { childBodies, expressions, stmtExpressions } from './ir-walk.js';

/** Locals that live on the BPF stack: their address is passed to a helper, or they are aggregates. */
export function livesOnStack(local: IrLocal): boolean {
  if (local.role === 'param' || local.role === 'constant') return false;
  return local.addressTaken || local.type.kind === 'struct' || local.type.kind === 'array';
}

/** On-stack locals a statement declares in the block it stands in. */
export function declaredOnStack(stmt: IrStmt): IrLocal[] {
  switch (stmt.op) {
    case 'declare':
      return livesOnStack(stmt.local) ? [stmt.local] : [];
    case 'packetView':
      return stmt.copy ? [stmt.copy] : [];
    case 'iterate':
      return [stmt.key, stmt.value].filter(livesOnStack);
    case 'forRange':
      return livesOnStack(stmt.variable) ? [stmt.variable] : [];
    default:
      return [];
  }
}

/**
 * Bytes of stack `body` needs: what its own block declares stays for the rest
 * of the block; nested blocks (branches, loop bodies, statement scopes, inlined
 * helper calls) come and go, so only the largest of them adds.
 */
export function stackNeed(body: IrStmt[], calleeNeed: (name: string) => number): number {
  let direct = 0;
  let nested = 0;
  for (const stmt of body) {
    for (const local of declaredOnStack(stmt)) direct = roundUp(direct, alignOf(local.type)) + sizeOf(local.type);
    // A while loop's head and body share one C block; other children are blocks of their own.
    const children = stmt.op === 'while' ? [[...stmt.head, ...stmt.body]] : childBodies(stmt);
    for (const child of children) nested = Math.max(nested, stackNeed(child, calleeNeed));
    // The zero element an in-place update inserts lives in its own `if (!elem) { ... }` block.
    if ((stmt.op === 'mapAtomic' || stmt.op === 'mapFieldStore' || stmt.op === 'mapElementRef') && livesOnStack(stmt.zero)) nested = Math.max(nested, sizeOf(stmt.zero.type));
    const calls = stmtExpressions(stmt).flatMap((root) => [...expressions(root)]).filter((e): e is Extract<IrExpr, { op: 'call' }> => e.op === 'call');
    nested = Math.max(nested, calls.reduce((sum, call) => sum + calleeNeed(call.name), 0));
  }
  return roundUp(direct, 8) + nested;
}
