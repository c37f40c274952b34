// `match`: patterns against the subject's type, each value matched once, `_`
// last; as a value (`let x = match ...`) every arm yields one and `_` is needed.
import type * as ast from '../1-parse/ast.js';
import { located } from '../../diagnostics/diagnostic.js';
import { evaluateConst } from '../2-symbols/const-eval.js';
import { isIntegerLike, typeName, VOID, type Type } from '../2-symbols/types.js';
import { expect } from './assignability.js';
import type { Environment } from './environment.js';
import { checkExpr } from './expressions.js';
import type { FunctionContext } from './function-context.js';
import { alwaysExits, closingBrace } from './null-facts.js';
import { checkReturn } from './returns.js';
import { checkStatements } from './statements.js';

/** Type-checks a match; as an expression (`expected` given or value used) every arm yields a value. */
export function checkMatch(cx: FunctionContext, env: Environment, match: ast.MatchExpr, expected: Type | null, asValue = expected !== null): Type {
  const subject = checkExpr(cx, env, match.subject, null);
  if (!isIntegerLike(subject) && subject.kind !== 'bool') throw located('KS3801', `match works on integers and enums, not ${typeName(subject)}`, match.subject.span);
  const seen = new Set<string>();
  let resultType: Type | null = expected;
  let hasWildcard = false;
  for (const arm of match.arms) {
    if (arm.patterns.length === 0) {
      if (hasWildcard) throw located('KS3802', 'only one `_` arm is allowed', arm.span);
      hasWildcard = true;
    } else if (hasWildcard) {
      throw located('KS3803', 'this arm can never match: it comes after `_`', arm.span);
    }
    for (const pattern of arm.patterns) {
      expect(checkExpr(cx, env, pattern, subject), subject, pattern);
      const value = String(evaluateConst(pattern, cx.constants(env)));
      if (seen.has(value)) throw located('KS3804', `this value is already matched by an earlier arm`, pattern.span);
      seen.add(value);
    }
    const bodyType = checkArmBody(cx, env, arm.body, resultType, asValue);
    if (asValue && bodyType && !resultType) resultType = bodyType;
  }
  if (!hasWildcard && coversEveryValue(subject, seen)) cx.system.exhaustiveMatches.add(match);
  else if (asValue && !hasWildcard) throw located('KS3805', 'a match used as a value needs a `_` arm, or an arm for every value of a bool or enum', match.span);
  return cx.record(match, asValue ? (resultType ?? VOID) : VOID);
}

/** A bool's two values, or every variant of an enum, are matched (`seen` holds the matched values as strings). */
function coversEveryValue(subject: Type, seen: ReadonlySet<string>): boolean {
  if (subject.kind === 'bool') return seen.has('true') && seen.has('false');
  return subject.kind === 'enum' && [...subject.values.values()].every((value) => seen.has(String(value)));
}

/** Returns the arm's value type; null when the arm leaves (return). */
function checkArmBody(cx: FunctionContext, env: Environment, body: ast.Block | ast.ReturnStmt | ast.Expr, expected: Type | null, asValue: boolean): Type | null {
  if (body.kind === 'ReturnStmt') {
    checkReturn(cx, env, body);
    return null;
  }
  if (body.kind === 'Block') {
    const inner = checkStatements(cx, env.block(), body.statements);
    if (!body.result) {
      if (asValue && !alwaysExits(body)) throw located('KS3806', 'this arm must end in a value (an expression without `;`)', closingBrace(body));
      return null;
    }
    if (!asValue) throw located('KS3807', 'a match used as a statement yields no value; add `;`', body.result.span);
    const type = checkExpr(cx, inner, body.result, expected);
    if (expected) expect(type, expected, body.result);
    return type;
  }
  const type = body.kind === 'MatchExpr' ? checkMatch(cx, env, body, expected, asValue) : checkExpr(cx, env, body, expected);
  if (expected && asValue) expect(type, expected, body);
  return type;
}
