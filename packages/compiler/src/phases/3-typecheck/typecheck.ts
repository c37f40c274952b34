// Phase 4: type checking with the whole system in view. Gives every
// expression a type, resolves every name, enforces the integer rules, packet
// view null-safety, return paths and the kernel/userspace split.
import type * as ast from '../1-parse/ast.js';
import { CompileError, located, type DiagnosticBag } from '../../diagnostics/diagnostic.js';
import { BUILTIN_FUNCTIONS, MAX_PRINTK_ARGS, type BuiltinFunction } from '../../language/builtin-functions.js';
import { CONTEXTS, type ContextInfo } from '../../language/context-members.js';
import { PROTOCOL_CONSTANTS } from '../../language/headers.js';
import { ACTION_CONSTANTS, findActionConstant, findActionVariant, PROGRAM_KINDS } from '../../language/program-kinds.js';
import { didYouMean } from '../../util/suggest.js';
import { evaluateConst, scopeConstants, type ConstNames } from '../2-symbols/const-eval.js';
import { resolveType } from '../2-symbols/resolve-type.js';
import { lookup, visibleNames, type FunctionSymbol, type MapSymbol, type ProgramSymbol, type Scope, type SymbolTable } from '../2-symbols/symbol-table.js';
import {
  BOOL,
  INT_TYPES,
  NULL,
  STRING,
  VOID,
  integerView,
  intRange,
  isIntegerLike,
  sameType,
  typeName,
  type IntType,
  type Type,
} from '../2-symbols/types.js';
import type { LocalVariable, Resolution, TypedFunction, TypedSystem } from './typed-system.js';

export function typecheckSystem(symbols: SymbolTable, diagnostics: DiagnosticBag): TypedSystem {
  const system: TypedSystem = { symbols, functions: [], types: new Map(), resolutions: new Map(), tailCallSlots: new Map() };
  for (const fn of symbols.functions) {
    try {
      system.functions.push(new FunctionChecker(system, fn, diagnostics).check());
    } catch (error) {
      if (!(error instanceof CompileError)) throw error;
      diagnostics.items.push(error.diagnostic);
    }
  }
  return system;
}

/** Names in scope inside a function body, innermost block last. */
class LocalScopes {
  private readonly blocks: Map<string, LocalVariable>[] = [new Map()];

  push(): void {
    this.blocks.push(new Map());
  }

  pop(): void {
    this.blocks.pop();
  }

  add(local: LocalVariable): void {
    this.blocks[this.blocks.length - 1]!.set(local.name, local);
  }

  find(name: string): LocalVariable | undefined {
    for (let i = this.blocks.length - 1; i >= 0; i--) {
      const hit = this.blocks[i]!.get(name);
      if (hit) return hit;
    }
    return undefined;
  }

  names(): string[] {
    return this.blocks.flatMap((b) => [...b.keys()]);
  }
}

/** Facts a condition establishes about nullable locals. */
interface NullFacts {
  whenTrue: LocalVariable[];
  whenFalse: LocalVariable[];
}

const NO_FACTS: NullFacts = { whenTrue: [], whenFalse: [] };

class FunctionChecker {
  private readonly scope: Scope;
  private readonly program: ProgramSymbol | null;
  private readonly side: 'kernel' | 'userspace';
  private readonly locals = new LocalScopes();
  private readonly allLocals: LocalVariable[] = [];
  private readonly usedCNames = new Set<string>();
  /** Nullable pointers proven non-null at the current point. */
  private nonNull = new Set<LocalVariable>();
  private loopDepth = 0;

  constructor(
    private readonly system: TypedSystem,
    private readonly fn: FunctionSymbol,
    private readonly diagnostics: DiagnosticBag,
  ) {
    const { symbols } = system;
    this.side = fn.owner.kind === 'userspace' ? 'userspace' : 'kernel';
    this.program = fn.owner.kind === 'program' ? symbols.programs.find((p) => p.name === (fn.owner as { program: string }).program) ?? null : null;
    this.scope = this.program?.scope ?? (fn.owner.kind === 'userspace' ? symbols.userspace!.scope : symbols.global);
  }

  check(): TypedFunction {
    const params = this.fn.params.map((p) => this.declareLocal(p.name, p.type, p.span, { isParam: true }));
    this.checkBlock(this.fn.decl.body, false);
    if (this.fn.returnType.kind !== 'void' && !alwaysExits(this.fn.decl.body)) {
      throw located(
        `not every path of '${this.fn.name}' returns a value`,
        closingBrace(this.fn.decl.body),
        `help: end the function with a return of type ${typeName(this.fn.returnType)}`,
      );
    }
    return { symbol: this.fn, side: this.side, program: this.program, params, locals: this.allLocals };
  }

  // ---------- statements ----------

  private checkBlock(block: ast.Block, pushScope = true): void {
    if (pushScope) this.locals.push();
    const saved = new Set(this.nonNull);
    for (const stmt of block.statements) this.checkStmt(stmt);
    if (block.result) throw located('a block ending in an expression is only allowed as a match arm; add `;`', block.result.span);
    if (pushScope) this.locals.pop();
    // Facts learned inside the block about outer locals stay valid only if the block always runs; keep the outer set.
    this.nonNull = saved;
  }

  private checkStmt(stmt: ast.Stmt): void {
    switch (stmt.kind) {
      case 'LetStmt':
        return this.checkLet(stmt);
      case 'AssignStmt':
        return this.checkAssign(stmt);
      case 'ExprStmt':
        if (stmt.expr.kind === 'MatchExpr') this.checkMatch(stmt.expr, null);
        else this.checkExpr(stmt.expr, null);
        return;
      case 'IfStmt':
        return this.checkIf(stmt);
      case 'ForRangeStmt': {
        const start = this.checkExpr(stmt.start, null);
        const end = this.checkExpr(stmt.end, integerView(start) ?? null);
        const type = this.unify(start, end, stmt.start, stmt.end);
        if (!isIntegerLike(type)) throw located(`a for range needs integer bounds, not ${typeName(type)}`, stmt.start.span);
        this.locals.push();
        const variable = this.declareLocal(stmt.variable.name, type, stmt.variable.span, { isConst: true });
        this.system.resolutions.set(stmt, { kind: 'local', local: variable });
        this.inLoop(() => this.checkBlock(stmt.body));
        this.locals.pop();
        return;
      }
      case 'ForEachStmt':
        return this.checkForEach(stmt);
      case 'WhileStmt':
        this.expect(this.checkExpr(stmt.condition, BOOL), BOOL, stmt.condition);
        this.inLoop(() => this.checkBlock(stmt.body));
        return;
      case 'ReturnStmt':
        return this.checkReturn(stmt);
      case 'BreakStmt':
      case 'ContinueStmt':
        if (this.loopDepth === 0) throw located(`'${stmt.kind === 'BreakStmt' ? 'break' : 'continue'}' outside of a loop`, stmt.span);
        return;
      case 'DeleteStmt': {
        const map = this.mapOf(stmt.target.object);
        if (!map) throw located('delete takes a map element: delete m[key];', stmt.target.span);
        if (!map.kind.deletable) throw located(`elements of ${map.kind.sourceName} '${map.name}' cannot be deleted; set them to zero instead`, stmt.span);
        this.system.resolutions.set(stmt.target.object, { kind: 'map', map });
        this.checkMapKey(map, stmt.target.index);
        this.system.types.set(stmt.target, map.value);
        return;
      }
      case 'Block':
        return this.checkBlock(stmt);
    }
  }

