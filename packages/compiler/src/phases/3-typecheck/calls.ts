// Calls: functions of the file, built-ins by the form their table row gives
// (language/builtin-functions.ts), and methods of the context and of maps.
import type * as ast from '../1-parse/ast.js';
import { located } from '../../diagnostics/diagnostic.js';
import { BUILTIN_FUNCTIONS, MAX_PRINTK_ARGS, type BuiltinFunction } from '../../language/builtin-functions.js';
import { didYouMean } from '../../util/suggest.js';
import { lookup, unlessFailedEarlier, visibleNames, type KfuncSymbol } from '../2-symbols/symbol-table.js';
import { BUILTIN_STRUCTS } from '../../language/headers.js';
import { programKindsWith } from '../../language/program-kinds.js';
import { INT_TYPES, integerView, isIntegerLike, sameType, typeName, VOID, type Type } from '../2-symbols/types.js';
import { expect, unify } from './assignability.js';
import { checkContextMethod } from './context.js';
import type { Environment } from './environment.js';
import { checkExpr, refuseNullableView } from './expressions.js';
import type { FunctionContext } from './function-context.js';
import { checkMapMethod } from './maps.js';
import type { Resolution } from './typed-system.js';
import { checkCurrentTask, checkFieldExists, checkPrintArgs, checkProbeRead, checkStringCompare } from './kernel-access.js';

export function checkCall(cx: FunctionContext, env: Environment, expr: ast.CallExpr, expected: Type | null): Type {
  const { callee } = expr;
  if (callee.kind === 'MemberExpr') {
    return cx.isContext(env, callee.object) ? checkContextMethod(cx, env, expr, callee) : checkMapMethod(cx, env, expr, callee);
  }
  if (callee.kind !== 'Identifier') throw located('KS3402', 'only functions can be called', callee.span);
  if (callee.name === 'tail_call') throw located('KS3411', 'tail_call can only be returned: return tail_call(ctx, program) else FALLBACK;', expr.span);
  const kfunc = kfuncNamed(cx, callee);
  if (kfunc) return checkKfuncCall(cx, env, expr, kfunc);
  const resolution = resolveCallee(cx, callee);
  cx.resolve(callee, resolution);
  if (resolution.kind === 'builtin') return checkBuiltinCall(cx, env, expr, resolution.builtin, expected);
  const fn = resolution.fn;
  if (fn.name === 'main' && fn.owner.kind === 'program') throw located('KS3403', `a program's main cannot be called; use tail_call to jump to another program`, callee.span);
  if (expr.args.length !== fn.params.length) throw located('KS3401', `'${fn.name}' takes ${fn.params.length} argument(s), found ${expr.args.length}`, expr.span);
  expr.args.forEach((arg, i) => expect(checkExpr(cx, env, arg, fn.params[i]!.type), fn.params[i]!.type, arg));
  return fn.returnType;
}

/** An `extern fn` kfunc of this name, unless a function of the file's scope shadows it. */
function kfuncNamed(cx: FunctionContext, callee: ast.Identifier): KfuncSymbol | null {
  if (lookup(cx.scope, 'functions', callee.name)) return null;
  return cx.system.symbols.kfuncs.find((k) => k.name === callee.name) ?? null;
}

function checkKfuncCall(cx: FunctionContext, env: Environment, expr: ast.CallExpr, kfunc: KfuncSymbol): Type {
  if (cx.side !== 'kernel') throw located('KS6016', `'${kfunc.name}' is a kernel function (kfunc): only kernel programs call it`, expr.callee.span);
  cx.resolve(expr.callee, { kind: 'kfunc', kfunc });
  cx.record(expr.callee, VOID);
  if (expr.args.length !== kfunc.params.length) throw located('KS3401', `'${kfunc.name}' takes ${kfunc.params.length} argument(s), found ${expr.args.length}`, expr.span);
  expr.args.forEach((arg, i) => expect(checkExpr(cx, env, arg, kfunc.params[i]!.type), kfunc.params[i]!.type, arg));
  return kfunc.returnType;
}

