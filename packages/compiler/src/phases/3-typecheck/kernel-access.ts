// Type checking of what reaches into the kernel (LANGUAGE.md §13–§14): fields
// of kernel structs behind pointers, typed probe arguments and results,
// tracepoint record fields, the probe reads into places, kernel-pointer casts,
// strings as [u8; N]. The function checker hands each such construct here.
import type * as ast from '../1-parse/ast.js';
import { located } from '../../diagnostics/diagnostic.js';
import type { BuiltinFunction } from '../../language/builtin-functions.js';
import { parseFormat } from '../../language/format-strings.js';
import type { ContextInfo } from '../../language/context-members.js';
import type { KernelTypes } from '../../kernel/kernel-types.js';
import { TRACEPOINT_HEADER_SIZE } from '../../kernel/tracepoint-record.js';
import { nearestNames } from '../../util/suggest.js';
import { constantOrNull } from '../2-symbols/const-eval.js';
import { kernelTypesOf } from '../2-symbols/symbol-table.js';
import { alignOf, BOOL, INT_TYPES, isIntegerLike, sizeOf, typeName, VOID, type Type } from '../2-symbols/types.js';
import type { Environment } from './environment.js';
import { checkExpr } from './expressions.js';
import type { FunctionContext } from './function-context.js';
import { checkPlace } from './statements.js';

/** The kernel's types as this function's scope sees them (the BTF is read on first use). */
function kernelOf(cx: FunctionContext): KernelTypes {
  return kernelTypesOf(cx.scope)!;
}

function constant(cx: FunctionContext, env: Environment, expr: ast.Expr): bigint | null {
  const value = constantOrNull(expr, cx.constants(env));
  return typeof value === 'bigint' ? value : null;
}

/** `[u8; N]`: the string type (LANGUAGE.md §14). */
export function isByteArray(type: Type): type is Extract<Type, { kind: 'array' }> {
  return type.kind === 'array' && ((type.element.kind === 'int' && type.element.size === 1) || type.element.kind === 'char');
}

export function isKernelValue(type: Type): boolean {
  return type.kind === 'kernel_pointer' || type.kind === 'kernel_struct';
}

/** `p.field` where `p` is a kernel pointer or an embedded kernel struct: a CO-RE read. */
export function checkKernelField(cx: FunctionContext, expr: ast.MemberExpr, object: Type): Type {
  const owner = object.kind === 'kernel_pointer' ? object.target : object;
  if (owner.kind !== 'kernel_struct') throw new Error('checkKernelField on a non-kernel value');
  const field = kernelOf(cx).field(owner, expr.property);
  cx.resolve(expr, { kind: 'kernelField', field });
  return field.type;
}

/** `ctx.args.NAME` in a typed probe: the probed function's parameter, typed from its BTF prototype. */
export function checkProbeArg(cx: FunctionContext, env: Environment, expr: ast.MemberExpr, args: ast.MemberExpr): Type {
  checkExpr(cx, env, args.object, null);
  const context = cx.contextOf(env, args.object);
  if (!context.probeArgs) throw located('KS6018', `${context.name} has no typed arguments (ctx.args is for kprobes, fentry and fexit)`, args.property.span);
  const prototype = probedFunction(cx, args.property.span);
  const index = prototype.params.findIndex((p) => p.name === expr.property.name);
  if (index < 0) {
    const nearest = nearestNames(expr.property.name, prototype.params.map((p) => p.name), 1);
    throw located(
      'KS6019',
      `${prototype.name} has no parameter '${expr.property.name}'`,
      expr.property.span,
      nearest.length > 0 ? `help: did you mean '${nearest[0]}'?` : `note: its parameters are ${prototype.params.map((p) => p.name).join(', ') || '(none)'}`,
    );
  }
  if (index >= context.probeArgs.maxArgs) {
    throw located('KS6020', `${prototype.name}'s parameter '${expr.property.name}' is number ${index + 1}; ${context.name} reaches the first ${context.probeArgs.maxArgs}`, expr.property.span);
  }
  cx.record(args, VOID);
  cx.resolve(expr, { kind: 'probeArg', index });
  return prototype.params[index]!.type;
}

/** The type of a typed probe's `ctx.ret()`; null to keep the untyped u64 (no BTF for a kprobe). */
export function probeReturnType(cx: FunctionContext, context: ContextInfo, span: ast.Span): Type | null {
  if (!context.probeArgs || !cx.program?.target) return null;
  if (context.probeArgs.untypedWithoutBtf) {
    try {
      return probedFunction(cx, span).returns;
    } catch {
      return null;
    }
  }
  const returns = probedFunction(cx, span).returns;
  if (returns.kind === 'void') throw located('KS6021', `${cx.program.target} returns nothing: ctx.ret() has no value here`, span);
  return returns;
}

