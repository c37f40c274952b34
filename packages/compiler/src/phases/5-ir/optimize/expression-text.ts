// IR expressions as short source-like text, for the optimiser's report.
import { typeName } from '../../2-symbols/types.js';
import type { IrExpr } from '../ir.js';

export function expressionText(expr: IrExpr): string {
  switch (expr.op) {
    case 'int':
      return String(expr.value);
    case 'bool':
      return String(expr.value);
    case 'local':
      return expr.local.name;
    case 'symbol':
      return expr.name;
    case 'unary':
      return `${expr.operator}${operand(expr.operand)}`;
    case 'binary':
      return `${operand(expr.left)} ${expr.operator} ${operand(expr.right)}`;
    case 'cast':
      return `${operand(expr.value)} as ${typeName(expr.type)}`;
    default:
      return '…';
  }
}

function operand(expr: IrExpr): string {
  const text = expressionText(expr);
  return expr.op === 'binary' || expr.op === 'cast' ? `(${text})` : text;
}