  private inLoop(body: () => void): void {
    this.loopDepth++;
    try {
      body();
    } finally {
      this.loopDepth--;
    }
  }

  private checkLet(stmt: ast.LetStmt): void {
    if (this.mapOf({ kind: 'Identifier', name: stmt.name.name, span: stmt.name.span })) {
      throw located(`'${stmt.name.name}' is a map; choose another name for the local`, stmt.name.span);
    }
    const declared = stmt.type ? this.resolveType(stmt.type) : null;
    let type: Type;
    if (stmt.init.kind === 'MatchExpr') {
      type = this.checkMatch(stmt.init, declared, true);
    } else {
      type = this.checkExpr(stmt.init, declared);
    }
    if (declared) {
      this.expect(type, declared, stmt.init);
      type = declared;
    }
    if (type.kind === 'null' || type.kind === 'void' || type.kind === 'string') {
      throw located(`cannot bind a value of type ${typeName(type)} to a local`, stmt.init.span);
    }
    const fromMapElement = stmt.init.kind === 'IndexExpr' && this.mapOf(stmt.init.object) !== undefined;
    const local = this.declareLocal(stmt.name.name, type, stmt.name.span, { isConst: stmt.isConst, fromMapElement });
    this.system.resolutions.set(stmt, { kind: 'local', local });
  }

  private checkAssign(stmt: ast.AssignStmt): void {
    const target = stmt.target;
    let targetType: Type;
    if (target.kind === 'Identifier') {
      const local = this.locals.find(target.name);
      if (!local) {
        this.checkExpr(target, null);
        throw located(`cannot assign to '${target.name}'`, target.span);
      }
      if (local.isConst) throw located(`cannot assign to '${target.name}': it is a constant`, target.span);
      targetType = this.checkExpr(target, null);
    } else if (target.kind === 'IndexExpr' || target.kind === 'MemberExpr') {
      targetType = this.checkPlace(target);
    } else {
      throw located('the left side of an assignment must be a local, a field, an array element or a map element', target.span);
    }
    const valueType = this.checkExpr(stmt.value, targetType);
    if (stmt.op === '=') {
      this.expect(valueType, targetType, stmt.value);
      return;
    }
    if (!isIntegerLike(targetType)) throw located(`'${stmt.op}' needs an integer target, not ${typeName(targetType)}`, target.span);
    if (stmt.op === '<<=' || stmt.op === '>>=') {
      if (!isIntegerLike(valueType)) throw located(`shift amounts are integers, not ${typeName(valueType)}`, stmt.value.span);
      this.checkShiftAmount(integerView(targetType)!, stmt.value);
    } else {
      this.expect(valueType, integerView(targetType)!, stmt.value);
    }
    this.checkDivisor(stmt.op === '/=' ? '/' : stmt.op === '%=' ? '%' : null, stmt.value);
    if (stmt.op === '/=' || stmt.op === '%=') this.refuseSignedDivision(stmt.op, targetType, stmt.span);
  }

  /** Type of an assignable place (`a[i]`, `m[k]`, `s.f`, `m[k].f`, `ctx.mark`). */
  private checkPlace(target: ast.IndexExpr | ast.MemberExpr): Type {
    if (target.kind === 'MemberExpr' && this.isContext(target.object)) {
      const type = this.checkExpr(target, null);
      const field = this.contextOf(target.object).fields[target.property.name];
      if (!field?.writable) throw located(`ctx.${target.property.name} is read-only here`, target.span);
      return type;
    }
    const root = placeRoot(target);
    if (root.kind === 'Identifier') {
      const local = this.locals.find(root.name);
      if (local?.isConst) throw located(`cannot assign into '${root.name}': it is a constant`, root.span);
      if (local?.type.kind === 'pointer') throw located('packet views are read-only', target.span);
    }
    return this.checkExpr(target, null);
  }

  private checkIf(stmt: ast.IfStmt): void {
    const facts = this.checkCondition(stmt.condition);
    const before = new Set(this.nonNull);
    this.withFacts(facts.whenTrue, () => this.checkBlock(stmt.then));
    const otherwise = stmt.otherwise;
    if (otherwise) this.withFacts(facts.whenFalse, () => (otherwise.kind === 'Block' ? this.checkBlock(otherwise) : this.checkIf(otherwise)));
    this.nonNull = before;
    // `if p == null { return ...; }` proves p non-null for the rest of the block.
    if (alwaysExits(stmt.then)) for (const local of facts.whenFalse) this.nonNull.add(local);
    if (stmt.otherwise && alwaysExits(stmt.otherwise)) for (const local of facts.whenTrue) this.nonNull.add(local);
  }

  private withFacts(facts: LocalVariable[], body: () => void): void {
    const before = new Set(this.nonNull);
    for (const local of facts) this.nonNull.add(local);
    body();
    this.nonNull = before;
  }

  private checkCondition(condition: ast.Expr): NullFacts {
    this.expect(this.checkExpr(condition, BOOL), BOOL, condition);
    return nullFacts(condition, (e) => this.nullableLocal(e));
  }

  private nullableLocal(expr: ast.Expr): LocalVariable | null {
    if (expr.kind !== 'Identifier') return null;
    const local = this.locals.find(expr.name);
    return local && local.type.kind === 'pointer' ? local : null;
  }

  private checkForEach(stmt: ast.ForEachStmt): void {
    if (this.side !== 'userspace') throw located('iterating a map with for (k, v) in m is only possible in userspace', stmt.span);
    const map = this.mapOf(stmt.iterable);
    if (!map || !map.key || !map.kind.iterable) throw located('for (k, v) in ... iterates a map with keys', stmt.iterable.span);
    this.system.resolutions.set(stmt.iterable, { kind: 'map', map });
    this.locals.push();
    const key = this.declareLocal(stmt.key.name, map.key, stmt.key.span, { isConst: true });
    const value = this.declareLocal(stmt.value.name, map.value, stmt.value.span, { isConst: true });
    this.system.resolutions.set(stmt, { kind: 'iteration', key, value, map });
    this.inLoop(() => this.checkBlock(stmt.body));
    this.locals.pop();
  }

