// Iterating over IR trees: every statement, every expression.
import type { IrExpr, IrLocal, IrPathStep, IrPlace, IrStmt, KernelStep } from './ir.js';

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

/**
 * `stmt` with each nested statement list replaced by what `rewrite` returns
 * for it; `inLoop` says whether the list runs repeatedly (a loop's head or body).
 */
export function withChildBodies(stmt: IrStmt, rewrite: (body: IrStmt[], inLoop: boolean) => IrStmt[]): IrStmt {
  switch (stmt.op) {
    case 'if':
      return { ...stmt, then: rewrite(stmt.then, false), otherwise: rewrite(stmt.otherwise, false) };
    case 'scope':
      return { ...stmt, body: rewrite(stmt.body, false) };
    case 'forRange':
    case 'iterate':
      return { ...stmt, body: rewrite(stmt.body, true) };
    case 'while':
      return { ...stmt, head: rewrite(stmt.head, true), body: rewrite(stmt.body, true) };
    default:
      return stmt;
  }
}

/**
 * Every statement in `body`, nested ones included, in source order. With an
 * explicit stack: delegating to a generator per level would pass each
 * statement up through every enclosing level, quadratic in a deep nest.
 */
export function* statements(body: IrStmt[]): Generator<IrStmt> {
  const pending: IrStmt[] = [...body].reverse();
  while (pending.length > 0) {
    const stmt = pending.pop()!;
    yield stmt;
    const children = childBodies(stmt);
    for (let c = children.length - 1; c >= 0; c--) for (let i = children[c]!.length - 1; i >= 0; i--) pending.push(children[c]![i]!);
  }
}

export function* expressions(expr: IrExpr): Generator<IrExpr> {
  yield expr;
  for (const child of childExpressions(expr)) yield* expressions(child);
}

/** The direct subexpressions of `expr`, in evaluation order. */
export function childExpressions(expr: IrExpr): IrExpr[] {
  switch (expr.op) {
    case 'unary':
      return [expr.operand];
    case 'binary':
      return [expr.left, expr.right];
    case 'cast':
      return [expr.value];
    case 'call':
      return expr.args;
    case 'field':
      return [expr.object];
    case 'index':
      return [expr.array, expr.index];
    case 'structLiteral':
      return expr.fields.map((field) => field.value);
    case 'arrayLiteral':
      return expr.elements;
    case 'arrayRepeat':
      return [expr.value];
    case 'elementValue':
      return pathIndexes(expr.path);
    case 'kernelRead':
      return [expr.base, ...kernelIndexes(expr.path)];
    case 'kernelFieldExists':
      return kernelIndexes(expr.path);
    case 'probeRead':
      return [...placeExpressions(expr.target), expr.source];
    case 'stringCompare':
      return [expr.value];
    case 'addressOf':
      return [expr.value];
    case 'redirectMap':
      return [expr.key, expr.flags];
    default:
      return [];
  }
}

/** The expressions a probe read's target evaluates (the element reference counts as read). */
function placeExpressions(place: IrPlace): IrExpr[] {
  switch (place.kind) {
    case 'value':
      return [place.place];
    case 'element':
      return [{ op: 'local', local: place.ref }, ...pathIndexes(place.path)];
    case 'tail':
      return [...placeExpressions(place.array), place.start];
  }
}

function kernelIndexes(path: KernelStep[]): IrExpr[] {
  return path.flatMap((step) => ('index' in step ? [step.index] : []));
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
    case 'mapElementRef':
      return [local(stmt.key)];
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

/** Every expression in `body`, nested ones included. */
export function* allExpressions(body: IrStmt[]): Generator<IrExpr> {
  for (const stmt of statements(body)) for (const root of stmtExpressions(stmt)) yield* expressions(root);
}

/** The index expressions of a path into a map element. */
function pathIndexes(path: IrPathStep[]): IrExpr[] {
  return path.flatMap((step) => ('index' in step ? [step.index] : []));
}
