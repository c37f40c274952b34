// `ctx.field` and `ctx.method(...)`, by the context table
// (language/context-members.ts): what exists is the context's row, how a
// method is checked is its form.
import type * as ast from '../1-parse/ast.js';
import { located } from '../../diagnostics/diagnostic.js';
import { PROGRAM_KINDS } from '../../language/program-kinds.js';
import { didYouMean } from '../../util/suggest.js';
import { evaluateConst } from '../2-symbols/const-eval.js';
import { INT_TYPES, isIntegerLike, sizeOf, typeName, type Type } from '../2-symbols/types.js';
import type { Environment } from './environment.js';
import { checkExpr } from './expressions.js';
import type { FunctionContext } from './function-context.js';
import { checkRecordField, checkRecordRead, checkRecordString, probeReturnType } from './kernel-access.js';

/** The most metadata XDP can put before a packet (the kernel's limit in bpf_xdp_adjust_meta). */
export const MAX_METADATA_BYTES = 32;

export function checkContextField(cx: FunctionContext, env: Environment, expr: ast.MemberExpr): Type {
  checkExpr(cx, env, expr.object, null);
  const context = cx.contextOf(env, expr.object);
  const field = context.fields[expr.property.name];
  // A tracepoint's record fields, typed from tracefs or BTF (LANGUAGE.md §13).
  const recordField = field ? null : checkRecordField(cx, expr, context);
  if (recordField) return recordField;
  if (!field) {
    throw located('KS3501', `${context.name} has no field '${expr.property.name}'`, expr.property.span, ...didYouMean(expr.property.name, Object.keys(context.fields)));
  }
  return field.type;
}

export function checkContextMethod(cx: FunctionContext, env: Environment, expr: ast.CallExpr, callee: ast.MemberExpr): Type {
  checkExpr(cx, env, callee.object, null);
  const context = cx.contextOf(env, callee.object);
  const name = callee.property.name;
  const method = context.methods[name];
  if (!method) throw located('KS3502', `${context.name} has no method '${name}'`, callee.property.span);
  const constants = cx.constants(env);
  switch (method.form) {
    case 'len':
      if (expr.args.length !== 0) throw located('KS3401', `ctx.${name}() takes no arguments`, expr.span);
      return INT_TYPES.u32;
    case 'header': {
      const [typeArg] = expr.typeArgs;
      if (!typeArg || expr.typeArgs.length !== 1 || expr.args.length !== 1) throw located('KS3401', 'ctx.header<T>(offset) takes one type and one offset', expr.span);
      const target = cx.resolveType(typeArg);
      if (target.kind !== 'struct' && target.kind !== 'int' && target.kind !== 'array') throw located('KS3503', `cannot view packet bytes as ${typeName(target)}`, typeArg.span);
      const offset = checkExpr(cx, env, expr.args[0]!, INT_TYPES.u32);
      if (!isIntegerLike(offset)) throw located('KS3504', 'the offset is an integer', expr.args[0]!.span);
      return { kind: 'pointer', target };
    }
    case 'read': {
      const [typeArg] = expr.typeArgs;
      if (!typeArg || expr.args.length !== 1) throw located('KS3401', 'ctx.read<T>(offset) takes one type and one byte offset', expr.span);
      return checkRecordRead(cx, env, expr, cx.resolveType(typeArg), typeArg);
    }
    case 'arg': {
      if (expr.args.length !== 1) throw located('KS3401', 'ctx.arg(i) takes the argument index', expr.span);
      const index = evaluateConst(expr.args[0]!, constants);
      if (typeof index !== 'bigint' || index < 0n || index > 5n) throw located('KS3506', 'ctx.arg(i) takes a constant index from 0 to 5', expr.args[0]!.span);
      checkExpr(cx, env, expr.args[0]!, INT_TYPES.u32);
      return INT_TYPES.u64;
    }
    case 'meta': {
      const [typeArg] = expr.typeArgs;
      if (!typeArg || expr.typeArgs.length !== 1 || expr.args.length !== 0) throw located('KS3401', 'ctx.meta<T>() takes one type and no arguments', expr.span);
      const target = cx.resolveType(typeArg);
      if (target.kind !== 'struct' && target.kind !== 'int' && target.kind !== 'array') throw located('KS7008', `metadata cannot be a ${typeName(target)}`, typeArg.span);
      // The kernel's rule for bpf_xdp_adjust_meta: a multiple of 4 bytes, at most 32.
      const size = sizeOf(target);
      if (size % 4 !== 0 || size > MAX_METADATA_BYTES) {
        throw located(
          'KS7008',
          `packet metadata is a multiple of 4 bytes and at most ${MAX_METADATA_BYTES}; ${typeName(target)} is ${size} bytes`,
          typeArg.span,
          'note: the kernel refuses other sizes in bpf_xdp_adjust_meta',
        );
      }
      return { kind: 'pointer', target };
    }
    case 'ret': {
      if (!cx.program?.info.readsReturnValue) {
        const returning = Object.values(PROGRAM_KINDS).filter((k) => k.readsReturnValue && k.context === context.name).map((k) => k.kind);
        throw located('KS3507', `ctx.ret() is only available in ${returning.join(', ')} programs`, callee.property.span);
      }
      if (expr.args.length !== 0) throw located('KS3401', `ctx.${name}() takes no arguments`, expr.span);
      // Typed from the probed function's prototype where there is one (LANGUAGE.md §13).
      return probeReturnType(cx, context, callee.property.span) ?? INT_TYPES.u64;
    }
    case 'str':
      return checkRecordString(cx, env, expr, context);
  }
}
