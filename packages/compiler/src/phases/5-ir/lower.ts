// Phase 5a: typed syntax → IR. Map reads become explicit lookups into named
// references, keys and values get addressable locals, and expressions that
// need statements (lookups, matches) are hoisted in evaluation order.
import type * as ast from '../1-parse/ast.js';
import { walk } from '../1-parse/walk.js';
import { BUILTIN_STRUCTS, PROTOCOL_CONSTANTS } from '../../language/headers.js';
import { CONTEXTS } from '../../language/context-members.js';
import { kernelTypesOf, type ConfigSymbol, type FunctionSymbol, type MapSymbol, type ProgramSymbol, type SymbolTable } from '../2-symbols/symbol-table.js';
import { BOOL, INT_TYPES, sameType, sizeOf, VOID, type EnumType, type StructType, type Type } from '../2-symbols/types.js';
import type { LocalVariable, Resolution, TypedFunction, TypedSystem } from '../3-typecheck/typed-system.js';
import {
  typeOf,
  type IrConfig,
  type IrExpr,
  type IrFunction,
  type IrLocal,
  type IrMap,
  type IrPathStep,
  type IrPlace,
  type IrProgram,
  type IrStmt,
  type IrSystem,
  placeType,
  type ProbeReadHelper,
} from './ir.js';
import { parseFormat, type FormatConversion } from '../../language/format-strings.js';
import { FreshNames } from '../../util/fresh-names.js';
import { declaredOnStack } from './stack-slots.js';
import { dropUnusedLocals } from './unused-locals.js';
import { reuseElementLookups } from './element-reuse.js';
import { reuseKeyTemporaries } from './key-reuse.js';
import { expressions } from './ir-walk.js';
import { constantValue } from './wrapped-constant.js';

/**
 * Zero elements up to this size are built on the stack; larger ones are a
 * `static const` in read-only data (not smaller ones: clang puts small
 * constants in mergeable .rodata.cstN sections, which libbpf cannot use).
 */
const ZERO_ON_STACK_BYTES = 64;

export function lowerSystem(typed: TypedSystem): IrSystem {
  const { symbols } = typed;
  const descriptions: SystemDescriptions = {
    maps: new Map(symbols.maps.map((m) => [m, describeMap(m)])),
    programs: new Map(symbols.programs.map((p) => [p, describeProgram(p)])),
  };
  const lowered = typed.functions.map((fn) => reuseKeyTemporaries(dropUnusedLocals(new FunctionLowering(typed, descriptions, fn).lower())));
  const kernelHelpers = new Set(lowered.filter((fn) => fn.side === 'kernel').map((fn) => fn.cName));
  const functions = lowered.map((fn) => reuseElementLookups(fn, (name) => kernelHelpers.has(name)));
  const slots = [...typed.tailCallSlots].map(([program, index]) => ({ index, program }));
  return {
    programs: [...descriptions.programs.values()],
    kernelFunctions: functions.filter((f) => f.side === 'kernel'),
    userspaceFunctions: functions.filter((f) => f.side === 'userspace'),
    maps: [...descriptions.maps.values()],
    config: symbols.config.map(describeConfig),
    structs: declaredStructs(symbols),
    kernelTypes: kernelTypesOf(symbols.global)?.uses ?? null,
    kfuncs: symbols.kfuncs.map((k) => ({ name: k.name, params: k.params.map((p) => ({ name: p.name, type: p.type })), returns: k.returnType })),
    enums: declaredEnums(symbols),
    tailCalls: slots.length > 0 ? { map: TAIL_CALL_MAP, slots } : null,
  };
}

/** The IR's own description of each map and program, by symbol. */
interface SystemDescriptions {
  maps: Map<MapSymbol, IrMap>;
  programs: Map<ProgramSymbol, IrProgram>;
}

function describeMap(map: MapSymbol): IrMap {
  const { name, declName, objectName, kind, key, value, maxEntries, pinPath, flags, program } = map;
  return { name, declName, objectName, kind, key, value, maxEntries, pinPath, flags, program, span: map.decl.name.span };
}

function describeProgram(program: ProgramSymbol): IrProgram {
  return { name: program.name, kind: program.info, target: program.target, section: program.section, span: program.decl.name.span };
}

function describeConfig(config: ConfigSymbol): IrConfig {
  const { name, program, cName, type, defaultValue } = config;
  return { name, program, cName, type, defaultValue, span: config.decl.span };
}

/** What comparing a value with itself gives. */
const SELF_COMPARISONS: Partial<Record<string, boolean>> = { '==': true, '<=': true, '>=': true, '!=': false, '<': false, '>': false };

/** Both read the same local, or the same field of it: the same value. */
function samePlace(a: IrExpr, b: IrExpr): boolean {
  if (a.op === 'local' && b.op === 'local') return a.local === b.local;
  return a.op === 'field' && b.op === 'field' && a.field === b.field && samePlace(a.object, b.object);
}

/** `masked == value` that no x satisfies: `x & m` has no bit outside m, `x | m` every bit of m. Non-null when so. */
function bitwiseMismatch(masked: IrExpr, value: IrExpr): true | null {
  const expected = constantValue(value);
  if (expected === null || masked.op !== 'binary' || (masked.operator !== '&' && masked.operator !== '|')) return null;
  const mask = constantValue(masked.right) ?? constantValue(masked.left);
  const other = constantValue(masked.right) === null ? masked.right : masked.left;
  if (mask === null || [...expressions(other)].some((e) => e.op === 'call')) return null;
  const impossible = masked.operator === '&' ? (mask & expected) !== expected : (mask | expected) !== expected;
  return impossible ? true : null;
}

