// Expressions: the type of each (recorded for lowering), what each name
// denotes, operators under the integer rules, fields, indexes, literals.
import type * as ast from '../1-parse/ast.js';
import { located, ReportedEarlier } from '../../diagnostics/diagnostic.js';
import { BUILTIN_FUNCTIONS } from '../../language/builtin-functions.js';
import { PROTOCOL_CONSTANTS } from '../../language/headers.js';
import { ACTION_CONSTANTS, findActionConstant, findActionVariant } from '../../language/program-kinds.js';
import { didYouMean } from '../../util/suggest.js';
import { constantOrNull, evaluateConst } from '../2-symbols/const-eval.js';
import { lookup, unlessFailedEarlier, visibleNames } from '../2-symbols/symbol-table.js';
import { BOOL, INT_TYPES, integerView, isIntegerLike, NULL, STRING, typeName, type IntType, type Type } from '../2-symbols/types.js';
import { expect, isLiteral, literalType, unify } from './assignability.js';
import { checkCall } from './calls.js';
import { checkContextField } from './context.js';
import type { Environment } from './environment.js';
import type { FunctionContext } from './function-context.js';
import { checkMapElement, mapOf } from './maps.js';
import { checkMatch } from './match.js';
import { nullFacts } from './null-facts.js';
import { refuseStaleView } from './packet-resize.js';
import type { LocalVariable, Resolution } from './typed-system.js';
import { checkKernelCast, checkKernelField, checkProbeArg, checkStringInto, isKernelValue } from './kernel-access.js';

/** The type of `expr`, where `expected` is the type its context asks for (literals take it); recorded for lowering. */
export function checkExpr(cx: FunctionContext, env: Environment, expr: ast.Expr, expected: Type | null): Type {
  return cx.record(expr, exprType(cx, env, expr, expected));
}

function exprType(cx: FunctionContext, env: Environment, expr: ast.Expr, expected: Type | null): Type {
  switch (expr.kind) {
    case 'IntLiteral':
      return literalType(expr.value, expected, expr.span);
    case 'BoolLiteral':
      return BOOL;
    case 'CharLiteral':
      return expected && isIntegerLike(expected) && expected.kind === 'int' ? literalType(BigInt(expr.value), expected, expr.span) : { kind: 'char' };
    case 'StringLiteral':
      return checkStringInto(expr, expected) ?? STRING;
    case 'SliceExpr':
      throw located('KS6017', 'a tail `buf[off..]` is only a destination of bpf_probe_read_* and ctx.str', expr.span);
    case 'NullLiteral':
      return NULL;
    case 'Identifier':
      return checkIdentifier(cx, env, expr, expected);
    case 'PathExpr':
      return checkPath(cx, env, expr);
    case 'UnaryExpr':
      return checkUnary(cx, env, expr, expected);
    case 'BinaryExpr':
      return checkBinary(cx, env, expr, expected);
    case 'CastExpr': {
      const target = cx.resolveType(expr.type);
      const from = checkExpr(cx, env, expr.expr, target.kind === 'kernel_pointer' ? INT_TYPES.u64 : null);
      const kernelCast = checkKernelCast(from, target, expr.span);
      if (kernelCast) return kernelCast;
      const castable = (t: Type) => isIntegerLike(t) || t.kind === 'bool';
      if (!castable(from) || !castable(target)) throw located('KS3105', `cannot cast ${typeName(from)} to ${typeName(target)}`, expr.span);
      return target;
    }
    case 'CallExpr':
      return checkCall(cx, env, expr, expected);
    case 'MemberExpr':
      return checkMember(cx, env, expr);
    case 'IndexExpr':
      return checkIndex(cx, env, expr);
    case 'StructLiteral':
      return checkStructLiteral(cx, env, expr);
    case 'ArrayLiteral': {
      const element = expected?.kind === 'array' ? expected.element : null;
      if (expr.elements.length === 0) throw located('KS3210', 'an array literal needs at least one element; use [0; N] for zeroes', expr.span);
      // Each element is checked once: checking the first twice doubles the work per level of nested literals.
      const first = checkExpr(cx, env, expr.elements[0]!, element);
      const elementType = element ?? first;
      expect(first, elementType, expr.elements[0]!);
      for (const e of expr.elements.slice(1)) expect(checkExpr(cx, env, e, elementType), elementType, e);
      if (expected?.kind === 'array' && expected.length !== expr.elements.length) {
        throw located('KS3211', `expected ${expected.length} elements, found ${expr.elements.length}`, expr.span);
      }
      return { kind: 'array', element: elementType, length: expr.elements.length };
    }
    case 'ArrayRepeatLiteral': {
      const element = expected?.kind === 'array' ? expected.element : null;
      const elementType = checkExpr(cx, env, expr.value, element);
      const count = evaluateConst(expr.count, cx.constants(env));
      if (typeof count !== 'bigint' || count <= 0n) throw located('KS3212', 'the repeat count must be a positive integer constant', expr.count.span);
      return { kind: 'array', element: element ?? elementType, length: Number(count) };
    }
    case 'MatchExpr':
      return checkMatch(cx, env, expr, expected, true);
    case 'TailCallExpr':
      throw located('KS3411', 'tail_call can only be returned: return tail_call(ctx, program) else FALLBACK;', expr.span);
  }
}

