// Statements: each is checked in an environment and gives the environment
// the next statement of its block is checked in (a `let` declares a local,
// `if v == null { return ...; }` proves v non-null for the rest of the block).
import type * as ast from '../1-parse/ast.js';
import { CompileError, located, ReportedEarlier, reportStopped } from '../../diagnostics/diagnostic.js';
import { programKindsWith } from '../../language/program-kinds.js';
import { BOOL, integerView, isIntegerLike, typeName, VOID, type Type } from '../2-symbols/types.js';
import { expect, unify } from './assignability.js';
import type { Environment } from './environment.js';
import { checkDivisor, checkExpr, checkShiftAmount, nullableLocal, refuseSignedDivision } from './expressions.js';
import type { FunctionContext } from './function-context.js';
import { checkMapKey, mapOf, refuseRedirectElements } from './maps.js';
import { checkMatch } from './match.js';
import { alwaysExits, nullFacts, type NullFacts } from './null-facts.js';
import { resizeIn } from './packet-resize.js';
import { checkReturn } from './returns.js';
import { refuseKernelWrite } from './kernel-access.js';
import type { LocalVariable } from './typed-system.js';

/** A block in an environment of its own: what its statements declare and prove ends with it. */
export function checkBlock(cx: FunctionContext, env: Environment, block: ast.Block): void {
  checkBody(cx, env.block(), block);
}

/** A block's statements in `env` itself (a function body shares its parameters' scope). */
export function checkBody(cx: FunctionContext, env: Environment, block: ast.Block): void {
  checkStatements(cx, env, block.statements);
  if (block.result) throw located('KS3705', 'a block ending in an expression is only allowed as a match arm; add `;`', block.result.span);
}

/**
 * Statements in order, each in the environment the one before it leaves. A
 * statement with an error is reported and the next one checked: a `let` that
 * failed still declares its name (with its declared type when it has one),
 * so that later uses are not reported as unknown names.
 */
export function checkStatements(cx: FunctionContext, env: Environment, statements: ast.Stmt[]): Environment {
  let here = env;
  for (const stmt of statements) {
    try {
      here = checkStmt(cx, here, stmt);
    } catch (error) {
      reportStopped(error, cx.diagnostics);
      if (stmt.kind === 'LetStmt') here = here.declare(failedLet(cx, stmt));
    }
  }
  return here;
}

function failedLet(cx: FunctionContext, stmt: ast.LetStmt): LocalVariable {
  let declared: Type | null = null;
  try {
    declared = stmt.type && cx.resolveType(stmt.type);
  } catch (error) {
    // The `let`'s own error said what is wrong with its type.
    if (!(error instanceof CompileError || error instanceof ReportedEarlier)) throw error;
  }
  const local = cx.newLocal(stmt.name.name, declared ?? VOID, stmt.name.span, { isConst: stmt.isConst });
  if (!declared) cx.failedLocals.add(local);
  return local;
}

export function checkStmt(cx: FunctionContext, env: Environment, stmt: ast.Stmt): Environment {
  const after = checkStmtHere(cx, env, stmt);
  // After a call that moves or resizes the packet, the views taken before it are invalid
  // (`let` and assignments mark them themselves: the view they may take is not).
  const resize = stmt.kind === 'LetStmt' || stmt.kind === 'AssignStmt' ? null : resizeIn(cx, stmt);
  return resize ? after.afterResize(resize) : after;
}

function checkStmtHere(cx: FunctionContext, env: Environment, stmt: ast.Stmt): Environment {
  switch (stmt.kind) {
    case 'LetStmt':
      return checkLet(cx, env, stmt);
    case 'AssignStmt':
      return checkAssign(cx, env, stmt);
    case 'ExprStmt':
      if (stmt.expr.kind === 'MatchExpr') checkMatch(cx, env, stmt.expr, null);
      else checkExpr(cx, env, stmt.expr, null);
      return env;
    case 'IfStmt':
      return checkIf(cx, env, stmt);
    case 'ForRangeStmt': {
      const start = checkExpr(cx, env, stmt.start, null);
      const end = checkExpr(cx, env, stmt.end, integerView(start) ?? null);
      const type = unify(start, end, stmt.start, stmt.end);
      if (!isIntegerLike(type)) throw located('KS3702', `a for range needs integer bounds, not ${typeName(type)}`, stmt.start.span);
      const variable = cx.newLocal(stmt.variable.name, type, stmt.variable.span, { isConst: true });
      cx.resolve(stmt, { kind: 'local', local: variable });
      checkBlock(cx, loopEntry(cx, env, stmt.body).block().declare(variable).loop(), stmt.body);
      return env;
    }
    case 'ForEachStmt':
      checkForEach(cx, env, stmt);
      return env;
    case 'WhileStmt': {
      // The condition runs again after the body: a resize in either invalidates the views taken before the loop.
      const entry = loopEntry(cx, env, stmt);
      expect(checkExpr(cx, entry, stmt.condition, BOOL), BOOL, stmt.condition);
      checkBlock(cx, afterResizeIn(cx, entry, stmt.condition).loop(), stmt.body);
      return env;
    }
    case 'ReturnStmt':
      checkReturn(cx, env, stmt);
      return env;
    case 'BreakStmt':
    case 'ContinueStmt':
      if (env.loopDepth === 0) throw located('KS3701', `'${stmt.kind === 'BreakStmt' ? 'break' : 'continue'}' outside of a loop`, stmt.span);
      return env;
    case 'DeleteStmt': {
      const map = mapOf(cx, env, stmt.target.object);
      if (!map) throw located('KS3607', 'delete takes a map element: delete m[key];', stmt.target.span);
      if (!map.kind.deletable) throw located('KS3608', `elements of ${map.kind.sourceName} '${map.name}' cannot be deleted; set them to zero instead`, stmt.span);
      refuseRedirectElements(cx, map, stmt.span);
      cx.resolve(stmt.target.object, { kind: 'map', map });
      checkMapKey(cx, env, map, stmt.target.index);
      cx.record(stmt.target, map.value);
      return env;
    }
    case 'Block':
      checkBlock(cx, env, stmt);
      return env;
  }
}