function probedFunction(cx: FunctionContext, span: ast.Span) {
  const program = cx.program!;
  // An unknown function is reported at the program's target, where it was named.
  return kernelOf(cx).prototype(program.target!, program.decl.target?.span ?? span, `typing ctx.args and ctx.ret() of ${program.info.kind}("${program.target}")`);
}

/** `ctx.FIELD` of a tracepoint: the event record's field, or null when the context has no record fields. */
export function checkRecordField(cx: FunctionContext, expr: ast.MemberExpr, context: ContextInfo): Type | null {
  if (!context.recordFields || !cx.program?.target) return null;
  const record = kernelOf(cx).tracepoint(cx.program.target, expr.property.span);
  const field = record.fields.find((f) => f.name === expr.property.name);
  if (!field) {
    const nearest = nearestNames(expr.property.name, record.fields.map((f) => f.name), 3);
    throw located(
      'KS6022',
      `tracepoint ${cx.program.target} has no field '${expr.property.name}'`,
      expr.property.span,
      nearest.length > 0 ? `help: the nearest fields are ${nearest.map((n) => `'${n}'`).join(', ')}` : `note: its fields are ${record.fields.map((f) => f.name).join(', ')}`,
    );
  }
  cx.resolve(expr, { kind: 'recordField', field });
  return kernelOf(cx).recordFieldType(field);
}

/** `ctx.read<T>(offset)`: any sized T at a constant offset past the common header, aligned for T. */
export function checkRecordRead(cx: FunctionContext, env: Environment, expr: ast.CallExpr, target: Type, typeArg: ast.TypeExpr): Type {
  if (sizeOf(target) === 0 || isKernelValue(target) || target.kind === 'context' || target.kind === 'pointer') {
    throw located('KS3505', `ctx.read cannot read a ${typeName(target)}: it reads integers, arrays and structs`, typeArg.span);
  }
  const offsetExpr = expr.args[0]!;
  const offset = constant(cx, env, offsetExpr);
  if (offset === null || offset < 0n) throw located('KS6024', 'the offset of ctx.read is a constant byte offset', offsetExpr.span);
  checkExpr(cx, env, offsetExpr, INT_TYPES.u32);
  if (offset < BigInt(TRACEPOINT_HEADER_SIZE)) {
    throw located(
      'KS6025',
      `offset ${offset} is inside the ${TRACEPOINT_HEADER_SIZE}-byte common header (common_type, common_flags, common_preempt_count, common_pid): the kernel refuses reads there`,
      offsetExpr.span,
      `help: the event's own fields start at offset ${TRACEPOINT_HEADER_SIZE}; read them by name, ctx.FIELD`,
    );
  }
  const align = alignOf(target);
  if (offset % BigInt(align) !== 0n) {
    throw located('KS6026', `offset ${offset} is not a multiple of ${align}, the alignment of ${typeName(target)}: the kernel refuses misaligned reads of the record`, offsetExpr.span);
  }
  return target;
}

/** `ctx.str(FIELD, buf)`: a `__data_loc` string field of the record, copied into a [u8; N] place. */
export function checkRecordString(cx: FunctionContext, env: Environment, expr: ast.CallExpr, context: ContextInfo): Type {
  const [fieldArg, buffer] = expr.args;
  if (!fieldArg || !buffer || expr.args.length !== 2 || fieldArg.kind !== 'Identifier') {
    throw located('KS6027', 'ctx.str takes a field name and a buffer: ctx.str(filename, e.filename)', expr.span);
  }
  if (!context.recordFields || !cx.program?.target) throw located('KS6028', 'ctx.str reads a tracepoint record', expr.span);
  const target = cx.program.target;
  const record = kernelOf(cx).tracepoint(target, fieldArg.span);
  const field = record.fields.find((f) => f.name === fieldArg.name);
  if (!field) {
    const strings = record.fields.filter((f) => f.dataLocation !== null).map((f) => f.name);
    throw located('KS6022', `tracepoint ${target} has no field '${fieldArg.name}'`, fieldArg.span, ...(strings.length > 0 ? [`note: its string fields are ${strings.join(', ')}`] : []));
  }
  if (field.dataLocation === null) {
    throw located('KS6029', `'${field.name}' is not a __data_loc string of ${target}`, fieldArg.span, field.pointer ? `help: it is an address: read it with bpf_probe_read_user_str(buf, ctx.${field.name})` : `help: read it as ctx.${field.name}`);
  }
  cx.resolve(fieldArg, { kind: 'recordField', field });
  cx.record(fieldArg, INT_TYPES.u32);
  const type = checkDestination(cx, env, buffer);
  if (!isByteArray(type)) throw located('KS6030', `ctx.str copies into a [u8; N], not a ${typeName(type)}`, buffer.span);
  return INT_TYPES.i64;
}

