// Who calls whom: the kernel functions a program runs are its main and every
// helper reachable from it through calls (helpers are inlined into each).
import type { IrFunction, IrStmt } from './ir.js';
import { allExpressions } from './ir-walk.js';

/** `main` and every function of `byName` it calls, directly or not; main first. */
export function reachableFunctions(main: IrFunction, byName: Map<string, IrFunction>): IrFunction[] {
  const seen = new Map<string, IrFunction>([[main.cName, main]]);
  const queue = [main];
  while (queue.length > 0) {
    const fn = queue.shift()!;
    for (const name of callsIn(fn.body)) {
      const callee = byName.get(name);
      if (callee && !seen.has(name)) {
        seen.set(name, callee);
        queue.push(callee);
      }
    }
  }
  return [...seen.values()];
}

/** The (C) names of everything `body` calls, builtins included, in order of appearance. */
export function callsIn(body: IrStmt[]): string[] {
  return [...allExpressions(body)].flatMap((expr) => (expr.op === 'call' ? [expr.name] : []));
}