/** A loop's next iteration runs after its body: a resize in `loop` leaves the views taken before the loop invalid in it. */
function loopEntry(cx: FunctionContext, env: Environment, loop: ast.Stmt): Environment {
  return afterResizeIn(cx, env, loop);
}

/** `env` after `node`, when `node` resizes the packet. */
function afterResizeIn(cx: FunctionContext, env: Environment, node: ast.Stmt | ast.Expr): Environment {
  const resize = resizeIn(cx, node);
  return resize ? env.afterResize(resize) : env;
}

function checkLet(cx: FunctionContext, env: Environment, stmt: ast.LetStmt): Environment {
  if (mapOf(cx, env, { kind: 'Identifier', name: stmt.name.name, span: stmt.name.span })) {
    throw located('KS3611', `'${stmt.name.name}' is a map; choose another name for the local`, stmt.name.span);
  }
  const declared = stmt.type ? cx.resolveType(stmt.type) : null;
  let type = stmt.init.kind === 'MatchExpr' ? checkMatch(cx, env, stmt.init, declared, true) : checkExpr(cx, env, stmt.init, declared);
  if (declared) {
    expect(type, declared, stmt.init);
    type = declared;
  }
  if (type.kind === 'null' || type.kind === 'void' || type.kind === 'string') {
    throw located('KS3110', `cannot bind a value of type ${typeName(type)} to a local`, stmt.init.span);
  }
  if (type.kind === 'kernel_struct') {
    throw located('KS6043', `${type.name} is kernel memory, read field by field: it cannot be copied into a local`, stmt.init.span, 'help: bind the fields you need (`let daddr = sk.__sk_common.skc_daddr;`)');
  }
  const fromMapElement = stmt.init.kind === 'IndexExpr' && mapOf(cx, env, stmt.init.object) !== undefined;
  const local = cx.newLocal(stmt.name.name, type, stmt.name.span, { isConst: stmt.isConst, fromMapElement });
  cx.resolve(stmt, { kind: 'local', local });
  // A resize in the initialiser invalidates the views before it, not the one it may return.
  return afterResizeIn(cx, env, stmt.init).declare(local);
}

function checkAssign(cx: FunctionContext, env: Environment, stmt: ast.AssignStmt): Environment {
  const target = stmt.target;
  let targetType: Type;
  if (target.kind === 'Identifier') {
    const local = env.find(target.name);
    if (!local) {
      checkExpr(cx, env, target, null);
      throw located('KS3201', `cannot assign to '${target.name}'`, target.span);
    }
    if (local.isConst) throw located('KS3201', `cannot assign to '${target.name}': it is a constant`, target.span);
    // Assigning a view takes it again: the one it held may be out of date.
    targetType = checkExpr(cx, stmt.op === '=' ? env.withFreshView(local) : env, target, null);
  } else if (target.kind === 'IndexExpr' || target.kind === 'MemberExpr') {
    targetType = checkPlace(cx, env, target);
  } else {
    throw located('KS3201', 'the left side of an assignment must be a local, a field, an array element or a map element', target.span);
  }
  const valueType = checkExpr(cx, env, stmt.value, targetType);
  if (stmt.op === '=') {
    expect(valueType, targetType, stmt.value);
    // `eth = ctx.header<EthHdr>(0);` takes a view again.
    const local = target.kind === 'Identifier' ? env.find(target.name) : undefined;
    return local && local.type.kind === 'pointer' ? afterResizeIn(cx, env, stmt).withFreshView(local) : afterResizeIn(cx, env, stmt);
  }
  if (!isIntegerLike(targetType)) throw located('KS3104', `'${stmt.op}' needs an integer target, not ${typeName(targetType)}`, target.span);
  if (stmt.op === '<<=' || stmt.op === '>>=') {
    if (!isIntegerLike(valueType)) throw located('KS3104', `shift amounts are integers, not ${typeName(valueType)}`, stmt.value.span);
    checkShiftAmount(cx, env, integerView(targetType)!, stmt.value);
  } else {
    expect(valueType, integerView(targetType)!, stmt.value);
  }
  checkDivisor(cx, env, stmt.op === '/=' ? '/' : stmt.op === '%=' ? '%' : null, stmt.value);
  if (stmt.op === '/=' || stmt.op === '%=') refuseSignedDivision(cx, stmt.op, targetType, stmt.span);
  return afterResizeIn(cx, env, stmt);
}