/** A function of the file first (it shadows a built-in of its name), then a built-in of this side. */
function resolveCallee(cx: FunctionContext, callee: ast.Identifier): Extract<Resolution, { kind: 'function' | 'builtin' }> {
  const fn = lookup(cx.scope, 'functions', callee.name);
  if (fn) return { kind: 'function', fn };
  const builtin = BUILTIN_FUNCTIONS[callee.name];
  if (builtin && (builtin.side === 'both' || builtin.side === cx.side)) return { kind: 'builtin', builtin };
  if (builtin) throw located('KS3405', `${callee.name}() is only available in ${builtin.side === 'kernel' ? 'kernel programs' : 'userspace'}`, callee.span);
  const known = [
    ...visibleNames(cx.scope, 'functions'),
    ...Object.values(BUILTIN_FUNCTIONS).filter((b) => b.side === 'both' || b.side === cx.side).map((b) => b.name),
  ];
  unlessFailedEarlier(cx.scope, callee.name);
  throw located('KS3002', `unknown function '${callee.name}'`, callee.span, ...didYouMean(callee.name, known));
}

function checkBuiltinCall(cx: FunctionContext, env: Environment, expr: ast.CallExpr, builtin: BuiltinFunction, expected: Type | null): Type {
  const { args } = expr;
  const form = builtin.form;
  switch (form.kind) {
    case 'format': {
      const [format, ...rest] = args;
      if (!format || format.kind !== 'StringLiteral') throw located('KS3406', `${builtin.name} takes a format string first`, expr.span);
      checkExpr(cx, env, format, null);
      if (cx.side === 'kernel' && rest.length > MAX_PRINTK_ARGS) {
        throw located('KS3407', `${builtin.name} formats at most ${MAX_PRINTK_ARGS} values in the kernel, found ${rest.length}`, rest[MAX_PRINTK_ARGS]!.span);
      }
      checkPrintArgs(format, rest, rest.map((arg) => checkExpr(cx, env, arg, null)), cx.side);
      return VOID;
    }
    case 'min-max': {
      if (args.length !== 2) throw located('KS3401', `${builtin.name} takes two arguments`, expr.span);
      const [a, b] = args as [ast.Expr, ast.Expr];
      const left = checkExpr(cx, env, a, expected && isIntegerLike(expected) ? expected : null);
      const right = checkExpr(cx, env, b, integerView(left));
      return unify(left, right, a, b);
    }
    case 'program': {
      const wanted = form.target ? 2 : 1;
      if (args.length !== wanted) throw located('KS3401', form.target ? 'attach takes a program and a target: attach(prog, "eth0")' : 'detach takes a program: detach(prog)', expr.span);
      const [programArg, target] = args as [ast.Expr, ast.Expr | undefined];
      const programs = cx.system.symbols.programs;
      const program = programArg.kind === 'Identifier' ? programs.find((p) => p.name === programArg.name) : undefined;
      if (!program) throw located('KS3409', 'the first argument is a program name', programArg.span, ...didYouMean(programArg.kind === 'Identifier' ? programArg.name : '', programs.map((p) => p.name)));
      cx.resolve(programArg, { kind: 'program', program });
      cx.record(programArg, VOID);
      if (target) {
        const type = checkExpr(cx, env, target, null);
        if (type.kind !== 'string') throw located('KS3410', 'the attach target is a string: an interface name for xdp and tc, "" otherwise', target.span);
      }
      return INT_TYPES.i32;
    }
    case 'signature': {
      const { params } = form;
      if (args.length !== params.length) throw located('KS3401', `${builtin.name} takes ${params.length} argument(s), found ${args.length}`, expr.span);
      args.forEach((arg, i) => expect(checkExpr(cx, env, arg, params[i]!), params[i]!, arg));
      return form.returns;
    }
    case 'probe-read':
      return checkProbeRead(cx, env, expr, builtin);
    case 'current-task':
      return checkCurrentTask(cx, expr);
    case 'field-exists':
      return checkFieldExists(cx, env, expr);
    case 'string-compare':
      return checkStringCompare(cx, env, expr, builtin);
    case 'packet': {
      const { params } = form;
      if (args.length !== params.length + 1) throw located('KS3401', `${builtin.name} takes the context (ctx) and ${params.length} argument(s), found ${args.length} in all`, expr.span);
      checkPacketContext(cx, env, builtin.name, form.contexts, args[0]!);
      params.forEach((param, i) => {
        const arg = args[i + 1]!;
        if ('reference' in param) checkReference(cx, env, builtin.name, param.reference, arg);
        else expect(checkExpr(cx, env, arg, param), param, arg);
      });
      return form.returns;
    }
    case 'redirect': {
      if (args.length !== 2) throw located('KS3401', `${builtin.name} takes an interface index and flags: ${builtin.name}(ifindex, 0)`, expr.span);
      const action = programAction(cx, builtin.name, form.contexts, expr.span);
      expect(checkExpr(cx, env, args[0]!, INT_TYPES.u32), INT_TYPES.u32, args[0]!);
      expect(checkExpr(cx, env, args[1]!, INT_TYPES.u64), INT_TYPES.u64, args[1]!);
      return action;
    }
    case 'header-checksum': {
      if (args.length !== 1) throw located('KS3401', `${builtin.name} takes a view of an IPv4 header: ${builtin.name}(ip)`, expr.span);
      const view = checkExpr(cx, env, args[0]!, null);
      if (view.kind !== 'pointer' || !sameType(view.target, BUILTIN_STRUCTS.Ipv4Hdr!)) {
        throw located('KS7004', `${builtin.name} takes a view of an IPv4 header (*Ipv4Hdr), not ${typeName(view)}`, args[0]!.span, 'help: let ip = ctx.header<Ipv4Hdr>(14);');
      }
      if (!cx.context?.packet) throw located('KS7002', `${builtin.name} reads the header's options up to the end of the packet: call it where the program context (ctx) is`, expr.span);
      refuseNullableView(cx, env, args[0]!);
      return INT_TYPES.u16;
    }
  }
}