  private checkReturn(stmt: ast.ReturnStmt): void {
    const expected = this.fn.returnType;
    if (!stmt.value) {
      if (expected.kind !== 'void') throw located(`'${this.fn.name}' must return ${typeName(expected)}`, stmt.span);
      return;
    }
    if (stmt.value.kind === 'TailCallExpr') return this.checkTailCall(stmt.value, expected);
    if (expected.kind === 'action') return this.checkActionValue(stmt.value, expected.name);
    this.expect(this.checkExpr(stmt.value, expected), expected, stmt.value);
    this.checkReturnRange(stmt.value);
  }

  /** A constant result of a program's main must be one the kernel accepts (cgroup_skb: 0 or 1). */
  private checkReturnRange(value: ast.Expr): void {
    const range = this.program && this.program.main === this.fn ? this.program.info.returnRange : null;
    if (!range) return;
    let result: unknown;
    try {
      result = evaluateConst(value, this.constants);
    } catch {
      return;
    }
    if (typeof result === 'bigint' && (result < BigInt(range[0]) || result > BigInt(range[1]))) {
      throw located(`a ${this.program!.info.kind} program returns ${range[0]} to ${range[1]}, not ${result}`, value.span);
    }
  }

  /** A return value of an XDP/TC program: a constant of the right family, or an integer (with a warning). */
  private checkActionValue(expr: ast.Expr, action: 'XdpAction' | 'TcAction'): void {
    const type = this.checkExpr(expr, { kind: 'action', name: action });
    if (type.kind === 'action') {
      if (type.name !== action) {
        const constant = expr.kind === 'Identifier' ? expr.name : expr.kind === 'PathExpr' ? expr.segments.map((s) => s.name).join('::') : 'this value';
        throw located(
          `${constant} is a ${type.name} constant, but this program returns ${action}`,
          expr.span,
          `help: use one of ${Object.keys(ACTION_CONSTANTS[action]).join(', ')}`,
        );
      }
      return;
    }
    if (expr.kind === 'IntLiteral') {
      const entry = Object.entries(ACTION_CONSTANTS[action]).find(([, info]) => BigInt(info.value) === expr.value);
      if (!entry) throw located(`${expr.value} is not a valid ${action}`, expr.span, `help: use one of ${Object.keys(ACTION_CONSTANTS[action]).join(', ')}`);
      this.diagnostics.warning(`returning the integer ${expr.value}; write ${entry[0]}`, expr.span);
      return;
    }
    if (!isIntegerLike(type)) throw located(`expected ${action}, found ${typeName(type)}`, expr.span);
  }

  private checkTailCall(call: ast.TailCallExpr, expected: Type): void {
    if (!this.program) throw located('tail_call is only possible in a program', call.span);
    const ctx = this.checkExpr(call.context, null);
    if (ctx.kind !== 'context') throw located('the first argument of tail_call is the program context (ctx)', call.context.span);
    const target = this.system.symbols.programs.find((p) => p.name === call.target.name);
    if (!target) {
      throw located(`unknown program '${call.target.name}'`, call.target.span, ...didYouMean(call.target.name, this.system.symbols.programs.map((p) => p.name)));
    }
    if (target.info.kind !== this.program.info.kind) {
      throw located(`tail_call jumps between programs of the same kind: '${target.name}' is ${target.info.kind}, this is ${this.program.info.kind}`, call.target.span);
    }
    if (!this.system.tailCallSlots.has(target.name)) this.system.tailCallSlots.set(target.name, this.system.tailCallSlots.size);
    if (call.fallback) {
      if (expected.kind === 'action') this.checkActionValue(call.fallback, expected.name);
      else this.expect(this.checkExpr(call.fallback, expected), expected, call.fallback);
    }
    this.system.types.set(call, expected);
  }

  // ---------- match ----------

  /** Type-checks a match; as an expression (`expected` given or value used) every arm yields a value. */
  private checkMatch(match: ast.MatchExpr, expected: Type | null, asValue = expected !== null): Type {
    const subject = this.checkExpr(match.subject, null);
    if (!isIntegerLike(subject) && subject.kind !== 'bool') throw located(`match works on integers and enums, not ${typeName(subject)}`, match.subject.span);
    const seen = new Set<string>();
    let resultType: Type | null = expected;
    let hasWildcard = false;
    for (const arm of match.arms) {
      if (arm.patterns.length === 0) {
        if (hasWildcard) throw located('only one `_` arm is allowed', arm.span);
        hasWildcard = true;
      } else if (hasWildcard) {
        throw located('this arm can never match: it comes after `_`', arm.span);
      }
      for (const pattern of arm.patterns) {
        this.expect(this.checkExpr(pattern, subject), subject, pattern);
        const value = String(evaluateConst(pattern, this.constants));
        if (seen.has(value)) throw located(`this value is already matched by an earlier arm`, pattern.span);
        seen.add(value);
      }
      const bodyType = this.checkArmBody(arm.body, resultType, asValue);
      if (asValue && bodyType && !resultType) resultType = bodyType;
    }
    if (asValue && !hasWildcard) throw located('a match used as a value needs a `_` arm', match.span);
    const type = asValue ? (resultType ?? VOID) : VOID;
    this.system.types.set(match, type);
    return type;
  }

  /** Returns the arm's value type; null when the arm leaves (return). */
  private checkArmBody(body: ast.Block | ast.ReturnStmt | ast.Expr, expected: Type | null, asValue: boolean): Type | null {
    if (body.kind === 'ReturnStmt') {
      this.checkReturn(body);
      return null;
    }
    if (body.kind === 'Block') {
      this.locals.push();
      for (const stmt of body.statements) this.checkStmt(stmt);
      let type: Type | null = null;
      if (body.result) {
        if (!asValue) throw located('a match used as a statement yields no value; add `;`', body.result.span);
        type = this.checkExpr(body.result, expected);
        if (expected) this.expect(type, expected, body.result);
      } else if (asValue && !alwaysExits(body)) {
        throw located('this arm must end in a value (an expression without `;`)', closingBrace(body));
      }
      this.locals.pop();
      return type;
    }
    const type = body.kind === 'MatchExpr' ? this.checkMatch(body, expected, asValue) : this.checkExpr(body, expected);
    if (expected && asValue) this.expect(type, expected, body);
    return type;
  }

  // ---------- expressions ----------

  private checkExpr(expr: ast.Expr, expected: Type | null): Type {
    const type = this.exprType(expr, expected);
    this.system.types.set(expr, type);
    return type;
  }

