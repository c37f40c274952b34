// Dead branches: an `if` whose condition is a constant (after folding) keeps
// only the branch that runs, `while false` goes, and statements after a
// `return`, `tail_call`, `break` or `continue` in the same block go. Locals
// that only the removed code read are removed too, by the same pass that drops
// unused locals after lowering (clang -Wall -Werror refuses unused variables;
// the calls of a removed definition still run). Kernel functions only.
import type { IrStmt } from '../ir.js';
import { statements } from '../ir-walk.js';
import { mentionedLocals, readLocals } from '../local-uses.js';
import { dropUnusedLocals } from '../unused-locals.js';
import { rewriteKernelFunctions, type Pass } from './pass.js';
import { rewriteBlocks, rewriteStatements } from '../rewrite.js';

export const removeDeadBranches: Pass = (input) => {
  const output = rewriteKernelFunctions(input, (fn, report) => {
    let changed = false;
    const record = (message: string, line: number) => {
      changed = true;
      report(message, line);
    };
    const live = rewriteStatements(fn.body, (stmt) => {
      if (stmt.op === 'if' && stmt.condition.op === 'bool') {
        const [kept, removed] = stmt.condition.value ? [stmt.then, stmt.otherwise] : [stmt.otherwise, stmt.then];
        const branch = stmt.condition.value ? 'else' : 'then';
        record(`if ${stmt.condition.value}: removed the ${branch} branch (${count(removed)} statement(s))${kept.length === 0 ? ' and the if' : ''}`, stmt.line);
        return kept;
      }
      if (stmt.op === 'while' && stmt.condition.op === 'bool' && !stmt.condition.value) {
        record(`while false: removed the loop (${count(stmt.body)} statement(s))`, stmt.line);
        // The condition's statements still run once before the loop would exit.
        return stmt.head;
      }
      return [stmt];
    });
    const reachable = rewriteBlocks(live, (block) => {
      const end = block.findIndex(terminates);
      if (end < 0 || end === block.length - 1) return block;
      const dropped = block.slice(end + 1);
      record(`removed ${count(dropped)} unreachable statement(s) after ${describeEnd(block[end]!)}`, dropped[0]!.line);
      return block.slice(0, end + 1);
    });
    if (!changed) return fn.body;
    // Locals that only the removed code read go too, and their definitions with them.
    const readBefore = new Set([...statements(fn.body)].flatMap(readLocals));
    return dropUnusedLocals({ ...fn, body: reachable }, (local, line) => {
      if (readBefore.has(local)) record(`removed '${local.name}': only removed code read it`, line);
    }).body;
  });
  // Locals no statement names any more leave the function (and the stack estimate).
  const kernelFunctions = output.ir.kernelFunctions.map((fn) => {
    const named = new Set([...statements(fn.body)].flatMap(mentionedLocals));
    return { ...fn, locals: fn.locals.filter((l) => l.role === 'param' || named.has(l)) };
  });
  return { ...output, ir: { ...output.ir, kernelFunctions } };
};

/** Control never reaches the statement after `stmt`. */
function terminates(stmt: IrStmt): boolean {
  switch (stmt.op) {
    case 'return':
    case 'tailCall':
    case 'break':
    case 'continue':
      return true;
    case 'if':
      return stmt.then.some(terminates) && stmt.otherwise.some(terminates);
    case 'scope':
      return stmt.body.some(terminates);
    default:
      return false;
  }
}

function describeEnd(stmt: IrStmt): string {
  return stmt.op === 'tailCall' ? 'tail_call' : stmt.op === 'if' ? 'an if whose branches all leave' : stmt.op;
}

/** Source statements in `body`: distinct lines, since one statement lowers to several IR statements. */
function count(body: IrStmt[]): number {
  return new Set([...statements(body)].map((s) => s.line)).size;
}
