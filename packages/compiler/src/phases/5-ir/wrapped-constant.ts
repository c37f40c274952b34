// Constant integer expressions that C would get wrong. KernelScript wraps
// every operation to its own type (two's complement); C computes literals as
// int, promotes 8- and 16-bit values to int, and warns when a constant
// overflows (`255 + 255` stored in a u8, `2147483647 + 1`, `1 << 40`). Such an
// expression is printed as the one literal KernelScript defines; the others
// stay as written.
import type { IntType } from '../2-symbols/types.js';
import { typeOf, type IrExpr } from './ir.js';

const INT_MIN = -(1n << 31n);
const INT_MAX = (1n << 31n) - 1n;

/** The wrapped value of a constant expression whose exact value leaves its type or C's int somewhere; null otherwise. */
export function overflowingConstant(expr: IrExpr): bigint | null {
  const result = evaluate(expr);
  return result?.overflows ? result.value : null;
}

/** Whether `expr` is an integer expression made only of literals. */
export function isIntConstant(expr: IrExpr): boolean {
  return evaluate(expr) !== null;
}

/** The value of an integer expression made only of literals (each operation wrapped to its type); null otherwise. */
export function constantValue(expr: IrExpr): bigint | null {
  return evaluate(expr)?.value ?? null;
}

interface Evaluated {
  value: bigint;
  /** Some operation's exact result did not fit its type or an int. */
  overflows: boolean;
}

function evaluate(expr: IrExpr): Evaluated | null {
  const type = typeOf(expr);
  if (type.kind !== 'int') return null;
  switch (expr.op) {
    case 'int':
      return { value: expr.value, overflows: false };
    case 'cast': {
      const inner = evaluate(expr.value);
      return inner && { value: wrap(inner.value, type), overflows: inner.overflows };
    }
    case 'unary': {
      const operand = evaluate(expr.operand);
      const exact = operand === null ? null : expr.operator === '-' ? -operand.value : expr.operator === '~' ? ~operand.value : null;
      return exact === null ? null : result(exact, type, operand!.overflows);
    }
    case 'binary': {
      const left = evaluate(expr.left);
      const right = evaluate(expr.right);
      if (left === null || right === null) return null;
      const exact = binary(expr.operator, left.value, right.value, type);
      // A literal is an int in C: shifting it by 32 or more, or a negative one left, is undefined there (and clang warns).
      const shift = expr.operator === '<<' || expr.operator === '>>';
      const undefinedInC = shift && (right.value >= 32n || (expr.operator === '<<' && left.value < 0n));
      return exact === null ? null : result(exact, type, left.overflows || right.overflows || undefinedInC);
    }
    default:
      return null;
  }
}

function result(exact: bigint, type: IntType, overflowed: boolean): Evaluated {
  const value = wrap(exact, type);
  return { value, overflows: overflowed || value !== exact || exact < INT_MIN || exact > INT_MAX };
}

/** The exact result of `a operator b` (wrapped by the caller); null for what the type checker refuses or C leaves undefined. */
function binary(operator: string, a: bigint, b: bigint, type: IntType): bigint | null {
  const bits = BigInt(type.size * 8);
  switch (operator) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    // Truncating toward zero, as C; the type checker refuses a constant zero divisor.
    case '/': return b === 0n ? null : a / b;
    case '%': return b === 0n ? null : a % b;
    case '&': return a & b;
    case '|': return a | b;
    case '^': return a ^ b;
    // The type checker refuses constant shifts outside 0..width-1.
    case '<<': return b < 0n || b >= bits ? null : a << b;
    case '>>': return b < 0n || b >= bits ? null : a >> b;
    default: return null;
  }
}

function wrap(value: bigint, type: IntType): bigint {
  const bits = type.size * 8;
  return type.signed ? BigInt.asIntN(bits, value) : BigInt.asUintN(bits, value);
}
