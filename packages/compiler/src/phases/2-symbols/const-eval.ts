// Compile-time evaluation of constant expressions: array lengths, map sizes,
// `const` values, enum values, config defaults, constant keys and indexes.
// Names are resolved by the caller: by scope while declarations are read,
// by the type checker's resolutions afterwards (so a local shadowing a
// constant is not taken for it).
import type * as ast from '../1-parse/ast.js';
import { CompileError, located } from '../../diagnostics/diagnostic.js';
import { PROTOCOL_CONSTANTS } from '../../language/headers.js';
import { lookup, type Scope } from './symbol-table.js';

export type ConstValue = bigint | boolean;

/** The value a name denotes, when it is a constant; undefined otherwise. */
export type ConstNames = (name: ast.Identifier | ast.PathExpr) => ConstValue | undefined;

/** Constants visible from `scope`: `const`s, the kernel's protocol constants, enum variants. */
export function scopeConstants(scope: Scope): ConstNames {
  return (name) => {
    if (name.kind === 'Identifier') {
      const constant = lookup(scope, 'consts', name.name);
      if (constant) return constant.value;
      const protocol = PROTOCOL_CONSTANTS[name.name];
      return protocol ? BigInt(protocol.value) : undefined;
    }
    const [typeName, variant] = name.segments;
    const type = name.segments.length === 2 ? lookup(scope, 'types', typeName!.name) : undefined;
    return type?.kind === 'enum' ? type.values.get(variant!.name) : undefined;
  };
}

export function evaluateConst(expr: ast.Expr, names: ConstNames): ConstValue {
  switch (expr.kind) {
    case 'IntLiteral':
      return expr.value;
    case 'BoolLiteral':
      return expr.value;
    case 'CharLiteral':
      return BigInt(expr.value);
    case 'Identifier':
    case 'PathExpr': {
      const value = names(expr);
      if (value !== undefined) return value;
      break;
    }
    case 'UnaryExpr': {
      const operand = evaluateConst(expr.operand, names);
      if (expr.op === '!' && typeof operand === 'boolean') return !operand;
      if (typeof operand === 'bigint') return expr.op === '-' ? -operand : expr.op === '~' ? ~operand : fail(expr);
      break;
    }
    case 'CastExpr':
      return evaluateConst(expr.expr, names);
    case 'BinaryExpr':
      return evaluateBinary(expr, evaluateConst(expr.left, names), evaluateConst(expr.right, names));
    default:
      break;
  }
  return fail(expr);
}

/** The value of a constant expression that must be an integer. */
export function evaluateConstInt(expr: ast.Expr, names: ConstNames, what: string): bigint {
  const value = evaluateConst(expr, names);
  if (typeof value !== 'bigint') {
    throw located('KS2012', `${what} must be an integer constant`, expr.span);
  }
  return value;
}

function evaluateBinary(expr: ast.BinaryExpr, left: ConstValue, right: ConstValue): ConstValue {
  if (typeof left === 'bigint' && typeof right === 'bigint') {
    if ((expr.op === '/' || expr.op === '%') && right === 0n) {
      throw located('KS2013', 'division by zero in a constant expression', expr.right.span);
    }
    switch (expr.op) {
      case '+': return left + right;
      case '-': return left - right;
      case '*': return left * right;
      case '/': return left / right;
      case '%': return left % right;
      case '<<': return left << right;
      case '>>': return left >> right;
      case '&': return left & right;
      case '|': return left | right;
      case '^': return left ^ right;
      case '<': return left < right;
      case '<=': return left <= right;
      case '>': return left > right;
      case '>=': return left >= right;
      case '==': return left === right;
      case '!=': return left !== right;
      default: break;
    }
  }
  if (typeof left === 'boolean' && typeof right === 'boolean') {
    switch (expr.op) {
      case '&&': return left && right;
      case '||': return left || right;
      case '==': return left === right;
      case '!=': return left !== right;
      default: break;
    }
  }
  return fail(expr);
}

/** The value of `expr` when it is constant; null when it is not. */
export function constantOrNull(expr: ast.Expr, names: ConstNames): ConstValue | null {
  try {
    return evaluateConst(expr, names);
  } catch (error) {
    if (error instanceof CompileError) return null;
    throw error;
  }
}

function fail(expr: ast.Expr): never {
  throw located('KS2012', 'expected a constant expression', expr.span);
}