/** `bpf_probe_read_*(dst, src)`: a place to copy into and the address to copy from; the helper's result. */
export function checkProbeRead(cx: FunctionContext, env: Environment, expr: ast.CallExpr, builtin: BuiltinFunction): Type {
  const [destination, source] = expr.args;
  if (!destination || !source || expr.args.length !== 2) throw located('KS6031', `${builtin.name} takes a destination and an address: ${builtin.name}(buf, addr)`, expr.span);
  const type = checkDestination(cx, env, destination);
  if (builtin.name.endsWith('_str') && !isByteArray(type)) throw located('KS6030', `${builtin.name} copies a string into a [u8; N], not a ${typeName(type)}`, destination.span);
  checkAddress(cx, env, source);
  return INT_TYPES.i64;
}

/** `bpf_get_current_task()`: the current task, a `*task_struct` of the kernel's BTF. */
export function checkCurrentTask(cx: FunctionContext, expr: ast.CallExpr): Type {
  if (expr.args.length !== 0) throw located('KS3401', 'bpf_get_current_task takes no arguments', expr.span);
  return kernelOf(cx).pointerToStruct('task_struct', 'bpf_get_current_task()', expr.span);
}

/** `field_exists(p.field)`: a field of a kernel struct, behind a kernel pointer. */
export function checkFieldExists(cx: FunctionContext, env: Environment, expr: ast.CallExpr): Type {
  const [field] = expr.args;
  if (!field || expr.args.length !== 1 || field.kind !== 'MemberExpr') throw located('KS6032', 'field_exists takes a field of a kernel struct: field_exists(task.loginuid)', expr.span);
  checkExpr(cx, env, field, null);
  if (cx.system.resolutions.get(field)?.kind !== 'kernelField') throw located('KS6032', 'field_exists tests a field of a kernel struct (behind a kernel pointer)', field.span);
  return BOOL;
}

/** `str_eq(a, "lit")`, `starts_with(a, "lit")`: a [u8; N] and a literal no longer than it. */
export function checkStringCompare(cx: FunctionContext, env: Environment, expr: ast.CallExpr, builtin: BuiltinFunction): Type {
  const [value, literal] = expr.args;
  if (!value || !literal || expr.args.length !== 2 || literal.kind !== 'StringLiteral') throw located('KS6033', `${builtin.name} compares a [u8; N] with a string literal: ${builtin.name}(e.comm, "bash")`, expr.span);
  const type = checkExpr(cx, env, value, null);
  if (!isByteArray(type)) throw located('KS6033', `${builtin.name} compares a [u8; N], not a ${typeName(type)}`, value.span);
  checkExpr(cx, env, literal, null);
  // A string as long as the array is the whole array (no NUL): still comparable.
  if (literal.value.length > type.length) {
    throw located('KS6034', `"${literal.value}" is ${literal.value.length} bytes, longer than the ${type.length}-byte ${typeName(type)}: ${builtin.name} could never be true`, literal.span);
  }
  return BOOL;
}

/** Where a helper writes: a place of a sized type (a local, also a scalar; a field; a map element's part; a tail `buf[off..]`). */
export function checkDestination(cx: FunctionContext, env: Environment, target: ast.Expr): Type {
  if (target.kind === 'SliceExpr') {
    const array = checkDestination(cx, env, target.object);
    if (array.kind !== 'array') throw located('KS6035', `only an array has a tail: ${typeName(array)} is not one`, target.object.span);
    const start = checkExpr(cx, env, target.start, INT_TYPES.u32);
    if (!isIntegerLike(start)) throw located('KS6036', `the start of a tail is an integer, not ${typeName(start)}`, target.start.span);
    const at = constant(cx, env, target.start);
    if (at !== null && (at < 0n || at >= BigInt(array.length))) {
      throw located('KS6037', `${at} is past the end of the ${array.length}-element array: its tail would be empty`, target.start.span);
    }
    return cx.record(target, { kind: 'array', element: array.element, length: at === null ? array.length : array.length - Number(at) });
  }
  const type = destinationPlace(cx, env, target);
  if (isKernelValue(type) || sizeOf(type) === 0) throw located('KS6038', `cannot copy into a ${typeName(type)}`, target.span);
  return type;
}

/** A place a helper writes into: a local (scalars too) or an assignable field, element or map element part. */
function destinationPlace(cx: FunctionContext, env: Environment, target: ast.Expr): Type {
  if (target.kind === 'Identifier') {
    const local = env.find(target.name);
    const type = checkExpr(cx, env, target, null);
    if (!local || local.isParam) throw located('KS6039', `'${target.name}' is not a local: the destination is a local or a part of one, or a map element's field`, target.span);
    if (local.isConst) throw located('KS3201', `cannot write into '${target.name}': it is a constant`, target.span);
    return type;
  }
  if (target.kind === 'MemberExpr' || target.kind === 'IndexExpr') return checkPlace(cx, env, target);
  throw located('KS6039', "the destination is a local, a field or element of one, or a map element's part", target.span);
}

