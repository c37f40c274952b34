import type * as ast from './ast.js';

/** Statements and expressions directly inside `node`, in source order. */
export function children(node: ast.Stmt | ast.Expr | ast.MatchArm): (ast.Stmt | ast.Expr | ast.MatchArm)[] {
  switch (node.kind) {
    case 'Block':
      return node.result ? [...node.statements, node.result] : node.statements;
    case 'LetStmt':
      return [node.init];
    case 'AssignStmt':
      return [node.target, node.value];
    case 'ExprStmt':
      return [node.expr];
    case 'IfStmt':
      return node.otherwise ? [node.condition, node.then, node.otherwise] : [node.condition, node.then];
    case 'ForRangeStmt':
      return [node.start, node.end, node.body];
    case 'ForEachStmt':
      return [node.iterable, node.body];
    case 'WhileStmt':
      return [node.condition, node.body];
    case 'ReturnStmt':
      return node.value ? [node.value] : [];
    case 'DeleteStmt':
      return [node.target];
    case 'BinaryExpr':
      return [node.left, node.right];
    case 'UnaryExpr':
      return [node.operand];
    case 'CastExpr':
      return [node.expr];
    case 'CallExpr':
      return [node.callee, ...node.args];
    case 'MemberExpr':
      return [node.object];
    case 'IndexExpr':
      return [node.object, node.index];
    case 'SliceExpr':
      return [node.object, node.start];
    case 'StructLiteral':
      return node.fields.map((f) => f.value);
    case 'ArrayLiteral':
      return node.elements;
    case 'ArrayRepeatLiteral':
      return [node.value, node.count];
    case 'MatchExpr':
      return [node.subject, ...node.arms];
    case 'MatchArm':
      return [...node.patterns, node.body];
    case 'TailCallExpr':
      return node.fallback ? [node.context, node.fallback] : [node.context];
    default:
      return [];
  }
}

/** Visit `node` and everything under it, depth first; return false from `visit` to skip a subtree. */
export function walk(node: ast.Stmt | ast.Expr | ast.MatchArm, visit: (node: ast.Stmt | ast.Expr | ast.MatchArm) => boolean | void): void {
  if (visit(node) === false) return;
  for (const child of children(node)) walk(child, visit);
}