/** The ProgArray the compiler adds for `tail_call`. */
export const TAIL_CALL_MAP = 'ks_tail_calls';

class FunctionLowering {
  private readonly locals: IrLocal[] = [];
  private readonly usedNames = new FreshNames();
  private readonly irLocals = new Map<LocalVariable, IrLocal>();
  /** `let v = m[k]`: v's lookup reference, for `v == null`. */
  private readonly elementRefs = new Map<LocalVariable, IrLocal>();
  /** Loop counters and scalars assigned in loops: never passed to a helper by their own address. */
  private readonly changing = new Set<IrLocal>();
  private out: IrStmt[] = [];
  private line: number;

  constructor(
    private readonly typed: TypedSystem,
    private readonly descriptions: SystemDescriptions,
    private readonly fn: TypedFunction,
  ) {
    this.line = fn.symbol.decl.span.start.line;
    for (const local of fn.locals) this.usedNames.take(local.cName);
  }

  lower(): IrFunction {
    const symbol: FunctionSymbol = this.fn.symbol;
    const params = this.fn.params.map((p) => this.irLocal(p, 'param'));
    this.findChangingLocals(symbol.decl.body);
    const body = this.lowerStatements(symbol.decl.body.statements);
    return {
      name: symbol.name,
      cName: symbol.cName,
      side: this.fn.side,
      program: this.fn.program && this.fn.program.main === symbol ? this.descriptions.programs.get(this.fn.program)! : null,
      params,
      returnType: symbol.returnType,
      locals: this.locals,
      body,
      line: symbol.decl.span.start.line,
    };
  }

  // ---------- locals ----------

  private irLocal(local: LocalVariable, role: IrLocal['role'] = 'variable'): IrLocal {
    let ir = this.irLocals.get(local);
    if (!ir) {
      ir = { name: local.cName, type: local.type, role, addressTaken: false };
      this.irLocals.set(local, ir);
      this.locals.push(ir);
    }
    return ir;
  }

  /**
   * The element an in-place update inserts when its key is absent: on the
   * stack when small, else a zero constant in read-only data — large values
   * are why they live in a map, and would not fit the 512-byte stack.
   */
  private zeroElement(map: IrMap): IrLocal {
    const zero = this.temporary(`${map.declName}_zero`, map.value);
    zero.addressTaken = true;
    if (sizeOf(map.value) > ZERO_ON_STACK_BYTES) zero.role = 'constant';
    return zero;
  }

  /** Loop counters and locals assigned inside a loop, as IR locals (see `addressable`). */
  private findChangingLocals(body: ast.Block): void {
    walk(body, (node) => {
      if (node.kind !== 'ForRangeStmt' && node.kind !== 'WhileStmt') return;
      if (node.kind === 'ForRangeStmt') this.changing.add(this.irLocal(this.localOf(node)));
      walk(node.body, (inner) => {
        if (inner.kind !== 'AssignStmt' || inner.target.kind !== 'Identifier') return;
        const resolution = this.resolution(inner.target);
        if (resolution.kind === 'local') this.changing.add(this.irLocal(resolution.local));
      });
    });
  }

  private temporary(base: string, type: Type): IrLocal {
    const name = this.usedNames.fresh(base);
    const local: IrLocal = { name, type, role: 'temporary', addressTaken: false };
    this.locals.push(local);
    return local;
  }

  private emit(stmt: DistributiveOmit<IrStmt, 'line'>): void {
    this.out.push({ ...stmt, line: this.line } as IrStmt);
  }

  /** Collect what `body` emits into a separate list. */
  private collect(body: () => void): IrStmt[] {
    const saved = this.out;
    this.out = [];
    try {
      body();
      return this.out;
    } finally {
      this.out = saved;
    }
  }

  // ---------- statements ----------

  private lowerStatements(statements: ast.Stmt[]): IrStmt[] {
    return this.collect(() => statements.forEach((s) => this.lowerStmt(s)));
  }

  /**
   * A statement whose expansion declares stack temporaries (map keys and
   * values...) becomes a C block of its own, so clang can give the next
   * statement's temporaries the same stack slots. `let` stays unscoped: the
   * variable it declares lives on in the enclosing block.
   */
  private lowerStmt(stmt: ast.Stmt): void {
    if (stmt.kind === 'LetStmt' || stmt.kind === 'Block') return this.lowerStmtHere(stmt);
    const expansion = this.collect(() => this.lowerStmtHere(stmt));
    const temporaries = expansion.some((s) => declaredOnStack(s).some((local) => local.role === 'temporary'));
    if (temporaries) this.out.push({ op: 'scope', body: expansion, line: stmt.span.start.line });
    else this.out.push(...expansion);
  }