// ---------- names ----------

function checkIdentifier(cx: FunctionContext, env: Environment, expr: ast.Identifier, expected: Type | null): Type {
  const resolution = resolveName(cx, env, expr, expected);
  cx.resolve(expr, resolution);
  switch (resolution.kind) {
    case 'local':
      refuseStaleView(env, resolution.local, expr.span);
      return resolution.local.type;
    case 'constant':
      return resolution.type;
    case 'action':
      return { kind: 'action', name: findActionConstant(resolution.constant)!.action };
    case 'config':
      return resolution.config.type;
    case 'context':
      return cx.fn.params[0]!.type;
    case 'map':
      throw located('KS3003', `'${expr.name}' is a map; read an element with ${expr.name}[key]`, expr.span);
    case 'function':
    case 'builtin':
      throw located('KS3003', `'${expr.name}' is a function; call it with ${expr.name}(...)`, expr.span);
    case 'program':
    case 'iteration':
    case 'kernelField':
    case 'recordField':
    case 'probeArg':
      throw located('KS3003', `'${expr.name}' is a program`, expr.span);
    case 'kfunc':
      throw located('KS3003', `'${expr.name}' is a function; call it with ${expr.name}(...)`, expr.span);
  }
}

/** What a name denotes: a local, a constant, an action, a protocol constant, a map, a function. */
function resolveName(cx: FunctionContext, env: Environment, expr: ast.Identifier, expected: Type | null): Resolution {
  const local = env.find(expr.name);
  if (local) {
    if (cx.failedLocals.has(local)) throw new ReportedEarlier();
    if (local.isParam && local.type.kind === 'context') return { kind: 'context' };
    return { kind: 'local', local };
  }
  const constant = lookup(cx.scope, 'consts', expr.name);
  if (constant) {
    const type = typeof constant.value === 'bigint' && expected && isIntegerLike(expected) && expected.kind === 'int' ? literalType(constant.value, expected, expr.span) : constant.type;
    return { kind: 'constant', value: constant.value, type, cName: constant.name };
  }
  const action = findActionConstant(expr.name);
  if (action) return { kind: 'action', constant: action.constant, value: action.value };
  const protocol = PROTOCOL_CONSTANTS[expr.name];
  if (protocol) {
    const type = expected && expected.kind === 'int' ? literalType(BigInt(protocol.value), expected, expr.span) : INT_TYPES[protocol.type];
    return { kind: 'constant', value: BigInt(protocol.value), type, cName: expr.name };
  }
  const map = lookup(cx.scope, 'maps', expr.name);
  if (map) return { kind: 'map', map };
  const fn = lookup(cx.scope, 'functions', expr.name);
  if (fn) return { kind: 'function', fn };
  const builtin = BUILTIN_FUNCTIONS[expr.name];
  if (builtin) return { kind: 'builtin', builtin };
  const candidates = [
    ...env.names(),
    ...visibleNames(cx.scope, 'consts'),
    ...visibleNames(cx.scope, 'maps'),
    ...Object.keys(ACTION_CONSTANTS.XdpAction),
    ...Object.keys(ACTION_CONSTANTS.TcAction),
    ...Object.keys(PROTOCOL_CONSTANTS),
  ];
  unlessFailedEarlier(cx.scope, expr.name);
  throw located('KS3001', `unknown name '${expr.name}'`, expr.span, ...didYouMean(expr.name, candidates));
}