  private exprType(expr: ast.Expr, expected: Type | null): Type {
    switch (expr.kind) {
      case 'IntLiteral':
        return this.literalType(expr.value, expected, expr.span);
      case 'BoolLiteral':
        return BOOL;
      case 'CharLiteral':
        return expected && isIntegerLike(expected) && expected.kind === 'int' ? this.literalType(BigInt(expr.value), expected, expr.span) : { kind: 'char' };
      case 'StringLiteral':
        return STRING;
      case 'NullLiteral':
        return NULL;
      case 'Identifier':
        return this.checkIdentifier(expr, expected);
      case 'PathExpr':
        return this.checkPath(expr);
      case 'UnaryExpr':
        return this.checkUnary(expr, expected);
      case 'BinaryExpr':
        return this.checkBinary(expr, expected);
      case 'CastExpr': {
        const target = this.resolveType(expr.type);
        const from = this.checkExpr(expr.expr, null);
        const castable = (t: Type) => isIntegerLike(t) || t.kind === 'bool';
        if (!castable(from) || !(isIntegerLike(target) || target.kind === 'bool')) {
          throw located(`cannot cast ${typeName(from)} to ${typeName(target)}`, expr.span);
        }
        return target;
      }
      case 'CallExpr':
        return this.checkCall(expr, expected);
      case 'MemberExpr':
        return this.checkMember(expr);
      case 'IndexExpr':
        return this.checkIndex(expr);
      case 'StructLiteral':
        return this.checkStructLiteral(expr);
      case 'ArrayLiteral': {
        const element = expected?.kind === 'array' ? expected.element : null;
        if (expr.elements.length === 0) throw located('an array literal needs at least one element; use [0; N] for zeroes', expr.span);
        const first = this.checkExpr(expr.elements[0]!, element);
        const elementType = element ?? first;
        for (const e of expr.elements) this.expect(this.checkExpr(e, elementType), elementType, e);
        if (expected?.kind === 'array' && expected.length !== expr.elements.length) {
          throw located(`expected ${expected.length} elements, found ${expr.elements.length}`, expr.span);
        }
        return { kind: 'array', element: elementType, length: expr.elements.length };
      }
      case 'ArrayRepeatLiteral': {
        const element = expected?.kind === 'array' ? expected.element : null;
        const elementType = this.checkExpr(expr.value, element);
        const count = evaluateConst(expr.count, this.constants);
        if (typeof count !== 'bigint' || count <= 0n) throw located('the repeat count must be a positive integer constant', expr.count.span);
        return { kind: 'array', element: element ?? elementType, length: Number(count) };
      }
      case 'MatchExpr':
        return this.checkMatch(expr, expected, true);
      case 'TailCallExpr':
        throw located('tail_call can only be returned: return tail_call(ctx, program) else FALLBACK;', expr.span);
    }
  }

  private literalType(value: bigint, expected: Type | null, span: ast.Span): Type {
    const target = expected && expected.kind !== 'bool' ? integerView(expected) : null;
    if (target && expected!.kind !== 'action') {
      const [min, max] = intRange(target);
      if (value < min || value > max) throw located(`${value} does not fit in ${target.name} (${min}..${max})`, span);
      return expected!.kind === 'enum' ? target : expected!;
    }
    // Untyped literals: u32 unless the value needs more (LANGUAGE §3, docs/language.md).
    if (value >= 0n) return value <= 0xffff_ffffn ? INT_TYPES.u32 : value <= 0xffff_ffff_ffff_ffffn ? INT_TYPES.u64 : tooBig(value, span);
    return value >= -(1n << 31n) ? INT_TYPES.i32 : value >= -(1n << 63n) ? INT_TYPES.i64 : tooBig(value, span);
  }

  private checkIdentifier(expr: ast.Identifier, expected: Type | null): Type {
    const resolution = this.resolveName(expr, expected);
    this.system.resolutions.set(expr, resolution);
    switch (resolution.kind) {
      case 'local':
        return resolution.local.type;
      case 'constant':
        return resolution.type;
      case 'action':
        return { kind: 'action', name: findActionConstant(resolution.constant)!.action };
      case 'config':
        return resolution.config.type;
      case 'context':
        return this.fn.params[0]!.type;
      case 'map':
        throw located(`'${expr.name}' is a map; read an element with ${expr.name}[key]`, expr.span);
      case 'function':
      case 'builtin':
        throw located(`'${expr.name}' is a function; call it with ${expr.name}(...)`, expr.span);
      case 'program':
      case 'iteration':
        throw located(`'${expr.name}' is a program`, expr.span);
    }
  }

  private resolveName(expr: ast.Identifier, expected: Type | null): Resolution {
    const local = this.locals.find(expr.name);
    if (local) {
      if (local.isParam && local.type.kind === 'context') return { kind: 'context' };
      return { kind: 'local', local };
    }
    const constant = lookup(this.scope, 'consts', expr.name);
    if (constant) {
      const type = typeof constant.value === 'bigint' && expected && isIntegerLike(expected) && expected.kind === 'int' ? this.literalType(constant.value, expected, expr.span) : constant.type;
      return { kind: 'constant', value: constant.value, type, cName: constant.name };
    }
    const action = findActionConstant(expr.name);
    if (action) return { kind: 'action', constant: action.constant, value: action.value };
    const protocol = PROTOCOL_CONSTANTS[expr.name];
    if (protocol) {
      const type = expected && expected.kind === 'int' ? this.literalType(BigInt(protocol.value), expected, expr.span) : INT_TYPES[protocol.type];
      return { kind: 'constant', value: BigInt(protocol.value), type, cName: expr.name };
    }
    const map = lookup(this.scope, 'maps', expr.name);
    if (map) return { kind: 'map', map };
    const fn = lookup(this.scope, 'functions', expr.name);
    if (fn) return { kind: 'function', fn };
    const builtin = BUILTIN_FUNCTIONS[expr.name];
    if (builtin) return { kind: 'builtin', builtin };
    const candidates = [
      ...this.locals.names(),
      ...visibleNames(this.scope, 'consts'),
      ...visibleNames(this.scope, 'maps'),
      ...Object.keys(ACTION_CONSTANTS.XdpAction),
      ...Object.keys(ACTION_CONSTANTS.TcAction),
      ...Object.keys(PROTOCOL_CONSTANTS),
    ];
    throw located(`unknown name '${expr.name}'`, expr.span, ...didYouMean(expr.name, candidates));
  }

  private checkPath(expr: ast.PathExpr): Type {
    const [first, second] = expr.segments;
    if (expr.segments.length !== 2) throw located('a path has two parts: Enum::Variant or program::map', expr.span);
    const action = findActionVariant(first!.name, second!.name);
    if (action) {
      this.system.resolutions.set(expr, { kind: 'action', constant: action.constant, value: action.value });
      return { kind: 'action', name: action.action };
    }
    const type = lookup(this.scope, 'types', first!.name);
    if (type?.kind === 'enum') {
      const value = type.values.get(second!.name);
      if (value === undefined) throw located(`enum ${type.name} has no variant '${second!.name}'`, second!.span, ...didYouMean(second!.name, type.values.keys()));
      this.system.resolutions.set(expr, { kind: 'constant', value, type, cName: `${type.name}_${second!.name}` });
      return type;
    }
    const map = this.mapOf(expr);
    if (map) throw located(`'${map.name}' is a map; read an element with ${map.name}[key]`, expr.span);
    throw located(`unknown name '${first!.name}::${second!.name}'`, expr.span);
  }