  private lowerStmtHere(stmt: ast.Stmt): void {
    this.line = stmt.span.start.line;
    switch (stmt.kind) {
      case 'LetStmt':
        return this.lowerLet(stmt);
      case 'AssignStmt':
        return this.lowerAssign(stmt);
      case 'ExprStmt':
        if (stmt.expr.kind === 'MatchExpr') return this.lowerMatch(stmt.expr, null);
        return this.lowerExprStatement(stmt.expr);
      case 'IfStmt': {
        const condition = this.lowerExpr(stmt.condition);
        const then = this.lowerStatements(stmt.then.statements);
        const otherwise = stmt.otherwise ? (stmt.otherwise.kind === 'Block' ? this.lowerStatements(stmt.otherwise.statements) : this.collect(() => this.lowerStmt(stmt.otherwise!))) : [];
        this.line = stmt.span.start.line;
        this.emit({ op: 'if', condition, then, otherwise });
        return;
      }
      case 'ForRangeStmt': {
        const variable = this.irLocal(this.localOf(stmt));
        const start = this.lowerExpr(stmt.start);
        const end = this.stable(this.lowerExpr(stmt.end), 'end');
        const body = this.lowerStatements(stmt.body.statements);
        this.line = stmt.span.start.line;
        this.emit({ op: 'forRange', variable, start, end, body });
        return;
      }
      case 'WhileStmt': {
        let condition!: IrExpr;
        const head = this.collect(() => (condition = this.lowerExpr(stmt.condition)));
        const body = this.lowerStatements(stmt.body.statements);
        this.line = stmt.span.start.line;
        this.emit({ op: 'while', head, condition, body });
        return;
      }
      case 'ForEachStmt': {
        const iteration = this.resolution(stmt) as Extract<Resolution, { kind: 'iteration' }>;
        const key = this.irLocal(iteration.key);
        const value = this.irLocal(iteration.value);
        key.addressTaken = value.addressTaken = true;
        const body = this.lowerStatements(stmt.body.statements);
        this.line = stmt.span.start.line;
        this.emit({ op: 'iterate', map: this.descriptions.maps.get(iteration.map)!, key, value, body });
        return;
      }
      case 'ReturnStmt':
        if (stmt.value?.kind === 'TailCallExpr') {
          const call = stmt.value;
          const fallback = call.fallback ? this.lowerExpr(call.fallback) : null;
          this.emit({ op: 'tailCall', table: TAIL_CALL_MAP, slot: this.typed.tailCallSlots.get(call.target.name)!, target: call.target.name, fallback });
          return;
        }
        this.emit({ op: 'return', value: stmt.value ? this.lowerExpr(stmt.value) : null });
        return;
      case 'BreakStmt':
        this.emit({ op: 'break' });
        return;
      case 'ContinueStmt':
        this.emit({ op: 'continue' });
        return;
      case 'DeleteStmt': {
        const map = this.mapOf(stmt.target.object)!;
        this.emit({ op: 'mapDelete', map, key: this.keyLocal(map, stmt.target.index) });
        return;
      }
      case 'Block':
        stmt.statements.forEach((s) => this.lowerStmt(s));
        return;
    }
  }

  private lowerLet(stmt: ast.LetStmt): void {
    const local = this.irLocal(this.localOf(stmt));
    const init = stmt.init;
    if (init.kind === 'IndexExpr') {
      const map = this.mapOf(init.object);
      if (map) {
        const ref = this.lookup(map, init.index, `${local.name}_elem`);
        this.elementRefs.set(this.localOf(stmt), ref);
        this.emit({ op: 'declare', local, init: { op: 'elementValue', ref, path: [], type: local.type } });
        return;
      }
    }
    if (init.kind === 'CallExpr' && this.isViewCall(init)) return this.emitView(init, local);
    if (init.kind === 'MatchExpr') {
      this.emit({ op: 'declare', local, init: null });
      this.lowerMatch(init, local);
      return;
    }
    this.emit({ op: 'declare', local, init: this.lowerCopied(init) });
  }

  private lowerAssign(stmt: ast.AssignStmt): void {
    const element = this.mapElementPlace(stmt.target);
    if (element) {
      const { map, index, path } = element;
      const key = this.keyLocal(map, index);
      if (stmt.op !== '=' || path.length > 0) {
        const value = this.lowerExpr(stmt.value);
        const ref = this.temporary(`${map.declName}_elem`, { kind: 'pointer', target: map.value });
        const zero = this.zeroElement(map);
        if (stmt.op === '=') this.emit({ op: 'mapFieldStore', map, key, ref, zero, path, value });
        else this.emit({ op: 'mapAtomic', map, key, ref, zero, path, operator: stmt.op, operand: value });
      } else {
        const value = this.addressable(this.lowerExpr(stmt.value), map.value, `${map.declName}_value`);
        this.emit({ op: 'mapUpdate', map, key, value, flags: 'BPF_ANY' });
      }
      return;
    }
    const target = this.lowerExpr(stmt.target);
    const value = this.lowerCopied(stmt.value);
    this.emit({ op: 'assign', target, operator: stmt.op, value });
  }

  private lowerExprStatement(expr: ast.Expr): void {
    const lowered = this.lowerExpr(expr, true);
    if (lowered.op !== 'zero') this.emit({ op: 'eval', expr: lowered });
  }

  /** A match as if/else-if chain; arm values are assigned to `result` when it is used as a value. */
  private lowerMatch(match: ast.MatchExpr, result: IrLocal | null): void {
    const subject = this.stable(this.lowerExpr(match.subject), 'match_value');
    const line = this.line;
    // An exhaustive match's last arm is its `else`: no value is left unmatched.
    const last = this.typed.exhaustiveMatches.has(match) ? match.arms.at(-1) : undefined;
    const chain = [...match.arms].reverse().reduce<IrStmt[]>((otherwise, arm) => {
      const body = this.collect(() => this.lowerArmBody(arm.body, result));
      if (arm.patterns.length === 0 || arm === last) return body;
      const condition = arm.patterns
        .map((p): IrExpr => ({ op: 'binary', operator: '==', left: subject, right: this.lowerExpr(p), type: BOOL }))
        .reduce((a, b) => ({ op: 'binary', operator: '||', left: a, right: b, type: BOOL }));
      return [{ op: 'if', condition, then: body, otherwise, line: arm.span.start.line }];
    }, []);
    this.line = line;
    this.out.push(...chain);
  }

  private lowerArmBody(body: ast.Block | ast.ReturnStmt | ast.Expr, result: IrLocal | null): void {
    if (body.kind === 'ReturnStmt') return this.lowerStmt(body);
    if (body.kind === 'Block') {
      body.statements.forEach((s) => this.lowerStmt(s));
      if (body.result && result) this.assignResult(result, body.result);
      return;
    }
    this.line = body.span.start.line;
    if (result) this.assignResult(result, body);
    else this.lowerExprStatement(body);
  }