/** Kernel memory is read, never written (LANGUAGE.md §13): a place reached through a kernel read, a typed argument or the record is refused. */
export function refuseKernelWrite(cx: FunctionContext, target: ast.Expr): void {
  for (let node = target; node.kind === 'MemberExpr' || node.kind === 'IndexExpr' || node.kind === 'SliceExpr'; node = node.object) {
    const resolution = cx.system.resolutions.get(node);
    if (resolution?.kind === 'kernelField' || resolution?.kind === 'recordField' || resolution?.kind === 'probeArg') {
      throw located(
        'KS6040',
        resolution.kind === 'kernelField' ? 'cannot write through a kernel pointer: tracing programs read kernel memory, they never change it' : `ctx.${(node as ast.MemberExpr).property.name} is read-only`,
        target.span,
        'help: copy the value into a local and change that',
      );
    }
  }
}

/** The source of a probe read: an address (u64) or a kernel pointer. */
function checkAddress(cx: FunctionContext, env: Environment, source: ast.Expr): void {
  const type = checkExpr(cx, env, source, INT_TYPES.u64);
  if (type.kind === 'kernel_pointer') return;
  if (type.kind === 'int' && type.size === 8) return;
  throw located('KS6041', `the address to read from is a u64 or a kernel pointer, not a ${typeName(type)}`, source.span, type.kind === 'int' ? `help: widen it: ${exprText(source)} as u64` : 'help: pass an address (a u64) or a kernel pointer');
}

/** `x as T` where either side is a kernel pointer; null when neither is. */
export function checkKernelCast(from: Type, target: Type, span: ast.Span): Type | null {
  if (target.kind !== 'kernel_pointer' && from.kind !== 'kernel_pointer') return null;
  const wideInt = (t: Type) => t.kind === 'int' && t.size === 8;
  if (target.kind === 'kernel_pointer' && (wideInt(from) || from.kind === 'kernel_pointer')) return target;
  if (from.kind === 'kernel_pointer' && wideInt(target)) return target;
  throw located(
    'KS3105',
    `cannot cast ${typeName(from)} to ${typeName(target)}`,
    span,
    target.kind === 'kernel_pointer' ? `help: a kernel pointer is made from a 64-bit address: (x as u64) as ${typeName(target)}` : 'help: a kernel pointer becomes an address with `p as u64`',
  );
}

/** A string literal where a `[u8; N]` is expected: its bytes, zero-padded; longer than N is an error. */
export function checkStringInto(literal: ast.StringLiteral, expected: Type | null): Type | null {
  if (!expected || !isByteArray(expected)) return null;
  const bytes = new TextEncoder().encode(literal.value).length;
  if (bytes > expected.length) throw located('KS6034', `${JSON.stringify(literal.value)} is ${bytes} bytes, too long for a ${typeName(expected)}`, literal.span);
  return expected;
}

/**
 * `print` arguments against the format's conversions (language/format-strings.ts),
 * as C compilers check printf: one value per conversion, `%s` for a [u8; N]
 * and only for it, and a 64-bit value only under an `ll` conversion.
 */
export function checkPrintArgs(format: ast.StringLiteral, args: ast.Expr[], types: Type[], side: 'kernel' | 'userspace'): void {
  const conversions = parseFormat(format.value, side);
  if (!Array.isArray(conversions)) throw located('KS3412', conversions.problem, format.span);
  if (args.length !== conversions.length) {
    const counted = `the format has ${conversions.length} conversion${conversions.length === 1 ? '' : 's'}, but ${args.length} value${args.length === 1 ? '' : 's'} follow${args.length === 1 ? 's' : ''}`;
    throw located('KS3413', counted, args[conversions.length]?.span ?? format.span);
  }
  args.forEach((arg, i) => {
    const conversion = conversions[i]!;
    const type = types[i]!;
    const string = isByteArray(type);
    if (conversion.letter === 's' && !string) throw located('KS6042', `%s prints a [u8; N] string, not a ${typeName(type)}`, arg.span);
    if (string && conversion.letter !== 's') throw located('KS6042', `a ${typeName(type)} is printed with %s, not %${conversion.letter}`, arg.span);
    if (!string && !isIntegerLike(type) && type.kind !== 'bool') throw located('KS3408', `cannot print a ${typeName(type)}`, arg.span);
    if (!string && conversion.size < sizeOf(type)) {
      throw located('KS3414', `'${conversion.text}' prints a 32-bit value, but this is ${typeName(type)}: write ${conversion.text.slice(0, -1)}ll${conversion.letter}`, arg.span);
    }
  });
}

function exprText(expr: ast.Expr): string {
  return expr.kind === 'Identifier' ? expr.name : 'value';
}
