import type * as ast from '../1-parse/ast.js';

/**
 * A canonical text for an expression, free of spans and spacing: two keys
 * with the same text denote the same element within one function.
 * `localName` names each identifier that is a local by its unique name.
 */
export function expressionKey(expr: ast.Expr, localName: (name: ast.Identifier) => string | undefined): string {
  const key = (e: ast.Expr): string => expressionKey(e, localName);
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
      return localName(expr) ?? expr.name;
    case 'PathExpr':
      return expr.segments.map((s) => s.name).join('::');
    case 'BinaryExpr':
      return `(${key(expr.left)} ${expr.op} ${key(expr.right)})`;
    case 'UnaryExpr':
      return `${expr.op}${key(expr.operand)}`;
    case 'CastExpr':
      return key(expr.expr);
    case 'MemberExpr':
      return `${key(expr.object)}.${expr.property.name}`;
    case 'IndexExpr':
      return `${key(expr.object)}[${key(expr.index)}]`;
    case 'CallExpr':
      return `${key(expr.callee)}(${expr.args.map(key).join(', ')})`;
    case 'StructLiteral':
      return `${expr.name.name}{${expr.fields.map((f) => `${f.name.name}: ${key(f.value)}`).join(', ')}}`;
    default:
      return `<${expr.kind}@${expr.span.start.offset}>`;
  }
}