function checkPath(cx: FunctionContext, env: Environment, expr: ast.PathExpr): Type {
  const [first, second] = expr.segments;
  if (expr.segments.length !== 2) throw located('KS3005', 'a path has two parts: Enum::Variant or program::map', expr.span);
  const action = findActionVariant(first!.name, second!.name);
  if (action) {
    cx.resolve(expr, { kind: 'action', constant: action.constant, value: action.value });
    return { kind: 'action', name: action.action };
  }
  const type = lookup(cx.scope, 'types', first!.name);
  if (type?.kind === 'enum') {
    const value = type.values.get(second!.name);
    if (value === undefined) throw located('KS3004', `enum ${type.name} has no variant '${second!.name}'`, second!.span, ...didYouMean(second!.name, type.values.keys()));
    cx.resolve(expr, { kind: 'constant', value, type, cName: `${type.name}_${second!.name}` });
    return type;
  }
  const map = mapOf(cx, env, expr);
  if (map) throw located('KS3003', `'${map.name}' is a map; read an element with ${map.name}[key]`, expr.span);
  throw located('KS3001', `unknown name '${first!.name}::${second!.name}'`, expr.span);
}

/** A view read through (a field, or by a helper) must be known non-null here. */
export function refuseNullableView(cx: FunctionContext, env: Environment, view: ast.Expr): void {
  const local = nullableLocal(env, view);
  if (local && !env.isNonNull(local)) {
    throw located(
      'KS3301',
      `'${local.name}' may be null here: ctx.header returns null when the packet is too short`,
      view.span,
      `help: check it first: if ${local.name} == null { return ${cx.fallbackReturn()}; }`,
    );
  }
}

/** The nullable local `expr` is (a packet view), if it is one. */
export function nullableLocal(env: Environment, expr: ast.Expr): LocalVariable | null {
  if (expr.kind !== 'Identifier') return null;
  const local = env.find(expr.name);
  return local && local.type.kind === 'pointer' ? local : null;
}

// ---------- operators ----------

function checkUnary(cx: FunctionContext, env: Environment, expr: ast.UnaryExpr, expected: Type | null): Type {
  if (expr.op === '-' && expr.operand.kind === 'IntLiteral') {
    // `-5` is one literal, so `let x: i8 = -128;` fits.
    return literalType(-expr.operand.value, expected, expr.span);
  }
  const operand = checkExpr(cx, env, expr.operand, expr.op === '!' ? BOOL : expected);
  if (expr.op === '!') {
    expect(operand, BOOL, expr.operand);
    return BOOL;
  }
  const view = integerView(operand);
  if (!view || operand.kind === 'bool') throw located('KS3104', `'${expr.op}' needs an integer, not ${typeName(operand)}`, expr.operand.span);
  return view;
}