  private assignResult(result: IrLocal, expr: ast.Expr): void {
    if (expr.kind === 'MatchExpr') return this.lowerMatch(expr, result);
    this.emit({ op: 'assign', target: { op: 'local', local: result }, operator: '=', value: this.lowerExpr(expr) });
  }

  // ---------- map helpers ----------

  /** `m[k]`, `m[k].a.b`, `m[k].a[i]` as a place; null when the expression is not inside a map element. */
  private mapElementPlace(target: ast.Expr): { map: IrMap; index: ast.Expr; path: IrPathStep[] } | null {
    const steps: (string | ast.Expr)[] = [];
    let node = target;
    for (;;) {
      if (node.kind === 'MemberExpr') {
        steps.unshift(node.property.name);
        node = node.object;
      } else if (node.kind === 'IndexExpr' && !this.mapOf(node.object)) {
        steps.unshift(node.index);
        node = node.object;
      } else {
        break;
      }
    }
    if (node.kind !== 'IndexExpr') return null;
    const map = this.mapOf(node.object);
    if (!map) return null;
    // Index expressions are lowered only once the place is known to be a map element.
    // Indexes are evaluated once: the generated code range-checks them before use.
    const path = steps.map((step): IrPathStep => (typeof step === 'string' ? { field: step } : { index: this.stable(this.lowerExpr(step), 'index') }));
    return { map, index: node.index, path };
  }

  private lookup(map: IrMap, index: ast.Expr, refName = `${map.declName}_elem`): IrLocal {
    const key = this.keyLocal(map, index);
    const ref = this.temporary(refName, { kind: 'pointer', target: map.value });
    this.emit({ op: 'mapLookup', map, key, ref });
    return ref;
  }

  private keyLocal(map: IrMap, index: ast.Expr): IrLocal {
    return this.addressable(this.lowerExpr(index), map.key!, `${map.declName}_key`);
  }

  /**
   * A local holding `value` whose address can be passed to a helper: the value's own local when it already is one of
   * that type, unless it is a scalar a loop changes. That one is copied: once its address is taken, clang keeps it
   * in a stack slot whose value the verifier stops tracking, and the loop no longer verifies
   * (`for i in 0..n { m[i] = 0; }`).
   */
  private addressable(value: IrExpr, type: Type, name: string): IrLocal {
    const changingScalar = value.op === 'local' && type.kind !== 'struct' && type.kind !== 'array' && this.changing.has(value.local);
    if (value.op === 'local' && sameType(value.local.type, type) && !changingScalar) {
      value.local.addressTaken = true;
      return value.local;
    }
    const local = this.temporary(name, type);
    local.addressTaken = true;
    this.emit({ op: 'declare', local, init: value });
    return local;
  }

  /** `value` as a `type` operand: literals and values of another type get a cast. */
  /** A format and its values, each value in the C type its conversion reads (a bare literal is an int in C; `%llu` needs 64 bits). */
  private formatArgs([format, ...values]: ast.Expr[]): IrExpr[] {
    const conversions = parseFormat((format as ast.StringLiteral).value, this.fn.side) as FormatConversion[];
    return [
      this.lowerExpr(format!),
      ...values.map((value, index) => {
        const { size, signed } = conversions[index]!;
        const lowered = this.lowerExpr(value);
        return size === 8 ? this.inType(lowered, signed ? INT_TYPES.i64 : INT_TYPES.u64) : lowered;
      }),
    ];
  }

  private inType(value: IrExpr, type: Type): IrExpr {
    return value.op !== 'int' && sameType(typeOf(value), type) ? value : { op: 'cast', value, type };
  }

  /** Evaluate once: simple expressions stay, others go to a temporary. */
  private stable(value: IrExpr, name: string): IrExpr {
    if (value.op === 'local' || value.op === 'int' || value.op === 'symbol') return value;
    const local = this.temporary(name, typeOf(value));
    this.emit({ op: 'declare', local, init: value });
    return { op: 'local', local };
  }

  // ---------- expressions ----------

  /**
   * An expression as a value. An array read from kernel memory or from a
   * tracepoint record has no C rvalue: it is copied into a temporary first,
   * unless it is itself the value of a copy (`lowerCopied`).
   */
  private lowerExpr(expr: ast.Expr, asStatement = false): IrExpr {
    const value = this.lowerAny(expr, asStatement);
    return isCopyOnly(value) ? this.materialize(value) : value;
  }

  /** The value of a `let` or an assignment: an array read may stay a read, copied straight into its place. */
  private lowerCopied(expr: ast.Expr): IrExpr {
    return this.lowerAny(expr, false);
  }

  private materialize(value: IrExpr): IrExpr {
    const local = this.temporary(value.op === 'kernelRead' ? 'kernel_value' : 'record_value', typeOf(value));
    this.emit({ op: 'declare', local, init: value });
    return { op: 'local', local };
  }

