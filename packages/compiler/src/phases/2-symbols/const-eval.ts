// Compile-time evaluation of constant expressions: array lengths, map sizes,
// `const` values, enum values, config defaults.
import type * as ast from '../1-parse/ast.js';
import { CompileError } from '../../diagnostics/diagnostic.js';
import { PROTOCOL_CONSTANTS } from '../../language/headers.js';
import { lookup, type Scope } from './symbol-table.js';

export type ConstValue = bigint | boolean;

export function evaluateConst(expr: ast.Expr, scope: Scope): ConstValue {
  switch (expr.kind) {
    case 'IntLiteral':
      return expr.value;
    case 'BoolLiteral':
      return expr.value;
    case 'CharLiteral':
      return BigInt(expr.value);
    case 'Identifier': {
      const constant = lookup(scope, 'consts', expr.name);
      if (constant) return constant.value;
      const protocol = PROTOCOL_CONSTANTS[expr.name];
      if (protocol) return BigInt(protocol.value);
      break;
    }
    case 'PathExpr': {
      const [typeName, variant] = expr.segments;
      const type = expr.segments.length === 2 ? lookup(scope, 'types', typeName!.name) : undefined;
      if (type?.kind === 'enum') {
        const value = type.values.get(variant!.name);
        if (value !== undefined) return value;
      }
      break;
    }
    case 'UnaryExpr': {
      const operand = evaluateConst(expr.operand, scope);
      if (expr.op === '!' && typeof operand === 'boolean') return !operand;
      if (typeof operand === 'bigint') return expr.op === '-' ? -operand : expr.op === '~' ? ~operand : fail(expr);
      break;
    }
    case 'CastExpr':
      return evaluateConst(expr.expr, scope);
    case 'BinaryExpr':
      return evaluateBinary(expr, evaluateConst(expr.left, scope), evaluateConst(expr.right, scope));
    default:
      break;
  }
  return fail(expr);
}

/** The value of a constant expression that must be an integer. */
export function evaluateConstInt(expr: ast.Expr, scope: Scope, what: string): bigint {
  const value = evaluateConst(expr, scope);
  if (typeof value !== 'bigint') {
    throw new CompileError({ severity: 'error', message: `${what} must be an integer constant`, span: expr.span, notes: [] });
  }
  return value;
}

function evaluateBinary(expr: ast.BinaryExpr, left: ConstValue, right: ConstValue): ConstValue {
  if (typeof left === 'bigint' && typeof right === 'bigint') {
    if ((expr.op === '/' || expr.op === '%') && right === 0n) {
      throw new CompileError({ severity: 'error', message: 'division by zero in a constant expression', span: expr.right.span, notes: [] });
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

function fail(expr: ast.Expr): never {
  throw new CompileError({ severity: 'error', message: 'expected a constant expression', span: expr.span, notes: [] });
}