function checkBinary(cx: FunctionContext, env: Environment, expr: ast.BinaryExpr, expected: Type | null): Type {
  const { op } = expr;
  if (op === '&&' || op === '||') {
    expect(checkExpr(cx, env, expr.left, BOOL), BOOL, expr.left);
    // The right side runs only when the left did not decide: facts from the left hold there.
    const facts = nullFacts(expr.left, (e) => nullableLocal(env, e));
    const rightEnv = env.withNonNull(op === '&&' ? facts.whenTrue : facts.whenFalse);
    expect(checkExpr(cx, rightEnv, expr.right, BOOL), BOOL, expr.right);
    return BOOL;
  }
  if ((op === '==' || op === '!=') && (expr.left.kind === 'NullLiteral' || expr.right.kind === 'NullLiteral')) {
    const tested = expr.left.kind === 'NullLiteral' ? expr.right : expr.left;
    checkNullTest(cx, env, tested);
    checkExpr(cx, env, expr.left.kind === 'NullLiteral' ? expr.left : expr.right, null);
    return BOOL;
  }
  const comparison = ['<', '<=', '>', '>=', '==', '!='].includes(op);
  const shift = op === '<<' || op === '>>';
  const hint = comparison ? null : expected && isIntegerLike(expected) ? integerView(expected) : null;
  // Check the side that is not a bare literal first, so the literal takes its type. Not for shifts: the amount's
  // type says nothing about the shifted value's (`let x: u64 = 1 << n;` shifts a u64 1).
  const leftFirst = shift || !isLiteral(expr.left) || isLiteral(expr.right);
  let left: Type;
  let right: Type;
  if (leftFirst) {
    left = checkExpr(cx, env, expr.left, hint);
    right = checkExpr(cx, env, expr.right, shift ? null : integerView(left) ?? (left.kind === 'bool' ? BOOL : null));
  } else {
    right = checkExpr(cx, env, expr.right, hint);
    left = checkExpr(cx, env, expr.left, integerView(right) ?? (right.kind === 'bool' ? BOOL : null));
  }
  if (comparison && left.kind === 'bool' && right.kind === 'bool' && (op === '==' || op === '!=')) return BOOL;
  if (!isIntegerLike(left)) throw located('KS3104', `'${op}' needs integers, not ${typeName(left)}`, expr.left.span);
  if (!isIntegerLike(right)) throw located('KS3104', `'${op}' needs integers, not ${typeName(right)}`, expr.right.span);
  if (shift) {
    checkShiftAmount(cx, env, integerView(left)!, expr.right);
    return integerView(left)!;
  }
  checkDivisor(cx, env, op === '/' || op === '%' ? op : null, expr.right);
  if (comparison && left.kind === 'enum' && right.kind === 'enum' && left.name !== right.name) {
    throw located('KS3106', `cannot compare ${left.name} with ${right.name}`, expr.span);
  }
  const type = unify(left, right, expr.left, expr.right);
  if (op === '/' || op === '%') refuseSignedDivision(cx, op, type, expr.span);
  return comparison ? BOOL : type;
}

/** clang 14 cannot emit BPF signed division (`sdiv`): refuse it here, with the fix, instead of letting clang crash. */
export function refuseSignedDivision(cx: FunctionContext, op: '/' | '%' | '/=' | '%=', type: Type, span: ast.Span): void {
  if (cx.side !== 'kernel' || type.kind !== 'int' || !type.signed) return;
  const unsigned = `u${type.size * 8}`;
  throw located('KS3107', 
    `'${op}' on signed ${typeName(type)} values is not available in eBPF programs: clang's BPF target has no signed division`,
    span,
    `help: divide unsigned values, e.g. \`(a as ${unsigned}) ${op.replace('=', '')} (b as ${unsigned})\`, and handle the sign yourself`,
  );
}

/** A constant shift amount must be below the width of the shifted type: C leaves larger ones undefined. */
export function checkShiftAmount(cx: FunctionContext, env: Environment, shifted: IntType, amount: ast.Expr): void {
  const value = constantOrNull(amount, cx.constants(env));
  const bits = shifted.size * 8;
  if (typeof value === 'bigint' && (value < 0n || value >= BigInt(bits))) {
    const widen = value > 0n && value < 64n ? [`help: widen the value first, e.g. (value as u64) << ${value}`] : [];
    throw located('KS3108', `cannot shift a ${typeName(shifted)} by ${value}: shift amounts go from 0 to ${bits - 1}`, amount.span, ...widen);
  }
}

export function checkDivisor(cx: FunctionContext, env: Environment, op: '/' | '%' | null, divisor: ast.Expr): void {
  if (!op) return;
  if (constantOrNull(divisor, cx.constants(env)) === 0n) throw located('KS3109', op === '/' ? 'division by zero' : 'modulo by zero', divisor.span);
}

