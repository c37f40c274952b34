// The integer rules of LANGUAGE.md §3: literals take the type their context
// asks for, widening is implicit, narrowing and sign changes need `as`.
import type * as ast from '../1-parse/ast.js';
import { located } from '../../diagnostics/diagnostic.js';
import { INT_TYPES, intRange, integerView, sameType, typeName, type IntType, type Type } from '../2-symbols/types.js';

/** `actual` may be used where `expected` is wanted (same type or implicit widening). */
export function assignable(actual: Type, expected: Type): boolean {
  if (sameType(actual, expected)) return true;
  if (expected.kind === 'action' && actual.kind === 'int') return true;
  if (expected.kind === 'int' && (actual.kind === 'int' || actual.kind === 'char' || actual.kind === 'enum')) return widens(integerView(actual)!, expected);
  if (expected.kind === 'char' && actual.kind === 'int') return actual.name === 'u8';
  // `[char; N]` and `[u8; N]` hold the same bytes (both are strings, LANGUAGE.md §14).
  if (expected.kind === 'array' && actual.kind === 'array') return expected.length === actual.length && isByte(expected.element) && isByte(actual.element);
  return false;
}

function isByte(type: Type): boolean {
  return type.kind === 'char' || (type.kind === 'int' && type.name === 'u8');
}

/** Refuses `expr` (of type `actual`) where `expected` is wanted, with the cast that would make it fit. */
export function expect(actual: Type, expected: Type, expr: ast.Expr): void {
  if (assignable(actual, expected)) return;
  const a = integerView(actual);
  const e = integerView(expected);
  const help =
    a && e && actual.kind !== 'bool' && expected.kind !== 'bool'
      ? [`help: ${a.size > e.size ? 'narrowing' : 'changing signedness'} needs an explicit cast: (${exprHint(expr)}) as ${typeName(expected)}`]
      : [];
  throw located('KS3101', `expected ${typeName(expected)}, found ${typeName(actual)}`, expr.span, ...help);
}

/** The common type of two integer operands under the widening rules. */
export function unify(left: Type, right: Type, leftExpr: ast.Expr, rightExpr: ast.Expr): Type {
  if (sameType(left, right)) return left.kind === 'action' || left.kind === 'enum' || left.kind === 'char' ? integerView(left)! : left;
  const a = integerView(left);
  const b = integerView(right);
  if (!a || !b) throw located('KS3102', `mismatched types ${typeName(left)} and ${typeName(right)}`, leftExpr.span);
  if (widens(a, b)) return b;
  if (widens(b, a)) return a;
  throw located('KS3102', 
    `mismatched types ${typeName(left)} and ${typeName(right)}`,
    rightExpr.span,
    `help: convert one side explicitly, e.g. (${exprHint(rightExpr)}) as ${a.name}`,
  );
}

/** Implicit widening: same signedness to a larger size, or unsigned to a strictly larger signed type. */
export function widens(from: IntType, to: IntType): boolean {
  if (from.signed === to.signed) return from.size <= to.size;
  return !from.signed && to.signed && from.size < to.size;
}

/** The type of an integer literal: the one `expected` asks for (it must fit), else u32 unless the value needs more. */
export function literalType(value: bigint, expected: Type | null, span: ast.Span): Type {
  const target = expected && expected.kind !== 'bool' ? integerView(expected) : null;
  if (target && expected!.kind !== 'action') {
    const [min, max] = intRange(target);
    if (value < min || value > max) throw located('KS3103', `${value} does not fit in ${target.name} (${min}..${max})`, span);
    return expected!.kind === 'enum' ? target : expected!;
  }
  // Untyped literals: u32 unless the value needs more (LANGUAGE §3, docs/language.md).
  if (value >= 0n) return value <= 0xffff_ffffn ? INT_TYPES.u32 : value <= 0xffff_ffff_ffff_ffffn ? INT_TYPES.u64 : tooBig(value, span);
  return value >= -(1n << 31n) ? INT_TYPES.i32 : value >= -(1n << 63n) ? INT_TYPES.i64 : tooBig(value, span);
}

export function isLiteral(expr: ast.Expr): boolean {
  return expr.kind === 'IntLiteral' || expr.kind === 'CharLiteral' || (expr.kind === 'UnaryExpr' && expr.op === '-' && expr.operand.kind === 'IntLiteral');
}

function tooBig(value: bigint, span: ast.Span): never {
  throw located('KS3103', `${value} does not fit in any integer type`, span);
}

function exprHint(expr: ast.Expr): string {
  return expr.kind === 'Identifier' ? expr.name : 'value';
}