  private lowerAny(expr: ast.Expr, asStatement: boolean): IrExpr {
    const type = this.typed.types.get(expr) ?? VOID;
    switch (expr.kind) {
      case 'IntLiteral':
        return { op: 'int', value: expr.value, type };
      case 'CharLiteral':
        return { op: 'int', value: BigInt(expr.value), type };
      case 'BoolLiteral':
        return { op: 'bool', value: expr.value };
      case 'StringLiteral':
        // Where a [u8; N] was expected, the literal is its bytes (LANGUAGE.md §14).
        return type.kind === 'array' ? { op: 'stringBytes', value: expr.value, type } : { op: 'string', value: expr.value };
      case 'SliceExpr':
        throw new Error('a tail buf[off..] is lowered by the helper it is passed to');
      case 'NullLiteral':
        return { op: 'zero', type };
      case 'Identifier':
      case 'PathExpr':
        return this.lowerName(expr, type);
      case 'UnaryExpr':
        if (expr.op === '-' && expr.operand.kind === 'IntLiteral') return { op: 'int', value: -expr.operand.value, type };
        return { op: 'unary', operator: expr.op, operand: this.lowerExpr(expr.operand), type };
      case 'BinaryExpr':
        return this.lowerBinary(expr, type);
      case 'CastExpr':
        return { op: 'cast', value: this.lowerExpr(expr.expr), type };
      case 'CallExpr':
        return this.lowerCall(expr, type, asStatement);
      case 'MemberExpr':
        return this.lowerMember(expr, type);
      case 'IndexExpr': {
        const element = this.mapElementPlace(expr);
        if (element) return { op: 'elementValue', ref: this.lookup(element.map, element.index), path: element.path, type };
        // The index is evaluated once: the generated code range-checks it before use.
        const array = this.lowerAny(expr.object, false);
        const index = this.stable(this.lowerExpr(expr.index), 'index');
        // An element of an array in kernel memory is one more step of the same CO-RE read.
        if (array.op === 'kernelRead') return { ...array, path: [...array.path, { index, length: (typeOf(array) as Extract<Type, { kind: 'array' }>).length }], type };
        return { op: 'index', array: this.materializeIfCopyOnly(array), index, type };
      }
      case 'StructLiteral':
        return { op: 'structLiteral', type: type as StructType, fields: expr.fields.map((f) => ({ name: f.name.name, value: this.lowerExpr(f.value) })) };
      case 'ArrayLiteral':
        return { op: 'arrayLiteral', type, elements: expr.elements.map((e) => this.lowerExpr(e)) };
      case 'ArrayRepeatLiteral':
        return { op: 'arrayRepeat', type: type as Extract<Type, { kind: 'array' }>, value: this.lowerExpr(expr.value) };
      case 'MatchExpr': {
        const result = this.temporary('match_result', type);
        this.emit({ op: 'declare', local: result, init: null });
        this.lowerMatch(expr, result);
        return { op: 'local', local: result };
      }
      case 'TailCallExpr':
        throw new Error('tail_call is lowered by its return statement');
    }
  }

  private lowerName(expr: ast.Identifier | ast.PathExpr, type: Type): IrExpr {
    const resolution = this.resolution(expr);
    switch (resolution.kind) {
      case 'local':
        return { op: 'local', local: this.irLocal(resolution.local) };
      case 'context':
        return { op: 'local', local: this.irLocal(this.fn.params[0]!, 'param') };
      case 'action':
        return { op: 'symbol', name: resolution.constant, type };
      case 'config':
        return { op: 'symbol', name: resolution.config.cName, type };
      case 'constant':
        if (resolution.cName && PROTOCOL_CONSTANTS[resolution.cName] && !PROTOCOL_CONSTANTS[resolution.cName]!.literal) return { op: 'symbol', name: resolution.cName, type };
        if (typeof resolution.value === 'boolean') return { op: 'bool', value: resolution.value };
        if (resolution.type.kind === 'enum' && resolution.cName) return { op: 'symbol', name: resolution.cName, type };
        return { op: 'int', value: resolution.value, type };
      default:
        throw new Error(`cannot lower a reference to a ${resolution.kind}`);
    }
  }

  private materializeIfCopyOnly(value: IrExpr): IrExpr {
    return isCopyOnly(value) ? this.materialize(value) : value;
  }

  private lowerBinary(expr: ast.BinaryExpr, type: Type): IrExpr {
    if ((expr.op === '==' || expr.op === '!=') && (expr.left.kind === 'NullLiteral' || expr.right.kind === 'NullLiteral')) {
      const tested = expr.left.kind === 'NullLiteral' ? expr.right : expr.left;
      const testedType = this.typed.types.get(tested);
      // A kernel pointer is tested as any pointer: `p == NULL`.
      if (testedType?.kind === 'kernel_pointer') return { op: 'binary', operator: expr.op, left: this.lowerExpr(tested), right: { op: 'zero', type: testedType }, type: BOOL };
      return { op: 'isNull', ref: this.nullableRef(tested), negate: expr.op === '!=' };
    }
    const left = this.lowerExpr(expr.left);
    if (expr.op === '&&' || expr.op === '||') {
      let right!: IrExpr;
      const rightStatements = this.collect(() => (right = this.lowerExpr(expr.right)));
      if (rightStatements.length === 0) return { op: 'binary', operator: expr.op, left, right, type };
      // The right side needs statements (a map lookup): run them only when C would evaluate it.
      const result = this.temporary('condition', BOOL);
      this.emit({ op: 'declare', local: result, init: left });
      const place: IrExpr = { op: 'local', local: result };
      const guard: IrExpr = expr.op === '&&' ? place : { op: 'unary', operator: '!', operand: place, type: BOOL };
      this.emit({ op: 'if', condition: guard, then: [...rightStatements, { op: 'assign', target: place, operator: '=', value: right, line: this.line }], otherwise: [] });
      return place;
    }
    const right = this.lowerExpr(expr.right);
    // `x == x` is always true (and clang -Wall refuses it).
    const itself = SELF_COMPARISONS[expr.op];
    if (itself !== undefined && samePlace(left, right)) return { op: 'bool', value: itself };
    const decided = expr.op === '==' || expr.op === '!=' ? bitwiseMismatch(left, right) ?? bitwiseMismatch(right, left) : null;
    // `(x & 4) == 3` never holds (and clang -Wall refuses it).
    if (decided !== null) return { op: 'bool', value: expr.op === '!=' };
    return { op: 'binary', operator: expr.op, left, right, type };
  }