  private checkUnary(expr: ast.UnaryExpr, expected: Type | null): Type {
    if (expr.op === '-' && expr.operand.kind === 'IntLiteral') {
      // `-5` is one literal, so `let x: i8 = -128;` fits.
      return this.literalType(-expr.operand.value, expected, expr.span);
    }
    const operand = this.checkExpr(expr.operand, expr.op === '!' ? BOOL : expected);
    if (expr.op === '!') {
      this.expect(operand, BOOL, expr.operand);
      return BOOL;
    }
    const view = integerView(operand);
    if (!view || operand.kind === 'bool') throw located(`'${expr.op}' needs an integer, not ${typeName(operand)}`, expr.operand.span);
    return view;
  }

  private checkBinary(expr: ast.BinaryExpr, expected: Type | null): Type {
    const { op } = expr;
    if (op === '&&' || op === '||') {
      this.expect(this.checkExpr(expr.left, BOOL), BOOL, expr.left);
      // The right side runs only when the left did not decide: facts from the left hold there.
      const facts = nullFacts(expr.left, (e) => this.nullableLocal(e));
      this.withFacts(op === '&&' ? facts.whenTrue : facts.whenFalse, () => this.expect(this.checkExpr(expr.right, BOOL), BOOL, expr.right));
      return BOOL;
    }
    if ((op === '==' || op === '!=') && (expr.left.kind === 'NullLiteral' || expr.right.kind === 'NullLiteral')) {
      const tested = expr.left.kind === 'NullLiteral' ? expr.right : expr.left;
      this.checkNullTest(tested);
      this.checkExpr(expr.left.kind === 'NullLiteral' ? expr.left : expr.right, null);
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
      left = this.checkExpr(expr.left, hint);
      right = this.checkExpr(expr.right, shift ? null : integerView(left) ?? (left.kind === 'bool' ? BOOL : null));
    } else {
      right = this.checkExpr(expr.right, hint);
      left = this.checkExpr(expr.left, integerView(right) ?? (right.kind === 'bool' ? BOOL : null));
    }
    if (comparison && left.kind === 'bool' && right.kind === 'bool' && (op === '==' || op === '!=')) return BOOL;
    if (!isIntegerLike(left)) throw located(`'${op}' needs integers, not ${typeName(left)}`, expr.left.span);
    if (!isIntegerLike(right)) throw located(`'${op}' needs integers, not ${typeName(right)}`, expr.right.span);
    if (shift) {
      this.checkShiftAmount(integerView(left)!, expr.right);
      return integerView(left)!;
    }
    this.checkDivisor(op === '/' || op === '%' ? op : null, expr.right);
    if (comparison && left.kind === 'enum' && right.kind === 'enum' && left.name !== right.name) {
      throw located(`cannot compare ${left.name} with ${right.name}`, expr.span);
    }
    const type = this.unify(left, right, expr.left, expr.right);
    if (op === '/' || op === '%') this.refuseSignedDivision(op, type, expr.span);
    return comparison ? BOOL : type;
  }

  /** clang 14 cannot emit BPF signed division (`sdiv`): refuse it here, with the fix, instead of letting clang crash. */
  private refuseSignedDivision(op: '/' | '%' | '/=' | '%=', type: Type, span: ast.Span): void {
    if (this.side !== 'kernel' || type.kind !== 'int' || !type.signed) return;
    const unsigned = `u${type.size * 8}`;
    throw located(
      `'${op}' on signed ${typeName(type)} values is not available in eBPF programs: clang's BPF target has no signed division`,
      span,
      `help: divide unsigned values, e.g. \`(a as ${unsigned}) ${op.replace('=', '')} (b as ${unsigned})\`, and handle the sign yourself`,
    );
  }

  /** A constant shift amount must be below the width of the shifted type: C leaves larger ones undefined. */
  private checkShiftAmount(shifted: IntType, amount: ast.Expr): void {
    let value: unknown = null;
    try {
      value = evaluateConst(amount, this.constants);
    } catch {
      return;
    }
    const bits = shifted.size * 8;
    if (typeof value === 'bigint' && (value < 0n || value >= BigInt(bits))) {
      const widen = value > 0n && value < 64n ? [`help: widen the value first, e.g. (value as u64) << ${value}`] : [];
      throw located(`cannot shift a ${typeName(shifted)} by ${value}: shift amounts go from 0 to ${bits - 1}`, amount.span, ...widen);
    }
  }

  private checkDivisor(op: '/' | '%' | null, divisor: ast.Expr): void {
    if (!op) return;
    let value: unknown = null;
    try {
      value = evaluateConst(divisor, this.constants);
    } catch {
      return;
    }
    if (value === 0n) throw located(op === '/' ? 'division by zero' : 'modulo by zero', divisor.span);
  }

  /** `x == null`: x is a nullable packet view, a map element, or a local bound from one. */
  private checkNullTest(tested: ast.Expr): void {
    const type = this.checkExpr(tested, null);
    if (type.kind === 'pointer') return;
    if (tested.kind === 'IndexExpr' && this.mapOf(tested.object)) return;
    if (tested.kind === 'Identifier') {
      const local = this.locals.find(tested.name);
      if (local?.fromMapElement) return;
    }
    throw located(`a ${typeName(type)} is never null`, tested.span, 'note: null tests apply to packet views (ctx.header) and map elements (m[k] == null)');
  }

  private checkMember(expr: ast.MemberExpr): Type {
    if (this.isContext(expr.object)) {
      this.checkExpr(expr.object, null);
      const context = this.contextOf(expr.object);
      const field = context.fields[expr.property.name];
      if (!field) {
        throw located(`${context.name} has no field '${expr.property.name}'`, expr.property.span, ...didYouMean(expr.property.name, Object.keys(context.fields)));
      }
      return field.type;
    }
    if (expr.object.kind === 'Identifier' && expr.object.name === 'config' && !this.locals.find('config')) {
      const config = lookup(this.scope, 'config', expr.property.name);
      if (!config) throw located(`no config field '${expr.property.name}'`, expr.property.span, ...didYouMean(expr.property.name, visibleNames(this.scope, 'config')));
      if (this.side === 'userspace') throw located('config is set by the loader before load; read it in kernel programs', expr.span);
      this.system.resolutions.set(expr, { kind: 'config', config });
      return config.type;
    }
    const object = this.checkExpr(expr.object, null);
    let struct: Type = object;
    if (object.kind === 'pointer') {
      const local = this.nullableLocal(expr.object);
      if (local && !this.nonNull.has(local)) {
        throw located(
          `'${local.name}' may be null here: ctx.header returns null when the packet is too short`,
          expr.object.span,
          `help: check it first: if ${local.name} == null { return ${this.fallbackReturn()}; }`,
        );
      }
      struct = object.target;
    }
    if (struct.kind !== 'struct') throw located(`${typeName(object)} has no fields`, expr.span);
    const field = struct.fields.find((f) => f.name === expr.property.name);
    if (!field) throw located(`${struct.name} has no field '${expr.property.name}'`, expr.property.span, ...didYouMean(expr.property.name, struct.fields.map((f) => f.name)));
    return field.type;
  }