/** Type of an assignable place (`a[i]`, `m[k]`, `s.f`, `m[k].f`, `ctx.mark`). */
export function checkPlace(cx: FunctionContext, env: Environment, target: ast.IndexExpr | ast.MemberExpr): Type {
  if (target.kind === 'MemberExpr' && cx.isContext(env, target.object)) {
    const type = checkExpr(cx, env, target, null);
    const field = cx.contextOf(env, target.object).fields[target.property.name];
    if (!field?.writable) throw located('KS3202', `ctx.${target.property.name} is read-only here`, target.span);
    return type;
  }
  const root = placeRoot(target);
  if (root.kind === 'Identifier') {
    const local = env.find(root.name);
    if (local?.isConst) throw located('KS3201', `cannot assign into '${root.name}': it is a constant`, root.span);
    if (local?.type.kind === 'pointer') refuseReadOnlyView(cx, root.name, target.span);
  }
  const type = checkExpr(cx, env, target, null);
  refuseKernelWrite(cx, target);
  return type;
}

/** Views are written in place where they point into the packet (xdp, tc); elsewhere they are copies, and a write is refused. */
function refuseReadOnlyView(cx: FunctionContext, view: string, span: ast.Span): void {
  const packet = cx.context?.packet;
  if (!packet || packet.viewsWritable) return;
  const kinds = programKindsWith(cx.context!.name).join(' and ');
  throw located(
    'KS3203',
    `cannot write through '${view}': in ${kinds} programs a packet view is a read-only copy of the packet (loaded with bpf_skb_load_bytes), so a write would not reach the packet`,
    span,
    `help: rewrite packets in xdp or tc programs, where views point into the packet`,
  );
}

function placeRoot(expr: ast.Expr): ast.Expr {
  while (expr.kind === 'IndexExpr' || expr.kind === 'MemberExpr') expr = expr.object;
  return expr;
}

function checkIf(cx: FunctionContext, env: Environment, stmt: ast.IfStmt): Environment {
  const facts = checkCondition(cx, env, stmt.condition);
  // `if bpf_xdp_adjust_head(ctx, 4) != 0 { ... }`: both branches run after the resize.
  const branches = afterResizeIn(cx, env, stmt.condition);
  checkBlock(cx, branches.withNonNull(facts.whenTrue), stmt.then);
  const otherwise = stmt.otherwise;
  if (otherwise) {
    const otherwiseEnv = branches.withNonNull(facts.whenFalse);
    if (otherwise.kind === 'Block') checkBlock(cx, otherwiseEnv, otherwise);
    else checkIf(cx, otherwiseEnv, otherwise);
  }
  // `if p == null { return ...; }` proves p non-null for the rest of the block.
  let after = env;
  if (alwaysExits(stmt.then)) after = after.withNonNull(facts.whenFalse);
  if (otherwise && alwaysExits(otherwise)) after = after.withNonNull(facts.whenTrue);
  return after;
}

function checkCondition(cx: FunctionContext, env: Environment, condition: ast.Expr): NullFacts {
  expect(checkExpr(cx, env, condition, BOOL), BOOL, condition);
  return nullFacts(condition, (e) => nullableLocal(env, e));
}

function checkForEach(cx: FunctionContext, env: Environment, stmt: ast.ForEachStmt): void {
  if (cx.side !== 'userspace') throw located('KS3609', 'iterating a map with for (k, v) in m is only possible in userspace', stmt.span);
  const map = mapOf(cx, env, stmt.iterable);
  if (!map || !map.key || !map.kind.iterable) throw located('KS3610', 'for (k, v) in ... iterates a map with keys', stmt.iterable.span);
  cx.resolve(stmt.iterable, { kind: 'map', map });
  const key = cx.newLocal(stmt.key.name, map.key, stmt.key.span, { isConst: true });
  const value = cx.newLocal(stmt.value.name, map.value, stmt.value.span, { isConst: true });
  cx.resolve(stmt, { kind: 'iteration', key, value, map });
  checkBlock(cx, env.block().declare(key).declare(value).loop(), stmt.body);
}
