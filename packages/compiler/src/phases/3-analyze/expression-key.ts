import type * as ast from '../1-parse/ast.js';

/**
 * A canonical text for an expression, free of spans and spacing: two keys
 * with the same text denote the same element within one function.
 */
export function expressionKey(expr: ast.Expr): string {
  switch (expr.kind) {
    case 'IntLiteral':
      return expr.value.toString();
    case 'BoolLiteral':
      return String(expr.value);
    case 'CharLiteral':
      return String(expr.value);
    case 'StringLiteral':
      return JSON.stringify(expr.value);
    case 'NullLiteral':
      return 'null';
    case 'Identifier':
      return expr.name;
    case 'PathExpr':
      return expr.segments.map((s) => s.name).join('::');
    case 'BinaryExpr':
      return `(${expressionKey(expr.left)} ${expr.op} ${expressionKey(expr.right)})`;
    case 'UnaryExpr':
      return `${expr.op}${expressionKey(expr.operand)}`;
    case 'CastExpr':
      return expressionKey(expr.expr);
    case 'MemberExpr':
      return `${expressionKey(expr.object)}.${expr.property.name}`;
    case 'IndexExpr':
      return `${expressionKey(expr.object)}[${expressionKey(expr.index)}]`;
    case 'CallExpr':
      return `${expressionKey(expr.callee)}(${expr.args.map(expressionKey).join(', ')})`;
    case 'StructLiteral':
      return `${expr.name.name}{${expr.fields.map((f) => `${f.name.name}: ${expressionKey(f.value)}`).join(', ')}}`;
    default:
      return `<${expr.kind}@${expr.span.start.offset}>`;
  }
}