  private fallbackReturn(): string {
    const returns = this.fn.returnType;
    if (returns.kind === 'action') return returns.name === 'XdpAction' ? 'XDP_PASS' : 'TC_ACT_OK';
    return '0';
  }

  private checkIndex(expr: ast.IndexExpr): Type {
    const map = this.mapOf(expr.object);
    if (map) {
      if (map.kind.access !== 'keyed') throw located(`elements of ${map.kind.sourceName} '${map.name}' cannot be read or written by key`, expr.span);
      this.system.resolutions.set(expr.object, { kind: 'map', map });
      this.checkMapKey(map, expr.index);
      return map.value;
    }
    const array = this.checkExpr(expr.object, null);
    if (array.kind !== 'array') throw located(`cannot index a ${typeName(array)}`, expr.object.span);
    const index = this.checkExpr(expr.index, INT_TYPES.u32);
    if (!isIntegerLike(index)) throw located(`array indexes are integers, not ${typeName(index)}`, expr.index.span);
    try {
      const value = evaluateConst(expr.index, this.constants);
      if (typeof value === 'bigint' && (value < 0n || value >= BigInt(array.length))) {
        throw located(`index ${value} is out of bounds for an array of ${array.length}`, expr.index.span);
      }
    } catch (error) {
      if (error instanceof CompileError && error.diagnostic.message.startsWith('index')) throw error;
    }
    return array.element;
  }

  private checkMapKey(map: MapSymbol, key: ast.Expr): void {
    if (this.side === 'kernel' && map.program !== null && map.program !== this.program?.name) {
      throw located(`map '${map.name}' is local to program '${map.program}'`, key.span);
    }
    this.expect(this.checkExpr(key, map.key), map.key!, key);
  }

  private checkStructLiteral(expr: ast.StructLiteral): Type {
    const type = lookup(this.scope, 'types', expr.name.name);
    if (!type || type.kind !== 'struct') throw located(`unknown struct '${expr.name.name}'`, expr.name.span, ...didYouMean(expr.name.name, visibleNames(this.scope, 'types')));
    const given = new Set<string>();
    for (const field of expr.fields) {
      const declared = type.fields.find((f) => f.name === field.name.name);
      if (!declared) throw located(`${type.name} has no field '${field.name.name}'`, field.name.span, ...didYouMean(field.name.name, type.fields.map((f) => f.name)));
      if (given.has(field.name.name)) throw located(`field '${field.name.name}' is given twice`, field.name.span);
      given.add(field.name.name);
      this.expect(this.checkExpr(field.value, declared.type), declared.type, field.value);
    }
    return type;
  }

  // ---------- calls ----------

  private checkCall(expr: ast.CallExpr, expected: Type | null): Type {
    const { callee } = expr;
    if (callee.kind === 'MemberExpr') return this.checkMethodCall(expr, callee);
    if (callee.kind !== 'Identifier') throw located('only functions can be called', callee.span);
    if (callee.name === 'tail_call') throw located('tail_call can only be returned: return tail_call(ctx, program) else FALLBACK;', expr.span);
    const resolution = this.resolveCallee(callee);
    this.system.resolutions.set(callee, resolution);
    if (resolution.kind === 'builtin') return this.checkBuiltinCall(expr, resolution.builtin, expected);
    const fn = resolution.fn;
    if (fn.name === 'main' && fn.owner.kind === 'program') throw located(`a program's main cannot be called; use tail_call to jump to another program`, callee.span);
    if (this.side === 'kernel' && fn.owner.kind === 'userspace') throw located(`'${fn.name}' is a userspace function`, callee.span);
    if (expr.args.length !== fn.params.length) throw located(`'${fn.name}' takes ${fn.params.length} argument(s), found ${expr.args.length}`, expr.span);
    expr.args.forEach((arg, i) => this.expect(this.checkExpr(arg, fn.params[i]!.type), fn.params[i]!.type, arg));
    return fn.returnType;
  }

  private resolveCallee(callee: ast.Identifier): Extract<Resolution, { kind: 'function' | 'builtin' }> {
    const fn = lookup(this.scope, 'functions', callee.name);
    if (fn) return { kind: 'function', fn };
    const builtin = BUILTIN_FUNCTIONS[callee.name];
    if (builtin && (builtin.side === 'both' || builtin.side === this.side)) return { kind: 'builtin', builtin };
    if (builtin) throw located(`${callee.name}() is only available in ${builtin.side === 'kernel' ? 'kernel programs' : 'userspace'}`, callee.span);
    const known = [
      ...visibleNames(this.scope, 'functions'),
      ...Object.values(BUILTIN_FUNCTIONS).filter((b) => b.side === 'both' || b.side === this.side).map((b) => b.name),
    ];
    throw located(`unknown function '${callee.name}'`, callee.span, ...didYouMean(callee.name, known));
  }

  private checkBuiltinCall(expr: ast.CallExpr, builtin: BuiltinFunction, expected: Type | null): Type {
    const { args } = expr;
    switch (builtin.name) {
      case 'print':
      case 'bpf_printk': {
        const [format, ...rest] = args;
        if (!format || format.kind !== 'StringLiteral') throw located(`${builtin.name} takes a format string first`, expr.span);
        this.checkExpr(format, null);
        if (this.side === 'kernel' && rest.length > MAX_PRINTK_ARGS) {
          throw located(`${builtin.name} formats at most ${MAX_PRINTK_ARGS} values in the kernel, found ${rest.length}`, rest[MAX_PRINTK_ARGS]!.span);
        }
        for (const arg of rest) {
          const type = this.checkExpr(arg, null);
          if (!isIntegerLike(type) && type.kind !== 'bool') throw located(`cannot print a ${typeName(type)}`, arg.span);
        }
        return VOID;
      }
      case 'min':
      case 'max': {
        if (args.length !== 2) throw located(`${builtin.name} takes two arguments`, expr.span);
        const [a, b] = args as [ast.Expr, ast.Expr];
        const left = this.checkExpr(a, expected && isIntegerLike(expected) ? expected : null);
        const right = this.checkExpr(b, integerView(left));
        return this.unify(left, right, a, b);
      }
      case 'attach':
      case 'detach': {
        const wanted = builtin.name === 'attach' ? 2 : 1;
        if (args.length !== wanted) throw located(builtin.name === 'attach' ? 'attach takes a program and a target: attach(prog, "eth0")' : 'detach takes a program: detach(prog)', expr.span);
        const [programArg, target] = args as [ast.Expr, ast.Expr | undefined];
        const program = programArg.kind === 'Identifier' ? this.system.symbols.programs.find((p) => p.name === programArg.name) : undefined;
        if (!program) throw located('the first argument is a program name', programArg.span, ...didYouMean(programArg.kind === 'Identifier' ? programArg.name : '', this.system.symbols.programs.map((p) => p.name)));
        this.system.resolutions.set(programArg, { kind: 'program', program });
        this.system.types.set(programArg, VOID);
        if (target) {
          const type = this.checkExpr(target, null);
          if (type.kind !== 'string') throw located('the attach target is a string: an interface name for xdp and tc, "" otherwise', target.span);
        }
        return INT_TYPES.i32;
      }
      default: {
        const params = builtin.params!;
        if (args.length !== params.length) throw located(`${builtin.name} takes ${params.length} argument(s), found ${args.length}`, expr.span);
        args.forEach((arg, i) => this.expect(this.checkExpr(arg, params[i]!), params[i]!, arg));
        return builtin.returns as Type;
      }
    }
  }