  /** The reference a null test looks at: a packet view, a map element, or a local bound from one. */
  private nullableRef(tested: ast.Expr): IrLocal {
    if (tested.kind === 'IndexExpr') {
      const map = this.mapOf(tested.object);
      if (map) return this.lookup(map, tested.index);
    }
    if (tested.kind === 'Identifier') {
      const resolution = this.resolution(tested);
      if (resolution.kind === 'local') return this.elementRefs.get(resolution.local) ?? this.irLocal(resolution.local);
    }
    const value = this.lowerExpr(tested);
    if (value.op === 'local') return value.local;
    throw new Error('null test on an expression without a reference');
  }

  private lowerMember(expr: ast.MemberExpr, type: Type): IrExpr {
    const config = this.typed.resolutions.get(expr);
    if (config?.kind === 'config') return { op: 'symbol', name: config.config.cName, type };
    if (config?.kind === 'kernelField') return this.kernelField(expr, config.field.path.steps.at(-1)!.member.name, config.field.bitfield, type);
    if (config?.kind === 'probeArg') return { op: 'context', access: { kind: 'probeArg', index: config.index }, type };
    if (config?.kind === 'recordField') return { op: 'context', access: { kind: 'read', offset: BigInt(config.field.offset) }, type };
    if (this.isContextExpr(expr.object)) {
      return { op: 'context', access: { kind: 'field', name: expr.property.name }, type };
    }
    const element = this.mapElementPlace(expr);
    if (element) {
      const ref = this.lookup(element.map, element.index);
      return { op: 'elementValue', ref, path: element.path, type };
    }
    const object = this.lowerExpr(expr.object);
    const objectType = typeOf(object);
    return { op: 'field', object, field: expr.property.name, type, viaPointer: objectType.kind === 'pointer' };
  }

  private lowerCall(expr: ast.CallExpr, type: Type, asStatement: boolean): IrExpr {
    const { callee } = expr;
    if (callee.kind === 'MemberExpr') {
      if (this.isContextExpr(callee.object)) return this.lowerContextCall(expr, callee.property.name, type);
      const map = this.mapOf(callee.object)!;
      if (callee.property.name === 'redirect') {
        const [key, flags] = expr.args as [ast.Expr, ast.Expr];
        return { op: 'redirectMap', map, key: this.inType(this.lowerExpr(key), map.key!), flags: this.inType(this.lowerExpr(flags), INT_TYPES.u64), type };
      }
      if (callee.property.name === 'submit') {
        const value = this.addressable(this.lowerExpr(expr.args[0]!), map.value, `${map.declName}_event`);
        const result = asStatement ? null : this.temporary(`${map.declName}_submitted`, INT_TYPES.i64);
        this.emit({ op: 'ringSubmit', map, value, result });
        return result ? { op: 'local', local: result } : { op: 'zero', type: VOID };
      }
      const timeout = this.lowerExpr(expr.args[0]!);
      const handler = this.typed.resolutions.get(expr.args[1]!) as Extract<Resolution, { kind: 'function' }>;
      const result = asStatement ? null : this.temporary(`${map.declName}_polled`, INT_TYPES.i32);
      this.emit({ op: 'poll', map, handler: handler.fn.cName, timeout, result });
      return result ? { op: 'local', local: result } : { op: 'zero', type: VOID };
    }
    const resolution = this.resolution(callee as ast.Identifier);
    if (resolution.kind === 'function' || resolution.kind === 'kfunc') {
      const name = resolution.kind === 'function' ? resolution.fn.cName : resolution.kfunc.name;
      return { op: 'call', name, args: expr.args.map((a) => this.lowerExpr(a)), type };
    }
    const builtin = (resolution as Extract<Resolution, { kind: 'builtin' }>).builtin;
    const args = () => expr.args.map((a) => this.lowerExpr(a));
    switch (builtin.form.kind) {
      case 'format': {
        const [format, ...rest] = this.formatArgs(expr.args);
        const kernel = this.fn.side === 'kernel';
        // Userspace printf reads a [u8; N] only up to N bytes: `%-16s` becomes `%-16.16s` (the kernel's bpf_printk stops at N itself).
        const text = kernel ? format! : { op: 'string' as const, value: boundStringConversions((format as Extract<IrExpr, { op: 'string' }>).value, rest) };
        return { op: 'call', name: kernel ? builtin.cName : 'printf', args: [text, ...rest], type };
      }
      case 'probe-read':
        return { op: 'probeRead', helper: builtin.cName as ProbeReadHelper, target: this.destination(expr.args[0]!), source: this.lowerExpr(expr.args[1]!), type };
      case 'current-task':
        return { op: 'cast', value: { op: 'call', name: builtin.cName, args: [], type: INT_TYPES.u64 }, type };
      case 'field-exists': {
        // Relative to the struct the last kernel pointer on the way points to: that is what CO-RE relocates the test against.
        const field = expr.args[0]!;
        const read = this.lowerAny(field, false) as Extract<IrExpr, { op: 'kernelRead' }>;
        let object = (field as ast.MemberExpr).object;
        while (this.typed.types.get(object)?.kind !== 'kernel_pointer') object = (object as ast.MemberExpr | ast.IndexExpr).object;
        const root = (this.typed.types.get(object) as Extract<Type, { kind: 'kernel_pointer' }>).target;
        return { op: 'kernelFieldExists', root, path: read.path.slice(read.path.map((step) => 'deref' in step).lastIndexOf(true) + 1) };
      }
      case 'string-compare':
        return { op: 'stringCompare', value: this.lowerExpr(expr.args[0]!), literal: (expr.args[1] as ast.StringLiteral).value, prefix: builtin.form.prefix };
      case 'min-max':
        // Both arguments in the result type: C would compare a bare literal as int (-Wsign-compare).
        return { op: 'call', name: builtin.cName, args: expr.args.map((a) => this.inType(this.lowerExpr(a), type)), type };
      case 'program': {
        const program = (this.resolution(expr.args[0]!) as Extract<Resolution, { kind: 'program' }>).program;
        return { op: 'call', name: builtin.cName, args: [{ op: 'string', value: program.name }, ...expr.args.slice(1).map((a) => this.lowerExpr(a))], type };
      }
      case 'signature': {
        const lowered = args();
        if (!builtin.form.bufferSize) return { op: 'call', name: builtin.cName, args: lowered, type };
        // The helper also takes the size of the buffer it fills.
        const size = BigInt(sizeOf(typeOf(lowered[0]!)));
        return { op: 'call', name: builtin.cName, args: [...lowered, { op: 'int', value: size, type: INT_TYPES.u32 }], type };
      }
      case 'packet': {
        const [ctx, ...rest] = args();
        const params = builtin.form.params;
        // A reference parameter goes by address, followed by its size (bpf_fib_lookup(ctx, &params, sizeof(params), flags)).
        const lowered = rest.flatMap((arg, i): IrExpr[] => {
          if (!('reference' in params[i]!) || arg.op !== 'local') return [arg];
          arg.local.addressTaken = true;
          return [{ op: 'addressOf', value: arg, type: { kind: 'pointer', target: arg.local.type } }, { op: 'int', value: BigInt(sizeOf(arg.local.type)), type: INT_TYPES.u32 }];
        });
        return { op: 'call', name: builtin.cName, args: [ctx!, ...lowered], type };
      }
      case 'redirect':
        return { op: 'call', name: builtin.cName, args: args(), type };
      case 'header-checksum': {
        // A direct view is bounded by the end of the packet, a copy by its own end.
        const view = this.lowerExpr(expr.args[0]!);
        if (this.fn.context?.packet?.access === 'copy') return { op: 'call', name: `${builtin.cName}_copy`, args: [view], type };
        return { op: 'call', name: builtin.cName, args: [view, { op: 'context', access: { kind: 'packetEnd' }, type: VOID }], type };
      }
    }
  }