/** `x == null`: x is a nullable packet view, a map element, or a local bound from one. */
function checkNullTest(cx: FunctionContext, env: Environment, tested: ast.Expr): void {
  const type = checkExpr(cx, env, tested, null);
  if (type.kind === 'pointer' || type.kind === 'kernel_pointer') return;
  if (tested.kind === 'IndexExpr' && mapOf(cx, env, tested.object)) return;
  if (tested.kind === 'Identifier' && env.find(tested.name)?.fromMapElement) return;
  throw located('KS3302', `a ${typeName(type)} is never null`, tested.span, 'note: null tests apply to packet views (ctx.header) and map elements (m[k] == null)');
}

// ---------- places ----------

function checkMember(cx: FunctionContext, env: Environment, expr: ast.MemberExpr): Type {
  // `ctx.args.NAME`: a typed probe's argument (LANGUAGE.md §13).
  if (expr.object.kind === 'MemberExpr' && expr.object.property.name === 'args' && cx.isContext(env, expr.object.object)) return checkProbeArg(cx, env, expr, expr.object);
  if (cx.isContext(env, expr.object)) return checkContextField(cx, env, expr);
  if (expr.object.kind === 'Identifier' && expr.object.name === 'config' && !env.find('config')) {
    const config = lookup(cx.scope, 'config', expr.property.name);
    if (!config) throw located('KS3006', `no config field '${expr.property.name}'`, expr.property.span, ...didYouMean(expr.property.name, visibleNames(cx.scope, 'config')));
    if (cx.side === 'userspace') throw located('KS3007', 'config is set by the loader before load; read it in kernel programs', expr.span);
    cx.resolve(expr, { kind: 'config', config });
    return config.type;
  }
  const object = checkExpr(cx, env, expr.object, null);
  if (isKernelValue(object)) return checkKernelField(cx, expr, object);
  let struct: Type = object;
  if (object.kind === 'pointer') {
    refuseNullableView(cx, env, expr.object);
    struct = object.target;
  }
  if (struct.kind !== 'struct') throw located('KS3205', `${typeName(object)} has no fields`, expr.span);
  const field = struct.fields.find((f) => f.name === expr.property.name);
  if (!field) throw located('KS3204', `${struct.name} has no field '${expr.property.name}'`, expr.property.span, ...didYouMean(expr.property.name, struct.fields.map((f) => f.name)));
  return field.type;
}

function checkIndex(cx: FunctionContext, env: Environment, expr: ast.IndexExpr): Type {
  const map = mapOf(cx, env, expr.object);
  if (map) return checkMapElement(cx, env, expr, map);
  const array = checkExpr(cx, env, expr.object, null);
  if (array.kind !== 'array') throw located('KS3206', `cannot index a ${typeName(array)}`, expr.object.span);
  const index = checkExpr(cx, env, expr.index, INT_TYPES.u32);
  if (!isIntegerLike(index)) throw located('KS3208', `array indexes are integers, not ${typeName(index)}`, expr.index.span);
  const value = constantOrNull(expr.index, cx.constants(env));
  if (typeof value === 'bigint' && (value < 0n || value >= BigInt(array.length))) {
    throw located('KS3207', `index ${value} is out of bounds for an array of ${array.length}`, expr.index.span);
  }
  return array.element;
}

function checkStructLiteral(cx: FunctionContext, env: Environment, expr: ast.StructLiteral): Type {
  const type = lookup(cx.scope, 'types', expr.name.name);
  if (!type) unlessFailedEarlier(cx.scope, expr.name.name);
  if (!type || type.kind !== 'struct') throw located('KS3008', `unknown struct '${expr.name.name}'`, expr.name.span, ...didYouMean(expr.name.name, visibleNames(cx.scope, 'types')));
  const given = new Set<string>();
  for (const field of expr.fields) {
    const declared = type.fields.find((f) => f.name === field.name.name);
    if (!declared) throw located('KS3204', `${type.name} has no field '${field.name.name}'`, field.name.span, ...didYouMean(field.name.name, type.fields.map((f) => f.name)));
    if (given.has(field.name.name)) throw located('KS3209', `field '${field.name.name}' is given twice`, field.name.span);
    given.add(field.name.name);
    expect(checkExpr(cx, env, field.value, declared.type), declared.type, field.value);
  }
  return type;
}