  private checkMethodCall(expr: ast.CallExpr, callee: ast.MemberExpr): Type {
    const method = callee.property.name;
    if (this.isContext(callee.object)) return this.checkContextMethod(expr, callee);
    const map = this.mapOf(callee.object);
    if (!map) throw located(`unknown method '${method}'`, callee.property.span);
    this.system.resolutions.set(callee.object, { kind: 'map', map });
    if (method === 'submit') {
      if (map.kind.access !== 'ring_buffer') throw located(`submit() sends to a RingBuffer; '${map.name}' is a ${map.kind.sourceName}`, callee.property.span);
      if (this.side !== 'kernel') throw located('submit() is called by kernel programs; userspace reads events with poll()', callee.property.span);
      if (expr.args.length !== 1) throw located('submit takes one value', expr.span);
      this.expect(this.checkExpr(expr.args[0]!, map.value), map.value, expr.args[0]!);
      return INT_TYPES.i64;
    }
    if (method === 'poll') {
      if (map.kind.access !== 'ring_buffer' || this.side !== 'userspace') throw located('poll(timeout_ms, handler) reads a RingBuffer from userspace', callee.property.span);
      const [timeout, handler] = expr.args;
      if (!timeout || !handler || expr.args.length !== 2) throw located('poll takes a timeout in ms and a handler: events.poll(100, on_event)', expr.span);
      this.expect(this.checkExpr(timeout, INT_TYPES.i32), INT_TYPES.i32, timeout);
      const fn = handler.kind === 'Identifier' ? lookup(this.scope, 'functions', handler.name) : undefined;
      if (!fn || fn.owner.kind !== 'userspace') throw located('the handler is a userspace function: fn handler(e: E) -> i32', handler.span);
      if (fn.params.length !== 1 || !sameType(fn.params[0]!.type, map.value) || !(fn.returnType.kind === 'int' && fn.returnType.name === 'i32')) {
        throw located(`the handler must be fn ${fn.name}(e: ${typeName(map.value)}) -> i32`, handler.span);
      }
      this.system.resolutions.set(handler, { kind: 'function', fn });
      this.system.types.set(handler, VOID);
      return INT_TYPES.i32;
    }
    throw located(`maps have no method '${method}'`, callee.property.span);
  }

  private checkContextMethod(expr: ast.CallExpr, callee: ast.MemberExpr): Type {
    this.checkExpr(callee.object, null);
    const context = this.contextOf(callee.object);
    const name = callee.property.name;
    const method = context.methods[name];
    if (!method) throw located(`${context.name} has no method '${name}'`, callee.property.span);
    switch (method.form) {
      case 'len':
        if (expr.args.length !== 0) throw located(`ctx.${name}() takes no arguments`, expr.span);
        return INT_TYPES.u32;
      case 'header': {
        const [typeArg] = expr.typeArgs;
        if (!typeArg || expr.typeArgs.length !== 1 || expr.args.length !== 1) throw located('ctx.header<T>(offset) takes one type and one offset', expr.span);
        const target = this.resolveType(typeArg);
        if (target.kind !== 'struct' && target.kind !== 'int' && target.kind !== 'array') throw located(`cannot view packet bytes as ${typeName(target)}`, typeArg.span);
        const offset = this.checkExpr(expr.args[0]!, INT_TYPES.u32);
        if (!isIntegerLike(offset)) throw located('the offset is an integer', expr.args[0]!.span);
        return { kind: 'pointer', target };
      }
      case 'read': {
        const [typeArg] = expr.typeArgs;
        if (!typeArg || expr.args.length !== 1) throw located('ctx.read<T>(offset) takes one type and one byte offset', expr.span);
        const target = this.resolveType(typeArg);
        if (!isIntegerLike(target)) throw located('ctx.read reads integers', typeArg.span);
        const offset = evaluateConst(expr.args[0]!, this.constants);
        if (typeof offset !== 'bigint' || offset < 0n) throw located('the offset of ctx.read is a constant byte offset', expr.args[0]!.span);
        this.checkExpr(expr.args[0]!, INT_TYPES.u32);
        return target;
      }
      case 'arg': {
        if (expr.args.length !== 1) throw located('ctx.arg(i) takes the argument index', expr.span);
        const index = evaluateConst(expr.args[0]!, this.constants);
        if (typeof index !== 'bigint' || index < 0n || index > 5n) throw located('ctx.arg(i) takes a constant index from 0 to 5', expr.args[0]!.span);
        this.checkExpr(expr.args[0]!, INT_TYPES.u32);
        return INT_TYPES.u64;
      }
      case 'ret': {
        const returning = Object.values(PROGRAM_KINDS).filter((k) => k.readsReturnValue && k.context === context.name).map((k) => k.kind);
        if (!this.program?.info.readsReturnValue) throw located(`ctx.ret() is only available in ${returning.join(', ')} programs`, callee.property.span);
        if (expr.args.length !== 0) throw located(`ctx.${name}() takes no arguments`, expr.span);
        return INT_TYPES.u64;
      }
    }
  }

  // ---------- helpers ----------

  private isContext(expr: ast.Expr): boolean {
    if (expr.kind !== 'Identifier') return false;
    const local = this.locals.find(expr.name);
    return local?.isParam === true && local.type.kind === 'context';
  }

  private contextOf(expr: ast.Expr): ContextInfo {
    const local = this.locals.find((expr as ast.Identifier).name)!;
    return CONTEXTS[(local.type as { name: string }).name]!;
  }

  private mapOf(expr: ast.Expr): MapSymbol | undefined {
    if (expr.kind === 'Identifier') {
      if (this.locals.find(expr.name)) return undefined;
      return lookup(this.scope, 'maps', expr.name);
    }
    if (expr.kind === 'PathExpr' && expr.segments.length === 2) {
      const [program, name] = expr.segments;
      const map = this.system.symbols.maps.find((m) => m.program === program!.name && m.declName === name!.name);
      if (map && this.side === 'kernel' && map.program !== this.program?.name) throw located(`map '${map.name}' is local to program '${map.program}'`, expr.span);
      return map;
    }
    return undefined;
  }

