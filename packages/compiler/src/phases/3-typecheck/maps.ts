// Maps in code: which map a name denotes, keys, and the methods of ring
// buffers (`submit` in the kernel, `poll` in userspace), by the map-kind table.
import type * as ast from '../1-parse/ast.js';
import { located } from '../../diagnostics/diagnostic.js';
import { lookup, type MapSymbol } from '../2-symbols/symbol-table.js';
import { CONTEXTS } from '../../language/context-members.js';
import { MAP_KINDS } from '../../language/map-kinds.js';
import { programKindsWith } from '../../language/program-kinds.js';
import { INT_TYPES, sameType, typeName, VOID, type Type } from '../2-symbols/types.js';
import { expect } from './assignability.js';
import type { Environment } from './environment.js';
import { checkExpr } from './expressions.js';
import type { FunctionContext } from './function-context.js';
import { programMap } from './symbol-index.js';

/** The map `expr` names (`m`, `program::m`); a local of the same name hides a map. */
export function mapOf(cx: FunctionContext, env: Environment, expr: ast.Expr): MapSymbol | undefined {
  if (expr.kind === 'Identifier') {
    if (env.find(expr.name)) return undefined;
    return lookup(cx.scope, 'maps', expr.name);
  }
  if (expr.kind === 'PathExpr' && expr.segments.length === 2) {
    const [program, name] = expr.segments;
    const map = programMap(cx.system.symbols, program!.name, name!.name);
    if (map && cx.side === 'kernel' && map.program !== cx.program?.name) throw located('KS3601', `map '${map.name}' is local to program '${map.program}'`, expr.span);
    return map;
  }
  return undefined;
}

/** `m[k]`: the element's value type. */
export function checkMapElement(cx: FunctionContext, env: Environment, expr: ast.IndexExpr, map: MapSymbol): Type {
  if (map.kind.access !== 'keyed') throw located('KS3602', `elements of ${map.kind.sourceName} '${map.name}' cannot be read or written by key`, expr.span);
  refuseRedirectElements(cx, map, expr.span);
  cx.resolve(expr.object, { kind: 'map', map });
  checkMapKey(cx, env, map, expr.index);
  return map.value;
}

/** Kernel programs send packets through a redirect map; its elements are userspace's to fill. */
export function refuseRedirectElements(cx: FunctionContext, map: MapSymbol, span: ast.Span): void {
  if (cx.side !== 'kernel' || !map.kind.redirect) return;
  throw located(
    'KS7007',
    `the elements of ${map.kind.sourceName} '${map.name}' are filled by userspace; a kernel program redirects packets through it`,
    span,
    `help: return ${map.declName}.redirect(key, ${cx.fallbackReturn()});`,
  );
}

export function checkMapKey(cx: FunctionContext, env: Environment, map: MapSymbol, key: ast.Expr): void {
  if (cx.side === 'kernel' && map.program !== null && map.program !== cx.program?.name) {
    throw located('KS3601', `map '${map.name}' is local to program '${map.program}'`, key.span);
  }
  expect(checkExpr(cx, env, key, map.key), map.key!, key);
}

/** `events.submit(value)` and `events.poll(timeout, handler)`. */
export function checkMapMethod(cx: FunctionContext, env: Environment, expr: ast.CallExpr, callee: ast.MemberExpr): Type {
  const method = callee.property.name;
  const map = mapOf(cx, env, callee.object);
  if (!map) throw located('KS3603', `unknown method '${method}'`, callee.property.span);
  cx.resolve(callee.object, { kind: 'map', map });
  if (method === 'submit') {
    if (map.kind.access !== 'ring_buffer') throw located('KS3604', `submit() sends to a RingBuffer; '${map.name}' is a ${map.kind.sourceName}`, callee.property.span);
    if (cx.side !== 'kernel') throw located('KS3604', 'submit() is called by kernel programs; userspace reads events with poll()', callee.property.span);
    if (expr.args.length !== 1) throw located('KS3401', 'submit takes one value', expr.span);
    expect(checkExpr(cx, env, expr.args[0]!, map.value), map.value, expr.args[0]!);
    return INT_TYPES.i64;
  }
  if (method === 'poll') {
    if (map.kind.access !== 'ring_buffer' || cx.side !== 'userspace') throw located('KS3605', 'poll(timeout_ms, handler) reads a RingBuffer from userspace', callee.property.span);
    const [timeout, handler] = expr.args;
    if (!timeout || !handler || expr.args.length !== 2) throw located('KS3401', 'poll takes a timeout in ms and a handler: events.poll(100, on_event)', expr.span);
    expect(checkExpr(cx, env, timeout, INT_TYPES.i32), INT_TYPES.i32, timeout);
    const fn = handler.kind === 'Identifier' ? lookup(cx.scope, 'functions', handler.name) : undefined;
    if (!fn || fn.owner.kind !== 'userspace') throw located('KS3606', 'the handler is a userspace function: fn handler(e: E) -> i32', handler.span);
    if (fn.params.length !== 1 || !sameType(fn.params[0]!.type, map.value) || !(fn.returnType.kind === 'int' && fn.returnType.name === 'i32')) {
      throw located('KS3606', `the handler must be fn ${fn.name}(e: ${typeName(map.value)}) -> i32`, handler.span);
    }
    cx.resolve(handler, { kind: 'function', fn });
    cx.record(handler, VOID);
    return INT_TYPES.i32;
  }
  if (method === 'redirect') return checkRedirect(cx, env, expr, callee, map);
  throw located('KS3603', `maps have no method '${method}'`, callee.property.span);
}

/**
 * `m.redirect(key, flags)` (bpf_redirect_map) in xdp: the packet goes to the device, CPU or
 * socket in slot `key`; the low bits of `flags` are the action when the slot is empty.
 */
function checkRedirect(cx: FunctionContext, env: Environment, expr: ast.CallExpr, callee: ast.MemberExpr, map: MapSymbol): Type {
  if (!map.kind.redirect) {
    const kinds = Object.values(MAP_KINDS).filter((k) => k.redirect).map((k) => k.sourceName);
    throw located('KS7006', `redirect() sends the packet through a ${kinds.join(', ')}; '${map.name}' is a ${map.kind.sourceName}`, callee.property.span);
  }
  const redirecting = Object.values(CONTEXTS).filter((c) => c.packet?.redirectMap).map((c) => c.name);
  if (cx.side !== 'kernel' || !cx.context || !redirecting.includes(cx.context.name)) {
    throw located('KS7005', `${map.declName}.redirect() is for ${redirecting.flatMap(programKindsWith).join(' and ')} programs`, callee.property.span, 'help: tc programs redirect with bpf_redirect(ifindex, flags)');
  }
  const [key, flags] = expr.args;
  if (!key || !flags || expr.args.length !== 2) throw located('KS3401', `redirect takes a key and flags: ${map.declName}.redirect(key, ${cx.fallbackReturn()})`, expr.span);
  checkMapKey(cx, env, map, key);
  // The fallback action in the low bits: XDP_PASS, or 0 (XDP_ABORTED).
  const flagType = checkExpr(cx, env, flags, INT_TYPES.u64);
  if (flagType.kind !== 'action') expect(flagType, INT_TYPES.u64, flags);
  return cx.fn.returnType.kind === 'action' ? cx.fn.returnType : { kind: 'action', name: 'XdpAction' };
}
