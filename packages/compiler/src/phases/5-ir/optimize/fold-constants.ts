// Constant folding: a unary or binary operation whose operands are constants
// (literals and `const`s, which lowering already turned into literals; casts of
// constants) becomes one constant. Only what C itself would compute to the
// same value is folded: an arithmetic result that does not fit its type (where
// C would wrap or overflow after integer promotion), a shift by the type's width
// or more, and a division by zero are left as they are. A cast of a constant
// standing alone is kept: the C literal would lose the cast's type
// (`(__u32)1 << n` is not `1 << n`). Kernel functions only.
import { sameType, type IntType } from '../../2-symbols/types.js';
import { typeOf, type IrExpr } from '../ir.js';
import { expressionText } from './expression-text.js';
import { rewriteKernelFunctions, type Pass } from './pass.js';
import { rewriteExpr, rewriteExpressions, rewriteStatements } from '../rewrite.js';

export const foldConstants: Pass = (input) =>
  rewriteKernelFunctions(input, (fn, record) =>
    rewriteStatements(fn.body, (stmt) => {
      // The unfolded form of each folded expression, to report the outermost fold once.
      const originals = new Map<IrExpr, IrExpr>();
      const folded = rewriteExpressions(stmt, (expr) => {
        const result = foldExpr(expr);
        if (result === expr) return expr;
        originals.set(result, unfolded(expr, originals));
        return result;
      });
      for (const [result, original] of originals) record(`${expressionText(original)} → ${expressionText(result)}`, stmt.line);
      return [folded];
    }),
  );

/** `expr` (whose operands are already folded) as one constant, or `expr` itself. */
export function foldExpr(expr: IrExpr): IrExpr {
  if (expr.op === 'unary') return foldUnary(expr);
  if (expr.op === 'binary') return foldBinary(expr);
  return expr;
}

/** The original of `expr` with every already-folded operand replaced by what it was folded from; the operands' entries are dropped. */
function unfolded(expr: IrExpr, originals: Map<IrExpr, IrExpr>): IrExpr {
  const original = (child: IrExpr): IrExpr => {
    const was = originals.get(child);
    if (!was) return child;
    originals.delete(child);
    return was;
  };
  return rewriteExpr(expr, original);
}

type Constant = { kind: 'int'; value: bigint; type: IntType } | { kind: 'bool'; value: boolean };

/** The value of a literal, or of a cast of one, as C computes it. */
function constantOf(expr: IrExpr): Constant | null {
  if (expr.op === 'bool') return { kind: 'bool', value: expr.value };
  if (expr.op === 'int') return expr.type.kind === 'int' ? { kind: 'int', value: expr.value, type: expr.type } : null;
  if (expr.op !== 'cast') return null;
  const inner = constantOf(expr.value);
  if (!inner) return null;
  const value = inner.kind === 'bool' ? (inner.value ? 1n : 0n) : inner.value;
  if (expr.type.kind === 'bool') return { kind: 'bool', value: value !== 0n };
  if (expr.type.kind !== 'int') return null;
  return { kind: 'int', value: convert(value, expr.type), type: expr.type };
}

function foldUnary(expr: Extract<IrExpr, { op: 'unary' }>): IrExpr {
  const operand = constantOf(expr.operand);
  if (!operand) return expr;
  if (operand.kind === 'bool') return expr.operator === '!' ? { op: 'bool', value: !operand.value } : expr;
  if (expr.type.kind !== 'int') return expr;
  if (expr.operator === '-') return intResult(-operand.value, expr.type) ?? expr;
  // Narrower operands are promoted to int first, so `~` of a u8 is negative in C.
  if (expr.operator === '~' && operand.type.size >= 4 && sameType(operand.type, expr.type)) {
    return intResult(operand.type.signed ? -operand.value - 1n : (1n << BigInt(operand.type.size * 8)) - 1n - operand.value, expr.type) ?? expr;
  }
  return expr;
}

function foldBinary(expr: Extract<IrExpr, { op: 'binary' }>): IrExpr {
  const left = constantOf(expr.left);
  const right = constantOf(expr.right);
  // `false && e` and `true || e` never evaluate e; `true && e` and `false || e` are e.
  if (left?.kind === 'bool' && (expr.operator === '&&' || expr.operator === '||') && typeOf(expr.right).kind === 'bool') {
    const decides = expr.operator === '&&' ? !left.value : left.value;
    return decides ? { op: 'bool', value: left.value } : expr.right;
  }
  if (!left || !right) return expr;
  if (left.kind === 'bool' && right.kind === 'bool') {
    switch (expr.operator) {
      case '&&': return { op: 'bool', value: left.value && right.value };
      case '||': return { op: 'bool', value: left.value || right.value };
      case '==': return { op: 'bool', value: left.value === right.value };
      case '!=': return { op: 'bool', value: left.value !== right.value };
      default: return expr;
    }
  }
  if (left.kind !== 'int' || right.kind !== 'int') return expr;
  const a = left.value;
  const b = right.value;
  if (expr.operator === '<<' || expr.operator === '>>') {
    // The left operand is promoted to at least 32 bits; shifting by its width or more, or a negative value, is undefined in C.
    const width = BigInt(Math.max(4, left.type.size) * 8);
    if (a < 0n || b < 0n || b >= width || expr.type.kind !== 'int') return expr;
    return intResult(expr.operator === '<<' ? a << b : a >> b, expr.type) ?? expr;
  }
  // Mixed signedness would follow C's usual conversions; the type checker gives both sides one type.
  if (!sameType(left.type, right.type)) return expr;
  switch (expr.operator) {
    case '<': return { op: 'bool', value: a < b };
    case '<=': return { op: 'bool', value: a <= b };
    case '>': return { op: 'bool', value: a > b };
    case '>=': return { op: 'bool', value: a >= b };
    case '==': return { op: 'bool', value: a === b };
    case '!=': return { op: 'bool', value: a !== b };
    default: break;
  }
  if (expr.type.kind !== 'int') return expr;
  switch (expr.operator) {
    case '+': return intResult(a + b, expr.type) ?? expr;
    case '-': return intResult(a - b, expr.type) ?? expr;
    case '*': return intResult(a * b, expr.type) ?? expr;
    // bigint division truncates toward zero and `%` takes the dividend's sign, as in C.
    case '/': return b === 0n ? expr : (intResult(a / b, expr.type) ?? expr);
    case '%': return b === 0n ? expr : (intResult(a % b, expr.type) ?? expr);
    case '&': return intResult(a & b, expr.type) ?? expr;
    case '|': return intResult(a | b, expr.type) ?? expr;
    case '^': return intResult(a ^ b, expr.type) ?? expr;
    default: return expr;
  }
}

/** A literal of `type`, when `value` fits it (no wrap-around to reason about). */
function intResult(value: bigint, type: IntType): IrExpr | null {
  return fits(value, type) ? { op: 'int', value, type } : null;
}

function fits(value: bigint, type: IntType): boolean {
  const bits = BigInt(type.size * 8);
  return type.signed ? value >= -(1n << (bits - 1n)) && value < 1n << (bits - 1n) : value >= 0n && value < 1n << bits;
}

/** C's conversion to an integer type: modulo 2^bits (two's complement for signed targets, as clang does). */
function convert(value: bigint, type: IntType): bigint {
  const bits = type.size * 8;
  return type.signed ? BigInt.asIntN(bits, value) : BigInt.asUintN(bits, value);
}