  private resolveType(type: ast.TypeExpr): Type {
    return resolveType(type, this.scope);
  }

  /** Constants as this point of the function sees them: a local shadows a constant of its name. */
  private readonly constants: ConstNames = (name) =>
    name.kind === 'Identifier' && this.locals.find(name.name) ? undefined : scopeConstants(this.scope)(name);

  private declareLocal(name: string, type: Type, span: ast.Span, options: { isConst?: boolean; isParam?: boolean; fromMapElement?: boolean } = {}): LocalVariable {
    let cName = name;
    for (let n = 2; this.usedCNames.has(cName) || C_RESERVED.has(cName); n++) cName = `${name}_${n}`;
    this.usedCNames.add(cName);
    const local: LocalVariable = {
      name,
      cName,
      type,
      isConst: options.isConst ?? false,
      isParam: options.isParam ?? false,
      span,
      fromMapElement: options.fromMapElement ?? false,
    };
    this.locals.add(local);
    this.allLocals.push(local);
    return local;
  }

  /** The common type of two integer operands under the widening rules. */
  private unify(left: Type, right: Type, leftExpr: ast.Expr, rightExpr: ast.Expr): Type {
    if (sameType(left, right)) return left.kind === 'action' || left.kind === 'enum' || left.kind === 'char' ? integerView(left)! : left;
    const a = integerView(left);
    const b = integerView(right);
    if (!a || !b) throw located(`mismatched types ${typeName(left)} and ${typeName(right)}`, leftExpr.span);
    if (widens(a, b)) return b;
    if (widens(b, a)) return a;
    throw located(
      `mismatched types ${typeName(left)} and ${typeName(right)}`,
      rightExpr.span,
      `help: convert one side explicitly, e.g. (${exprHint(rightExpr)}) as ${a.name}`,
    );
  }

  /** `actual` may be used where `expected` is wanted (same type or implicit widening). */
  private expect(actual: Type, expected: Type, expr: ast.Expr): void {
    if (assignable(actual, expected)) return;
    const a = integerView(actual);
    const e = integerView(expected);
    const help =
      a && e && actual.kind !== 'bool' && expected.kind !== 'bool'
        ? [`help: ${a.size > e.size ? 'narrowing' : 'changing signedness'} needs an explicit cast: (${exprHint(expr)}) as ${typeName(expected)}`]
        : [];
    throw located(`expected ${typeName(expected)}, found ${typeName(actual)}`, expr.span, ...help);
  }
}

function assignable(actual: Type, expected: Type): boolean {
  if (sameType(actual, expected)) return true;
  if (expected.kind === 'action' && actual.kind === 'int') return true;
  if (expected.kind === 'int' && (actual.kind === 'int' || actual.kind === 'char' || actual.kind === 'enum')) return widens(integerView(actual)!, expected);
  if (expected.kind === 'char' && actual.kind === 'int') return actual.name === 'u8';
  return false;
}

/** Implicit widening: same signedness to a larger size, or unsigned to a strictly larger signed type. */
function widens(from: IntType, to: IntType): boolean {
  if (from.signed === to.signed) return from.size <= to.size;
  return !from.signed && to.signed && from.size < to.size;
}

function isLiteral(expr: ast.Expr): boolean {
  return expr.kind === 'IntLiteral' || expr.kind === 'CharLiteral' || (expr.kind === 'UnaryExpr' && expr.op === '-' && expr.operand.kind === 'IntLiteral');
}

function tooBig(value: bigint, span: ast.Span): never {
  throw located(`${value} does not fit in any integer type`, span);
}

function exprHint(expr: ast.Expr): string {
  return expr.kind === 'Identifier' ? expr.name : 'value';
}

function placeRoot(expr: ast.Expr): ast.Expr {
  while (expr.kind === 'IndexExpr' || expr.kind === 'MemberExpr') expr = expr.object;
  return expr;
}

/** What a condition tells about nullable locals in each branch. */
function nullFacts(condition: ast.Expr, nullable: (e: ast.Expr) => LocalVariable | null): NullFacts {
  if (condition.kind === 'UnaryExpr' && condition.op === '!') {
    const inner = nullFacts(condition.operand, nullable);
    return { whenTrue: inner.whenFalse, whenFalse: inner.whenTrue };
  }
  if (condition.kind !== 'BinaryExpr') return NO_FACTS;
  const { op, left, right } = condition;
  if (op === '&&' || op === '||') {
    const a = nullFacts(left, nullable);
    const b = nullFacts(right, nullable);
    return op === '&&' ? { whenTrue: [...a.whenTrue, ...b.whenTrue], whenFalse: [] } : { whenTrue: [], whenFalse: [...a.whenFalse, ...b.whenFalse] };
  }
  if (op !== '==' && op !== '!=') return NO_FACTS;
  const tested = left.kind === 'NullLiteral' ? right : right.kind === 'NullLiteral' ? left : null;
  const local = tested ? nullable(tested) : null;
  if (!local) return NO_FACTS;
  return op === '==' ? { whenTrue: [], whenFalse: [local] } : { whenTrue: [local], whenFalse: [] };
}

/** Whether control never falls off the end of `stmt` (return/break/continue on every path). */
function alwaysExits(stmt: ast.Stmt | ast.Block): boolean {
  switch (stmt.kind) {
    case 'ReturnStmt':
    case 'BreakStmt':
    case 'ContinueStmt':
      return true;
    case 'Block':
      return stmt.statements.some(alwaysExits);
    case 'IfStmt':
      return stmt.otherwise !== null && alwaysExits(stmt.then) && alwaysExits(stmt.otherwise);
    case 'ExprStmt':
      return stmt.expr.kind === 'MatchExpr' && stmt.expr.arms.some((a) => a.patterns.length === 0) && stmt.expr.arms.every((a) => armExits(a.body));
    default:
      return false;
  }
}

function armExits(body: ast.Block | ast.ReturnStmt | ast.Expr): boolean {
  return body.kind === 'ReturnStmt' || (body.kind === 'Block' && alwaysExits(body));
}

function closingBrace(block: ast.Block): ast.Span {
  const end = block.span.end;
  return { start: { ...end, offset: end.offset - 1, column: end.column - 1 }, end };
}

/** Names C or the generated code reserve, which locals must not shadow. */
const C_RESERVED = new Set([
  'auto', 'break', 'case', 'char', 'const', 'continue', 'default', 'do', 'double', 'else', 'enum', 'extern', 'float', 'for',
  'goto', 'if', 'inline', 'int', 'long', 'register', 'restrict', 'return', 'short', 'signed', 'sizeof', 'static', 'struct',
  'switch', 'typedef', 'union', 'unsigned', 'void', 'volatile', 'while', 'bool', 'true', 'false', 'NULL', 'obj', 'err',
]);