  private lowerContextCall(expr: ast.CallExpr, method: string, type: Type): IrExpr {
    const constant = (index: number) => (this.lowerExpr(expr.args[index]!) as Extract<IrExpr, { op: 'int' }>).value;
    switch (method) {
      case 'header':
      case 'meta': {
        const ref = this.temporary(method, type);
        this.emitView(expr, ref);
        return { op: 'local', local: ref };
      }
      case 'read':
        return { op: 'context', access: { kind: 'read', offset: constant(0) }, type };
      case 'str': {
        const field = (this.resolution(expr.args[0]!) as Extract<Resolution, { kind: 'recordField' }>).field;
        const source: IrExpr = { op: 'context', access: { kind: 'dataLocation', offset: field.offset, relative: field.dataLocation === 'field' }, type: INT_TYPES.u64 };
        return { op: 'probeRead', helper: 'bpf_probe_read_kernel_str', target: this.destination(expr.args[1]!), source, type };
      }
      case 'arg':
        return { op: 'context', access: { kind: 'arg', index: Number(constant(0)) }, type };
      case 'len':
        return { op: 'context', access: { kind: method }, type };
      case 'ret': {
        // Typed from the probed function's prototype: its parameter count says where fexit finds it.
        const prototype = this.typedReturn(type);
        return { op: 'context', access: prototype === null ? { kind: 'ret' } : { kind: 'probeRet', params: prototype }, type };
      }
      default:
        throw new Error(`unknown context method ${method}`);
    }
  }

  // ---------- kernel memory (LANGUAGE.md §13–§14) ----------

  /** `object.field` in kernel memory: one more step of the CO-RE read `object` is, or the first step from a kernel pointer. */
  private kernelField(expr: ast.MemberExpr, field: string, bitfield: boolean, type: Type): IrExpr {
    const object = this.lowerAny(expr.object, false);
    const objectType = typeOf(object);
    if (object.op === 'kernelRead' && objectType.kind !== 'kernel_pointer') return { ...object, path: [...object.path, { field, bitfield }], type };
    if (object.op === 'kernelRead') return { ...object, path: [...object.path, { deref: true }, { field, bitfield }], type };
    return { op: 'kernelRead', base: this.stable(object, 'kernel_pointer'), path: [{ field, bitfield }], type };
  }

  /** Where a helper writes (probe reads, ctx.str): a place of a local, a map element's part (inserted zeroed when absent), or a tail of either. */
  private destination(target: ast.Expr): IrPlace {
    if (target.kind === 'SliceExpr') {
      const array = this.destination(target.object);
      return { kind: 'tail', array, start: this.stable(this.lowerExpr(target.start), 'offset'), length: (placeType(array) as Extract<Type, { kind: 'array' }>).length };
    }
    const element = this.mapElementPlace(target);
    if (element) {
      const { map, index, path } = element;
      const key = this.keyLocal(map, index);
      const ref = this.temporary(`${map.declName}_elem`, { kind: 'pointer', target: map.value });
      const zero = this.zeroElement(map);
      this.emit({ op: 'mapElementRef', map, key, ref, zero });
      return { kind: 'element', ref, path, type: this.typed.types.get(target) ?? VOID };
    }
    const place = this.lowerExpr(target);
    if (place.op === 'local') place.local.addressTaken = true;
    return { kind: 'value', place };
  }

