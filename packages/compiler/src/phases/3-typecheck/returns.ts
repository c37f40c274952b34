// `return`: the value against the function's return type; in a program's
// main, an action of its kind or a value in the kind's legal range; and
// `return tail_call(ctx, prog) else fallback;`.
import type * as ast from '../1-parse/ast.js';
import { located } from '../../diagnostics/diagnostic.js';
import { ACTION_CONSTANTS } from '../../language/program-kinds.js';
import { didYouMean } from '../../util/suggest.js';
import { constantOrNull, type ConstNames } from '../2-symbols/const-eval.js';
import { isIntegerLike, typeName, type Type } from '../2-symbols/types.js';
import { expect } from './assignability.js';
import type { Environment } from './environment.js';
import { checkExpr } from './expressions.js';
import type { FunctionContext } from './function-context.js';

export function checkReturn(cx: FunctionContext, env: Environment, stmt: ast.ReturnStmt): void {
  const expected = cx.fn.returnType;
  if (!stmt.value) {
    if (expected.kind !== 'void') throw located('KS3704', `'${cx.fn.name}' must return ${typeName(expected)}`, stmt.span);
    return;
  }
  if (stmt.value.kind === 'TailCallExpr') return checkTailCall(cx, env, stmt.value, expected);
  if (expected.kind === 'action') return checkActionValue(cx, env, stmt.value, expected.name);
  expect(checkExpr(cx, env, stmt.value, expected), expected, stmt.value);
  checkReturnRange(cx, env, stmt.value);
}

/** A return value of an XDP/TC program: a constant of the right family, or an integer (with a warning). */
function checkActionValue(cx: FunctionContext, env: Environment, expr: ast.Expr, action: 'XdpAction' | 'TcAction'): void {
  const type = checkExpr(cx, env, expr, { kind: 'action', name: action });
  if (type.kind === 'action') {
    if (type.name !== action) {
      const constant = expr.kind === 'Identifier' ? expr.name : expr.kind === 'PathExpr' ? expr.segments.map((s) => s.name).join('::') : 'this value';
      throw located('KS3901', 
        `${constant} is a ${type.name} constant, but this program returns ${action}`,
        expr.span,
        `help: use one of ${Object.keys(ACTION_CONSTANTS[action]).join(', ')}`,
      );
    }
    return;
  }
  if (expr.kind === 'IntLiteral') {
    const entry = Object.entries(ACTION_CONSTANTS[action]).find(([, info]) => BigInt(info.value) === expr.value);
    if (!entry) throw located('KS3902', `${expr.value} is not a valid ${action}`, expr.span, `help: use one of ${Object.keys(ACTION_CONSTANTS[action]).join(', ')}`);
    cx.diagnostics.warning('KS3903', `returning the integer ${expr.value}; write ${entry[0]}`, expr.span);
    return;
  }
  if (!isIntegerLike(type)) throw located('KS3904', `expected ${action}, found ${typeName(type)}`, expr.span);
}

/**
 * The result of a program's main must be in the range the verifier accepts
 * for its kind (cgroup_skb: 0 or 1), or it refuses the program at load. A
 * value the compiler cannot bound is refused here too, with the way to write it.
 */
function checkReturnRange(cx: FunctionContext, env: Environment, value: ast.Expr): void {
  const program = cx.program;
  const range = program && program.main === cx.fn ? program.info.returnRange : null;
  if (!range) return;
  const [low, high] = [BigInt(range[0]), BigInt(range[1])];
  const expected = low === high ? `${low}` : `${low} to ${high}`;
  const bounds = valueBounds(value, cx.constants(env));
  if (bounds === null) {
    throw located(
      'KS3910',
      `a ${program!.info.kind} program returns ${expected}, and the compiler cannot tell what this value is`,
      value.span,
      `help: return constants, e.g. \`if allowed { return ${high}; } return ${low};\`, or mask the value: \`(v & ${high})\``,
    );
  }
  if (bounds[0] < low || bounds[1] > high) {
    const what = bounds[0] === bounds[1] ? `${bounds[0]}` : `a value from ${bounds[0]} to ${bounds[1]}`;
    throw located('KS3905', `a ${program!.info.kind} program returns ${expected}, not ${what}`, value.span);
  }
}

/** The smallest and largest value `expr` can have, where that is plain from its form; null when it is not. */
function valueBounds(expr: ast.Expr, constants: ConstNames): [bigint, bigint] | null {
  const constant = constantOrNull(expr, constants);
  if (typeof constant === 'bigint') return [constant, constant];
  switch (expr.kind) {
    case 'BinaryExpr': {
      if (['==', '!=', '<', '<=', '>', '>=', '&&', '||'].includes(expr.op)) return [0n, 1n];
      if (expr.op === '&') {
        // A non-negative mask bounds the result whatever the other side is.
        const masks = [expr.left, expr.right].map((side) => constantOrNull(side, constants)).filter((c): c is bigint => typeof c === 'bigint' && c >= 0n);
        return masks.length > 0 ? [0n, masks.reduce((a, b) => (a < b ? a : b))] : null;
      }
      return null;
    }
    case 'UnaryExpr':
      return expr.op === '!' ? [0n, 1n] : null;
    case 'CastExpr':
      return valueBounds(expr.expr, constants);
    default:
      return null;
  }
}

function checkTailCall(cx: FunctionContext, env: Environment, call: ast.TailCallExpr, expected: Type): void {
  const program = cx.program;
  if (!program) throw located('KS3906', 'tail_call is only possible in a program', call.span);
  const ctx = checkExpr(cx, env, call.context, null);
  if (ctx.kind !== 'context') throw located('KS3907', 'the first argument of tail_call is the program context (ctx)', call.context.span);
  const programs = cx.system.symbols.programs;
  const target = programs.find((p) => p.name === call.target.name);
  if (!target) throw located('KS3908', `unknown program '${call.target.name}'`, call.target.span, ...didYouMean(call.target.name, programs.map((p) => p.name)));
  if (target.info.kind !== program.info.kind) {
    throw located('KS3909', `tail_call jumps between programs of the same kind: '${target.name}' is ${target.info.kind}, this is ${program.info.kind}`, call.target.span);
  }
  const slots = cx.system.tailCallSlots;
  if (!slots.has(target.name)) slots.set(target.name, slots.size);
  if (call.fallback) {
    if (expected.kind === 'action') checkActionValue(cx, env, call.fallback, expected.name);
    else {
      expect(checkExpr(cx, env, call.fallback, expected), expected, call.fallback);
      checkReturnRange(cx, env, call.fallback);
    }
  }
  cx.record(call, expected);
}
