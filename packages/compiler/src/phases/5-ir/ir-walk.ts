// Iterating over IR trees: every statement, every expression.
import type { IrExpr, IrLocal, IrPathStep, IrStmt } from './ir.js';

/** The statement lists nested in `stmt`: branches, loop bodies, scopes. */
export function childBodies(stmt: IrStmt): IrStmt[][] {
  switch (stmt.op) {
    case 'if':
      return [stmt.then, stmt.otherwise];
    case 'forRange':
    case 'iterate':
    case 'scope':
      return [stmt.body];
    case 'while':
      return [stmt.head, stmt.body];
    default:
      return [];
  }
}

export function* statements(body: IrStmt[]): Generator<IrStmt> {
  for (const stmt of body) {
    yield stmt;
    for (const child of childBodies(stmt)) yield* statements(child);
  }
}

export function* expressions(expr: IrExpr): Generator<IrExpr> {
  yield expr;
  switch (expr.op) {
    case 'unary':
      yield* expressions(expr.operand);
      break;
    case 'binary':
      yield* expressions(expr.left);
      yield* expressions(expr.right);
      break;
    case 'cast':
      yield* expressions(expr.value);
      break;
    case 'call':
      for (const arg of expr.args) yield* expressions(arg);
      break;
    case 'field':
      yield* expressions(expr.object);
      break;
    case 'index':
      yield* expressions(expr.array);
      yield* expressions(expr.index);
      break;
    case 'structLiteral':
      for (const field of expr.fields) yield* expressions(field.value);
      break;
    case 'arrayLiteral':
      for (const element of expr.elements) yield* expressions(element);
      break;
    case 'arrayRepeat':
      yield* expressions(expr.value);
      break;
    case 'elementValue':
      for (const index of pathIndexes(expr.path)) yield* expressions(index);
      break;
    default:
      break;
  }
}

/** The expressions a statement evaluates; the locals a map operation passes by address count as reads. */
export function stmtExpressions(stmt: IrStmt): IrExpr[] {
  const local = (l: IrLocal): IrExpr => ({ op: 'local', local: l });
  switch (stmt.op) {
    case 'mapLookup':
    case 'mapDelete':
      return [local(stmt.key)];
    case 'mapUpdate':
      return [local(stmt.key), local(stmt.value)];
    case 'ringSubmit':
      return [local(stmt.value)];
    case 'declare':
      return stmt.init ? [stmt.init] : [];
    case 'assign':
      return [stmt.target, stmt.value];
    case 'mapAtomic':
      return [local(stmt.key), ...pathIndexes(stmt.path), stmt.operand];
    case 'mapFieldStore':
      return [local(stmt.key), ...pathIndexes(stmt.path), stmt.value];
    case 'packetView':
      return [stmt.offset];
    case 'if':
      return [stmt.condition];
    case 'forRange':
      return [stmt.start, stmt.end];
    case 'while':
      return [stmt.condition];
    case 'return':
      return stmt.value ? [stmt.value] : [];
    case 'tailCall':
      return stmt.fallback ? [stmt.fallback] : [];
    case 'eval':
      return [stmt.expr];
    case 'poll':
      return [stmt.timeout];
    default:
      return [];
  }
}

/** Every statement in `body`, nested ones included. */
export const allStatements = statements;

/** Every expression in `body`, nested ones included. */
export function* allExpressions(body: IrStmt[]): Generator<IrExpr> {
  for (const stmt of statements(body)) for (const root of stmtExpressions(stmt)) yield* expressions(root);
}

/** The index expressions of a path into a map element. */
function pathIndexes(path: IrPathStep[]): IrExpr[] {
  return path.flatMap((step) => ('index' in step ? [step.index] : []));
}