  /** The parameter count of the probed function when `ctx.ret()` is typed from its prototype; null for the untyped u64. */
  private typedReturn(type: Type): number | null {
    const program = this.fn.program;
    const kernel = kernelTypesOf(this.typed.symbols.global);
    if (!program?.target || !kernel || !CONTEXTS[program.info.context]?.probeArgs) return null;
    try {
      return kernel.prototype(program.target, program.decl.name.span, 'ctx.ret()').params.length;
    } catch {
      // The checker typed it u64: no prototype (kprobes without BTF).
      return type.kind === 'int' && type.name === 'u64' ? null : 0;
    }
  }

  // ---------- lookups into the checker's tables ----------

  private resolution(node: ast.Expr | ast.LetStmt | ast.ForRangeStmt | ast.ForEachStmt): Resolution {
    const resolution = this.typed.resolutions.get(node);
    if (!resolution) throw new Error(`unresolved ${node.kind} at ${node.span.start.line}:${node.span.start.column}`);
    return resolution;
  }

  private localOf(node: ast.LetStmt | ast.ForRangeStmt): LocalVariable {
    return (this.resolution(node) as Extract<Resolution, { kind: 'local' }>).local;
  }

  private mapOf(expr: ast.Expr): IrMap | null {
    const resolution = this.typed.resolutions.get(expr);
    return resolution?.kind === 'map' ? this.descriptions.maps.get(resolution.map)! : null;
  }

  private isContextExpr(expr: ast.Expr): boolean {
    return this.typed.resolutions.get(expr)?.kind === 'context';
  }

  /** `ctx.header<T>(offset)` or `ctx.meta<T>()`. */
  private isViewCall(expr: ast.CallExpr): boolean {
    return expr.callee.kind === 'MemberExpr' && VIEW_METHODS.has(expr.callee.property.name) && this.isContextExpr(expr.callee.object);
  }

  /** Declares `ref` as the view `call` takes: into the packet at an offset, or of the metadata before it. */
  private emitView(call: ast.CallExpr, ref: IrLocal): void {
    const method = (call.callee as ast.MemberExpr).property.name;
    if (method === 'meta') {
      this.emit({ op: 'packetView', ref, offset: { op: 'int', value: 0n, type: INT_TYPES.u32 }, copy: null, region: 'metadata' });
      return;
    }
    this.emit({ op: 'packetView', ref, offset: this.lowerExpr(call.args[0]!), copy: this.packetCopy(call, ref), region: 'packet' });
  }

  /** Where the context cannot read the packet directly (socket_filter, cgroup_skb), a view points at a stack copy. */
  private packetCopy(header: ast.CallExpr, ref: IrLocal): IrLocal | null {
    const context = this.typed.types.get((header.callee as ast.MemberExpr).object) as Extract<Type, { kind: 'context' }>;
    if (CONTEXTS[context.name]!.packet?.access !== 'copy') return null;
    const copy = this.temporary(`${ref.name}_copy`, (ref.type as Extract<Type, { kind: 'pointer' }>).target);
    copy.addressTaken = true;
    return copy;
  }
}

function declaredStructs(symbols: SymbolTable): StructType[] {
  const seen = new Set<string>();
  const ordered: StructType[] = [];
  const visit = (type: Type): void => {
    if (type.kind === 'array') return visit(type.element);
    if (type.kind === 'pointer') return visit(type.target);
    if (type.kind !== 'struct' || !type.cName.startsWith('struct ') || BUILTIN_C_STRUCTS.has(type.cName) || seen.has(type.name)) return;
    seen.add(type.name);
    for (const field of type.fields) visit(field.type);
    ordered.push(type);
  };
  const scopes = [symbols.global, ...symbols.programs.map((p) => p.scope), ...(symbols.userspace ? [symbols.userspace.scope] : [])];
  for (const scope of scopes) for (const type of scope.types.values()) visit(type);
  return ordered;
}

function declaredEnums(symbols: SymbolTable): EnumType[] {
  const scopes = [symbols.global, ...symbols.programs.map((p) => p.scope), ...(symbols.userspace ? [symbols.userspace.scope] : [])];
  const enums = new Map<string, EnumType>();
  for (const scope of scopes) for (const type of scope.types.values()) if (type.kind === 'enum') enums.set(type.name, type);
  return [...enums.values()];
}

const VIEW_METHODS: ReadonlySet<string> = new Set(['header', 'meta']);

/** The built-in header structs: C has them from the kernel's headers (or HEADER_C_DEFINITIONS). */
const BUILTIN_C_STRUCTS = new Set(Object.values(BUILTIN_STRUCTS).map((s) => s.cName));

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An array read from kernel memory or a tracepoint record: it has no C rvalue and is only ever copied into a place. */
function isCopyOnly(value: IrExpr): boolean {
  return typeOf(value).kind === 'array' && (value.op === 'kernelRead' || (value.op === 'context' && value.access.kind === 'read'));
}

/** `%s` conversions of [u8; N] arguments get the precision N, so printf never reads past the array. */
function boundStringConversions(format: string, args: IrExpr[]): string {
  const conversions = parseFormat(format, 'userspace') as FormatConversion[];
  let out = '';
  let at = 0;
  conversions.forEach((conversion, i) => {
    const type = args[i] ? typeOf(args[i]!) : null;
    if (conversion.letter !== 's' || type?.kind !== 'array' || conversion.text.includes('.')) return;
    out += format.slice(at, conversion.start) + `${conversion.text.slice(0, -1)}.${type.length}s`;
    at = conversion.start + conversion.text.length;
  });
  return out + format.slice(at);
}