/** The first argument of a packet helper: the program context, of a kind the helper exists for. */
function checkPacketContext(cx: FunctionContext, env: Environment, helper: string, contexts: readonly string[], arg: ast.Expr): void {
  if (!cx.isContext(env, arg)) throw located('KS7002', `the first argument of ${helper} is the program context: ${helper}(ctx, ...)`, arg.span);
  checkExpr(cx, env, arg, null);
  const context = cx.contextOf(env, arg);
  if (!contexts.includes(context.name)) {
    throw located('KS7002', `${helper} is available in ${contexts.flatMap(programKindsWith).join(' and ')} programs, not with a ${context.name}`, arg.span);
  }
}

/** A `{ reference }` argument: a local the helper reads and fills (C passes its address). */
function checkReference(cx: FunctionContext, env: Environment, helper: string, type: Type, arg: ast.Expr): void {
  const local = arg.kind === 'Identifier' ? env.find(arg.name) : undefined;
  if (!local || local.isParam) throw located('KS7003', `${helper} fills a local of type ${typeName(type)}: pass its name`, arg.span, `help: let params = ${typeName(type)} { ... }; ${helper}(ctx, params, 0);`);
  if (local.isConst) throw located('KS7003', `${helper} writes its results into '${local.name}', which is a constant`, arg.span);
  expect(checkExpr(cx, env, arg, type), type, arg);
}

/** The action a redirecting helper returns: that of the function's program (or of the function itself). */
function programAction(cx: FunctionContext, helper: string, contexts: readonly string[], span: ast.Span): Type {
  const returns = cx.fn.returnType;
  if (returns.kind === 'action') return returns;
  const kinds = contexts.flatMap(programKindsWith).join(' and ');
  if (cx.context && !contexts.includes(cx.context.name)) throw located('KS7002', `${helper} is available in ${kinds} programs`, span);
  throw located('KS7005', `${helper} gives the action of ${kinds} programs: return it from main, or from a helper that returns XdpAction or TcAction`, span, `help: return ${helper}(ifindex, 0);`);
}
