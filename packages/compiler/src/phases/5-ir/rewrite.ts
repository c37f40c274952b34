// Rebuilding IR trees with changes: the optimiser's passes never mutate the IR
// they are given (the unoptimised IR stays valid), they return new trees.
import type { IrExpr, IrPathStep, IrPlace, IrStmt, KernelStep } from './ir.js';
import { withChildBodies } from './ir-walk.js';

/** `body` with every statement (nested ones first) replaced by what `replace` returns: none, itself, or several. */
export function rewriteStatements(body: IrStmt[], replace: (stmt: IrStmt) => IrStmt[]): IrStmt[] {
  return body.flatMap((stmt) => replace(withChildBodies(stmt, (nested) => rewriteStatements(nested, replace))));
}

/** `body` with every block (the body itself and every nested one, innermost first) replaced by `replace`'s result. */
export function rewriteBlocks(body: IrStmt[], replace: (block: IrStmt[]) => IrStmt[]): IrStmt[] {
  return replace(body.map((stmt) => withChildBodies(stmt, (nested) => rewriteBlocks(nested, replace))));
}

/** `stmt` with each of its own expressions (not those of nested statements) rewritten bottom-up by `replace`. */
export function rewriteExpressions(stmt: IrStmt, replace: (expr: IrExpr) => IrExpr): IrStmt {
  const e = (expr: IrExpr) => rewriteExpr(expr, replace);
  const path = (steps: IrPathStep[]) => steps.map((step) => ('index' in step ? { index: e(step.index) } : step));
  switch (stmt.op) {
    case 'declare':
      return { ...stmt, init: stmt.init && e(stmt.init) };
    case 'assign':
      return { ...stmt, target: e(stmt.target), value: e(stmt.value) };
    case 'mapAtomic':
      return { ...stmt, path: path(stmt.path), operand: e(stmt.operand) };
    case 'mapFieldStore':
      return { ...stmt, path: path(stmt.path), value: e(stmt.value) };
    case 'packetView':
      return { ...stmt, offset: e(stmt.offset) };
    case 'if':
      return { ...stmt, condition: e(stmt.condition) };
    case 'forRange':
      return { ...stmt, start: e(stmt.start), end: e(stmt.end) };
    case 'while':
      return { ...stmt, condition: e(stmt.condition) };
    case 'return':
      return { ...stmt, value: stmt.value && e(stmt.value) };
    case 'tailCall':
      return { ...stmt, fallback: stmt.fallback && e(stmt.fallback) };
    case 'eval':
      return { ...stmt, expr: e(stmt.expr) };
    case 'poll':
      return { ...stmt, timeout: e(stmt.timeout) };
    default:
      return stmt;
  }
}

/** `expr` with its children rewritten first, then itself. */
export function rewriteExpr(expr: IrExpr, replace: (expr: IrExpr) => IrExpr): IrExpr {
  const e = (child: IrExpr) => rewriteExpr(child, replace);
  switch (expr.op) {
    case 'unary':
      return replace({ ...expr, operand: e(expr.operand) });
    case 'binary':
      return replace({ ...expr, left: e(expr.left), right: e(expr.right) });
    case 'cast':
      return replace({ ...expr, value: e(expr.value) });
    case 'call':
      return replace({ ...expr, args: expr.args.map(e) });
    case 'field':
      return replace({ ...expr, object: e(expr.object) });
    case 'index':
      return replace({ ...expr, array: e(expr.array), index: e(expr.index) });
    case 'elementValue':
      return replace({ ...expr, path: expr.path.map((step) => ('index' in step ? { index: e(step.index) } : step)) });
    case 'structLiteral':
      return replace({ ...expr, fields: expr.fields.map((f) => ({ name: f.name, value: e(f.value) })) });
    case 'arrayLiteral':
      return replace({ ...expr, elements: expr.elements.map(e) });
    case 'arrayRepeat':
      return replace({ ...expr, value: e(expr.value) });
    case 'kernelRead':
      return replace({ ...expr, base: e(expr.base), path: kernelPath(expr.path, e) });
    case 'kernelFieldExists':
      return replace({ ...expr, path: kernelPath(expr.path, e) });
    case 'probeRead':
      return replace({ ...expr, target: rewritePlace(expr.target, e), source: e(expr.source) });
    case 'stringCompare':
      return replace({ ...expr, value: e(expr.value) });
    case 'redirectMap':
      return replace({ ...expr, key: e(expr.key), flags: e(expr.flags) });
    // addressOf: the helper needs the local itself, whatever is known of its value.
    default:
      return replace(expr);
  }
}

function kernelPath(path: KernelStep[], e: (expr: IrExpr) => IrExpr): KernelStep[] {
  return path.map((step) => ('index' in step ? { ...step, index: e(step.index) } : step));
}

function rewritePlace(place: IrPlace, e: (expr: IrExpr) => IrExpr): IrPlace {
  switch (place.kind) {
    case 'value':
      return { ...place, place: e(place.place) };
    case 'element':
      return { ...place, path: place.path.map((step) => ('index' in step ? { index: e(step.index) } : step)) };
    case 'tail':
      return { ...place, array: rewritePlace(place.array, e), start: e(place.start) };
  }
}
