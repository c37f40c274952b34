// Random well-typed KernelScript programs for the property test.
//
// fast-check generates a *plan*: a tree of constructs whose choices are plain
// numbers (which type, which variable, which operator). `renderProgram` turns
// a plan into source text, resolving each choice against what is in scope at
// that point, so every plan renders to a well-typed program: a choice that
// cannot apply (no variable of the wanted type, no map with struct values)
// falls back to a literal or is skipped. Shrinking works on the plan (fewer
// statements, smaller numbers), and every shrunk plan is still well-typed, so
// a failure shrinks to a small program.
import fc from 'fast-check';

// ---------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------

const INT_TYPES = ['u8', 'u16', 'u32', 'u64', 'i8', 'i16', 'i32', 'i64'] as const;
type IntType = (typeof INT_TYPES)[number];

const bits = (t: IntType) => Number(t.slice(1));
const signed = (t: IntType) => t.startsWith('i');
const maxOf = (t: IntType) => (signed(t) ? (1n << BigInt(bits(t) - 1)) - 1n : (1n << BigInt(bits(t))) - 1n);

/** LANGUAGE.md §3: implicit widening to the same signedness or from unsigned to a strictly larger signed type. */
function widensTo(from: IntType, to: IntType): boolean {
  if (from === to) return true;
  if (signed(from) === signed(to)) return bits(from) < bits(to);
  return !signed(from) && bits(from) < bits(to);
}

/** `value` brought into the range of `t` (two's complement wrap): every literal the plan asks for fits its type. */
function fitLiteral(value: bigint, t: IntType): bigint {
  const span = 1n << BigInt(bits(t));
  const wrapped = ((value % span) + span) % span;
  return signed(t) && wrapped > maxOf(t) ? wrapped - span : wrapped;
}

function literal(value: bigint): string {
  return value < 0n ? `(${value})` : `${value}`;
}

/** Match patterns are literals: a negative one is written without parentheses. */
const pattern = (value: bigint): string => `${value}`;

// ---------------------------------------------------------------------------
// Plans
// ---------------------------------------------------------------------------

export type ExprPlan =
  | { t: 'lit'; value: bigint }
  | { t: 'var'; pick: number }
  | { t: 'bin'; op: number; left: ExprPlan; right: ExprPlan }
  | { t: 'un'; op: number; operand: ExprPlan }
  | { t: 'cast'; from: number; value: ExprPlan }
  | { t: 'mapRead'; pick: number; key: ExprPlan; field: number }
  | { t: 'call'; pick: number; args: ExprPlan[] }
  | { t: 'minmax'; max: boolean; left: ExprPlan; right: ExprPlan };

export type CondPlan =
  | { t: 'cmp'; type: number; op: number; left: ExprPlan; right: ExprPlan }
  | { t: 'logic'; and: boolean; left: CondPlan; right: CondPlan }
  | { t: 'not'; operand: CondPlan }
  | { t: 'present'; pick: number; key: ExprPlan; absent: boolean }
  | { t: 'boolVar'; pick: number };

export type StmtPlan =
  | { t: 'let'; type: number; init: ExprPlan; annotate: boolean }
  | { t: 'letBool'; cond: CondPlan }
  | { t: 'letStruct'; struct: number; fields: ExprPlan[] }
  | { t: 'assign'; pick: number; op: number; value: ExprPlan }
  | { t: 'fieldAssign'; pick: number; field: number; op: number; value: ExprPlan }
  | { t: 'if'; cond: CondPlan; then: StmtPlan[]; otherwise: StmtPlan[] | null }
  | { t: 'for'; start: number; end: number; body: StmtPlan[] }
  | { t: 'match'; subject: ExprPlan; type: number; arms: { patterns: bigint[]; body: StmtPlan[] }[]; fallback: StmtPlan[] }
  | { t: 'letMatch'; type: number; subject: ExprPlan; subjectType: number; arms: { patterns: bigint[]; value: ExprPlan }[]; fallback: ExprPlan }
  | { t: 'mapWrite'; pick: number; key: ExprPlan; value: ExprPlan; op: number }
  | { t: 'mapFieldWrite'; pick: number; key: ExprPlan; field: number; value: ExprPlan; op: number }
  | { t: 'mapDelete'; pick: number; key: ExprPlan }
  | { t: 'mapLet'; pick: number; key: ExprPlan; present: StmtPlan[]; absent: StmtPlan[] }
  | { t: 'return'; action: number }
  /** Tracepoint programs (LANGUAGE.md §13): a CO-RE read through the current task, kept in a read-only local. */
  | { t: 'kernelRead'; pick: number; index: ExprPlan }
  /** Tracepoint programs (§14): a [u8; 16] from a literal, filled by a probe read or the comm, compared with literals. */
  | { t: 'stringRead'; pick: number; offset: ExprPlan; literal: number };

const MAP_KINDS = ['HashMap', 'Array', 'PercpuHash', 'PercpuArray', 'LruHash', 'LruPercpuHash'] as const;
type MapKind = (typeof MAP_KINDS)[number];
const ARRAY_KINDS: ReadonlySet<MapKind> = new Set(['Array', 'PercpuArray']);

export interface MapPlan {
  kind: number;
  key: number;
  /** An int type index, or (>= INT_TYPES.length) a struct. */
  value: number;
  size: number;
}

export interface HelperPlan {
  params: number[];
  returns: number;
  body: StmtPlan[];
  result: ExprPlan;
}

const PROGRAM_KINDS = ['xdp', 'tc', 'socket_filter', 'tracepoint'] as const;
type ProgramKind = (typeof PROGRAM_KINDS)[number];

/**
 * What an xdp or tc program with a parsed header does to its packet before
 * its body (LANGUAGE.md §12): writes through views (array fields, compound
 * assignment, checksum updates) and resizes, after which it takes its views again.
 */
export type PacketPlan =
  | { t: 'proto'; value: ExprPlan }
  | { t: 'swapMacs' }
  | { t: 'macByte'; index: number; value: ExprPlan }
  | { t: 'ttl'; op: number; value: ExprPlan }
  | { t: 'daddr'; value: ExprPlan }
  | { t: 'resize'; helper: number; delta: number; checked: boolean };

export interface ProgramPlan {
  kind: number;
  localMaps: MapPlan[];
  /** Parse a packet header first (ignored for tracepoints). */
  header: boolean;
  /** Ignored without a header and in programs whose views are copies. */
  packet: PacketPlan[];
  body: StmtPlan[];
}

export interface SystemPlan {
  structs: number[][];
  maps: MapPlan[];
  helpers: HelperPlan[];
  programs: ProgramPlan[];
}

// ---------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------

const pick = fc.nat({ max: 1000 });
const EDGE_VALUES = [0n, 1n, 2n, 7n, 127n, 128n, 255n, 256n, 65535n, 65536n, 2n ** 31n - 1n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n];
const literalValue = fc.oneof(
  { weight: 3, arbitrary: fc.bigInt({ min: -300n, max: 300n }) },
  { weight: 2, arbitrary: fc.constantFrom(...EDGE_VALUES, ...EDGE_VALUES.map((v) => -v)) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }) },
);

interface Arbitraries {
  expr: ExprPlan;
  cond: CondPlan;
  stmt: StmtPlan;
  block: StmtPlan[];
}

/** Statements nest at most `maxDepth` deep; expressions are kept small by fast-check's depth bias. */
function planArbitraries(maxDepth: number) {
  return fc.letrec<Arbitraries>((tie) => ({
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.record({ t: fc.constant('lit' as const), value: literalValue }),
      fc.record({ t: fc.constant('var' as const), pick }),
      fc.record({ t: fc.constant('bin' as const), op: pick, left: tie('expr'), right: tie('expr') }),
      fc.record({ t: fc.constant('un' as const), op: pick, operand: tie('expr') }),
      fc.record({ t: fc.constant('cast' as const), from: pick, value: tie('expr') }),
      fc.record({ t: fc.constant('mapRead' as const), pick, key: tie('expr'), field: pick }),
      fc.record({ t: fc.constant('call' as const), pick, args: fc.array(tie('expr'), { maxLength: 3 }) }),
      fc.record({ t: fc.constant('minmax' as const), max: fc.boolean(), left: tie('expr'), right: tie('expr') }),
    ) as fc.Arbitrary<ExprPlan>,
    cond: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.record({ t: fc.constant('cmp' as const), type: pick, op: pick, left: tie('expr'), right: tie('expr') }),
      fc.record({ t: fc.constant('boolVar' as const), pick }),
      fc.record({ t: fc.constant('present' as const), pick, key: tie('expr'), absent: fc.boolean() }),
      fc.record({ t: fc.constant('not' as const), operand: tie('cond') }),
      fc.record({ t: fc.constant('logic' as const), and: fc.boolean(), left: tie('cond'), right: tie('cond') }),
    ) as fc.Arbitrary<CondPlan>,
    stmt: fc.oneof(
      { depthSize: 'small', maxDepth, withCrossShrink: true },
      fc.record({ t: fc.constant('let' as const), type: pick, init: tie('expr'), annotate: fc.boolean() }),
      fc.record({ t: fc.constant('assign' as const), pick, op: pick, value: tie('expr') }),
      fc.record({ t: fc.constant('mapWrite' as const), pick, key: tie('expr'), value: tie('expr'), op: pick }),
      fc.record({ t: fc.constant('letBool' as const), cond: tie('cond') }),
      fc.record({ t: fc.constant('letStruct' as const), struct: pick, fields: fc.array(tie('expr'), { minLength: 4, maxLength: 4 }) }),
      fc.record({ t: fc.constant('fieldAssign' as const), pick, field: pick, op: pick, value: tie('expr') }),
      fc.record({ t: fc.constant('mapFieldWrite' as const), pick, key: tie('expr'), field: pick, value: tie('expr'), op: pick }),
      fc.record({ t: fc.constant('mapDelete' as const), pick, key: tie('expr') }),
      fc.record({
        t: fc.constant('letMatch' as const),
        type: pick,
        subject: tie('expr'),
        subjectType: pick,
        arms: fc.array(fc.record({ patterns: fc.array(literalValue, { minLength: 1, maxLength: 3 }), value: tie('expr') }), { minLength: 1, maxLength: 3 }),
        fallback: tie('expr'),
      }),
      fc.record({ t: fc.constant('return' as const), action: pick }),
      fc.record({ t: fc.constant('if' as const), cond: tie('cond'), then: tie('block'), otherwise: fc.option(tie('block'), { nil: null }) }),
      fc.record({ t: fc.constant('for' as const), start: fc.nat({ max: 3 }), end: fc.nat({ max: 8 }), body: tie('block') }),
      fc.record({
        t: fc.constant('match' as const),
        subject: tie('expr'),
        type: pick,
        arms: fc.array(fc.record({ patterns: fc.array(literalValue, { minLength: 1, maxLength: 3 }), body: tie('block') }), { minLength: 1, maxLength: 3 }),
        fallback: tie('block'),
      }),
      fc.record({ t: fc.constant('mapLet' as const), pick, key: tie('expr'), present: tie('block'), absent: tie('block') }),
      fc.record({ t: fc.constant('kernelRead' as const), pick, index: tie('expr') }),
      fc.record({ t: fc.constant('stringRead' as const), pick, offset: tie('expr'), literal: pick }),
    ) as fc.Arbitrary<StmtPlan>,
    block: fc.array(tie('stmt') as fc.Arbitrary<StmtPlan>, { maxLength: 4, depthIdentifier: 'block' }),
  }));
}

function packetPlanArbitrary(expr: fc.Arbitrary<ExprPlan>): fc.Arbitrary<PacketPlan> {
  return fc.oneof(
    fc.record({ t: fc.constant('proto' as const), value: expr }),
    fc.record({ t: fc.constant('swapMacs' as const) }),
    fc.record({ t: fc.constant('macByte' as const), index: fc.nat({ max: 5 }), value: expr }),
    fc.record({ t: fc.constant('ttl' as const), op: pick, value: expr }),
    fc.record({ t: fc.constant('daddr' as const), value: expr }),
    fc.record({ t: fc.constant('resize' as const), helper: pick, delta: fc.nat({ max: 3 }), checked: fc.boolean() }),
  );
}

const mapPlan = fc.record({ kind: pick, key: pick, value: pick, size: fc.integer({ min: 1, max: 64 }) });

/** Plans of whole systems: a few structs, global maps, helpers and programs. */
export function systemPlanArbitrary(): fc.Arbitrary<SystemPlan> {
  const { expr, stmt, block } = planArbitraries(3);
  const mainBody = fc.array(stmt, { minLength: 1, maxLength: 10 });
  return fc.record({
    structs: fc.array(fc.array(fc.nat({ max: INT_TYPES.length - 1 }), { minLength: 1, maxLength: 4 }), { maxLength: 2 }),
    maps: fc.array(mapPlan, { maxLength: 3 }),
    helpers: fc.array(fc.record({ params: fc.array(pick, { maxLength: 3 }), returns: pick, body: block, result: expr }), { maxLength: 2 }),
    programs: fc.array(
      fc.record({
        kind: pick,
        localMaps: fc.array(mapPlan, { maxLength: 2 }),
        header: fc.boolean(),
        packet: fc.array(packetPlanArbitrary(expr), { maxLength: 4 }),
        body: mainBody,
      }),
      { minLength: 1, maxLength: 2 },
    ),
  });
}

// ---------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------

interface StructDecl {
  name: string;
  fields: { name: string; type: IntType }[];
}

interface MapDecl {
  name: string;
  kind: MapKind;
  key: IntType;
  value: IntType | StructDecl;
}

interface HelperDecl {
  name: string;
  params: IntType[];
  returns: IntType;
}

type VarType = IntType | 'bool' | StructDecl;

interface Variable {
  name: string;
  type: VarType;
  /** Loop variables and packet fields cannot be assigned. */
  readonly: boolean;
}

/** What is in scope while rendering one function body. */
class Scope {
  private readonly vars: Variable[][] = [[]];
  constructor(
    readonly maps: MapDecl[],
    readonly helpers: HelperDecl[],
    readonly structs: StructDecl[],
    /** The action constants a `return` may use; empty in helpers (they return their result type). */
    readonly actions: string[],
    private readonly names: { next: number },
    /** The current task (`*task_struct`) is in `task`: kernel reads may be rendered (tracepoint programs). */
    readonly kernel = false,
  ) {}

  /** How many typed values (variables, map reads, calls, casts) have been rendered: tells literal-only expressions apart. */
  typedCount = 0;

  typed(text: string): string {
    this.typedCount++;
    return text;
  }

  fresh(prefix: string): string {
    return `${prefix}${this.names.next++}`;
  }

  push(): void {
    this.vars.push([]);
  }

  pop(): void {
    this.vars.pop();
  }

  declare(variable: Variable): void {
    this.vars.at(-1)!.push(variable);
  }

  all(): Variable[] {
    return this.vars.flat();
  }
}

const pickFrom = <T>(items: readonly T[], choice: number): T | undefined => (items.length === 0 ? undefined : items[choice % items.length]);

const ARITH_OPS = ['+', '-', '*', '&', '|', '^', '/', '%', '<<', '>>'] as const;
const COMPARE_OPS = ['==', '!=', '<', '<=', '>', '>='] as const;
const ASSIGN_OPS = ['=', '+=', '-=', '&=', '|=', '^=', '*=', '/=', '%=', '<<=', '>>='] as const;
const MAP_UPDATE_OPS = ['=', '+=', '-=', '|=', '&=', '^='] as const;
const MAX_EXPR_DEPTH = 4;

/**
 * The typing rules the renderer follows (LANGUAGE.md §3, as the compiler
 * implements them): the operands of an operator must have a common type, one
 * widening to the other, and a bare literal takes the type of the other
 * operand. So inside operators every typed value has exactly the operator's
 * type (`exact`), a literal-only operand is rendered as one literal, and in
 * positions without an expected type (comparisons, match subjects) a literal
 * is anchored with a cast: `(5 as i16)`. Widening (`let x: u32 = small_u8;`)
 * happens where a whole expression meets its declared type.
 */
function renderExpr(plan: ExprPlan, type: IntType, scope: Scope, depth = 0, exact = false): string {
  if (depth > MAX_EXPR_DEPTH) return literalOf(plan, type);
  const operand = (p: ExprPlan, t: IntType) => renderOperand(p, t, scope, depth + 1);
  const fits = (from: IntType) => (exact ? from === type : widensTo(from, type));
  switch (plan.t) {
    case 'lit':
      return literal(fitLiteral(plan.value, type));
    case 'var': {
      const candidates = scope.all().filter((v) => typeof v.type === 'string' && v.type !== 'bool' && fits(v.type));
      const variable = pickFrom(candidates, plan.pick);
      if (variable) return scope.typed(variable.name);
      const fields = scope.all().flatMap((v) => (typeof v.type === 'object' ? v.type.fields.filter((f) => fits(f.type)).map((f) => `${v.name}.${f.name}`) : []));
      const field = pickFrom(fields, plan.pick);
      return field ? scope.typed(field) : literalOf(plan, type);
    }
    case 'bin': {
      const op = ARITH_OPS[plan.op % ARITH_OPS.length]!;
      if (op === '<<' || op === '>>') return `(${operand(plan.left, type)} ${op} ${plan.op % bits(type)})`;
      if (op === '/' || op === '%') {
        // Signed division does not exist in eBPF (a located compile error); divide by a non-zero constant.
        if (signed(type)) return `(${operand(plan.left, type)} + ${operand(plan.right, type)})`;
        const divisor = fitLiteral(plan.right.t === 'lit' ? plan.right.value : BigInt(plan.op), type) || 1n;
        return `(${operand(plan.left, type)} ${op} ${divisor})`;
      }
      return `(${operand(plan.left, type)} ${op} ${operand(plan.right, type)})`;
    }
    case 'un':
      if (plan.op % 2 === 0 || !signed(type)) return `(~${operand(plan.operand, type)})`;
      return `(-${operand(plan.operand, type)})`;
    case 'cast': {
      const from = INT_TYPES[plan.from % INT_TYPES.length]!;
      return scope.typed(`(${operand(plan.value, from)} as ${type})`);
    }
    case 'mapRead': {
      const readable = scope.maps.filter((m) => (typeof m.value === 'string' ? fits(m.value) : m.value.fields.some((f) => fits(f.type))));
      const map = pickFrom(readable, plan.pick);
      if (!map) return literalOf(plan, type);
      const element = `${map.name}[${renderExpr(plan.key, map.key, scope, depth + 1)}]`;
      if (typeof map.value === 'string') return scope.typed(element);
      const field = pickFrom(
        map.value.fields.filter((f) => fits(f.type)),
        plan.field,
      )!;
      return scope.typed(`${element}.${field.name}`);
    }
    case 'call': {
      const helper = pickFrom(
        scope.helpers.filter((h) => fits(h.returns)),
        plan.pick,
      );
      if (!helper) return literalOf(plan, type);
      const args = helper.params.map((param, i) => renderExpr(plan.args[i] ?? { t: 'lit', value: 0n }, param, scope, depth + 1));
      return scope.typed(`${helper.name}(${args.join(', ')})`);
    }
    case 'minmax': {
      // min/max type their second argument by the first: a literal goes second.
      const [first, second] = [operand(plan.left, type), operand(plan.right, type)].sort((a, b) => Number(isLiteralText(a)) - Number(isLiteralText(b)));
      return `${plan.max ? 'max' : 'min'}(${first}, ${second})`;
    }
  }
}

/** An operand of an operator: exactly `type`, and a single literal when it holds no typed value. */
function renderOperand(plan: ExprPlan, type: IntType, scope: Scope, depth: number): string {
  const before = scope.typedCount;
  const text = renderExpr(plan, type, scope, depth, true);
  return scope.typedCount === before ? literalOf(plan, type) : text;
}

/** An expression of `type` where nothing gives it a type (comparison sides, match subjects): a literal is anchored by a cast. */
function renderAnchored(plan: ExprPlan, type: IntType, scope: Scope, depth: number): string {
  const text = renderOperand(plan, type, scope, depth);
  return isLiteralText(text) ? `(${text} as ${type})` : text;
}

const isLiteralText = (text: string): boolean => /^\(?-?\d+\)?$/.test(text);

/** A literal of `type` derived from any plan node (the fallback when a construct cannot apply). */
function literalOf(plan: ExprPlan, type: IntType): string {
  const seed = plan.t === 'lit' ? plan.value : BigInt('pick' in plan ? plan.pick : 'op' in plan ? plan.op : 0);
  return literal(fitLiteral(seed, type));
}

function renderCond(plan: CondPlan, scope: Scope, depth = 0): string {
  if (depth > MAX_EXPR_DEPTH) return 'true';
  switch (plan.t) {
    case 'cmp': {
      const type = INT_TYPES[plan.type % INT_TYPES.length]!;
      const op = COMPARE_OPS[plan.op % COMPARE_OPS.length]!;
      return `${renderAnchored(plan.left, type, scope, depth + 1)} ${op} ${renderOperand(plan.right, type, scope, depth + 1)}`;
    }
    case 'logic':
      return `(${renderCond(plan.left, scope, depth + 1)}) ${plan.and ? '&&' : '||'} (${renderCond(plan.right, scope, depth + 1)})`;
    case 'not':
      return `!(${renderCond(plan.operand, scope, depth + 1)})`;
    case 'present': {
      const map = pickFrom(scope.maps, plan.pick);
      if (!map) return plan.absent ? 'false' : 'true';
      return `${map.name}[${renderExpr(plan.key, map.key, scope, depth + 1)}] ${plan.absent ? '==' : '!='} null`;
    }
    case 'boolVar': {
      const variable = pickFrom(
        scope.all().filter((v) => v.type === 'bool'),
        plan.pick,
      );
      return variable ? variable.name : 'false';
    }
  }
}

function renderBlock(plans: StmtPlan[], scope: Scope, indent: string, depth: number): string[] {
  scope.push();
  const lines: string[] = [];
  for (const plan of plans) {
    const rendered = renderStmt(plan, scope, indent, depth);
    lines.push(...rendered);
    // Nothing after a return: it would be unreachable.
    if (plan.t === 'return' && rendered.length > 0) break;
  }
  scope.pop();
  return lines;
}

function renderStmt(plan: StmtPlan, scope: Scope, indent: string, depth: number): string[] {
  const inner = `${indent}  `;
  const block = (plans: StmtPlan[]) => renderBlock(plans, scope, inner, depth + 1);
  const assignable = () => scope.all().filter((v): v is Variable & { type: IntType } => !v.readonly && typeof v.type === 'string' && v.type !== 'bool');
  switch (plan.t) {
    case 'let': {
      const type = INT_TYPES[plan.type % INT_TYPES.length]!;
      const name = scope.fresh('v');
      const line = `${indent}let ${name}: ${type} = ${renderExpr(plan.init, type, scope)};`;
      scope.declare({ name, type, readonly: false });
      return [line];
    }
    case 'letBool': {
      const name = scope.fresh('flag');
      const line = `${indent}let ${name} = ${renderCond(plan.cond, scope)};`;
      scope.declare({ name, type: 'bool', readonly: false });
      return [line];
    }
    case 'letStruct': {
      const struct = pickFrom(scope.structs, plan.struct);
      if (!struct) return [];
      const name = scope.fresh('s');
      const fields = struct.fields.map((f, i) => `${f.name}: ${renderExpr(plan.fields[i] ?? { t: 'lit', value: 0n }, f.type, scope)}`);
      scope.declare({ name, type: struct, readonly: false });
      return [`${indent}let ${name} = ${struct.name} { ${fields.join(', ')} };`];
    }
    case 'assign': {
      const variable = pickFrom(assignable(), plan.pick);
      if (!variable) return [];
      return [`${indent}${renderAssignment(variable.name, variable.type, ASSIGN_OPS[plan.op % ASSIGN_OPS.length]!, plan.value, scope)}`];
    }
    case 'fieldAssign': {
      const variable = pickFrom(
        scope.all().filter((v) => typeof v.type === 'object'),
        plan.pick,
      );
      if (!variable || typeof variable.type !== 'object') return [];
      const field = pickFrom(variable.type.fields, plan.field)!;
      return [`${indent}${renderAssignment(`${variable.name}.${field.name}`, field.type, ASSIGN_OPS[plan.op % ASSIGN_OPS.length]!, plan.value, scope)}`];
    }
    case 'if': {
      const lines = [`${indent}if ${renderCond(plan.cond, scope)} {`, ...block(plan.then)];
      if (plan.otherwise) lines.push(`${indent}} else {`, ...block(plan.otherwise));
      return [...lines, `${indent}}`];
    }
    case 'for': {
      const name = scope.fresh('i');
      scope.push();
      scope.declare({ name, type: 'u32', readonly: true });
      const body = renderBlock(plan.body, scope, inner, depth + 1);
      scope.pop();
      return [`${indent}for ${name} in ${plan.start}..${plan.end} {`, ...body, `${indent}}`];
    }
    case 'match': {
      const type = INT_TYPES[plan.type % INT_TYPES.length]!;
      const seen = new Set<bigint>();
      const lines = [`${indent}match ${renderAnchored(plan.subject, type, scope, 0)} {`];
      for (const arm of plan.arms) {
        const patterns = distinctPatterns(arm.patterns, type, seen);
        if (patterns.length === 0) continue;
        lines.push(`${inner}${patterns.map(pattern).join(' | ')} -> {`, ...renderBlock(arm.body, scope, `${inner}  `, depth + 1), `${inner}},`);
      }
      lines.push(`${inner}_ -> {`, ...renderBlock(plan.fallback, scope, `${inner}  `, depth + 1), `${inner}},`, `${indent}}`);
      return lines;
    }
    case 'letMatch': {
      const type = INT_TYPES[plan.type % INT_TYPES.length]!;
      const subjectType = INT_TYPES[plan.subjectType % INT_TYPES.length]!;
      const seen = new Set<bigint>();
      const name = scope.fresh('m');
      const arms = plan.arms.flatMap((arm) => {
        const patterns = distinctPatterns(arm.patterns, subjectType, seen);
        return patterns.length === 0 ? [] : [`${inner}${patterns.map(pattern).join(' | ')} -> ${renderExpr(arm.value, type, scope)},`];
      });
      const lines = [
        `${indent}let ${name}: ${type} = match ${renderAnchored(plan.subject, subjectType, scope, 0)} {`,
        ...arms,
        `${inner}_ -> ${renderExpr(plan.fallback, type, scope)},`,
        `${indent}};`,
      ];
      scope.declare({ name, type, readonly: false });
      return lines;
    }
    case 'mapWrite': {
      const map = pickFrom(scope.maps, plan.pick);
      if (!map) return [];
      const element = `${map.name}[${renderExpr(plan.key, map.key, scope)}]`;
      if (typeof map.value === 'object') {
        const struct = pickFrom(
          scope.all().filter((v) => v.type === map.value),
          plan.op,
        );
        if (struct) return [`${indent}${element} = ${struct.name};`];
        const fields = map.value.fields.map((f) => `${f.name}: ${renderExpr(plan.value, f.type, scope)}`);
        return [`${indent}${element} = ${map.value.name} { ${fields.join(', ')} };`];
      }
      return [`${indent}${renderAssignment(element, map.value, MAP_UPDATE_OPS[plan.op % MAP_UPDATE_OPS.length]!, plan.value, scope)}`];
    }
    case 'mapFieldWrite': {
      const map = pickFrom(
        scope.maps.filter((m) => typeof m.value === 'object'),
        plan.pick,
      );
      if (!map || typeof map.value !== 'object') return [];
      const field = pickFrom(map.value.fields, plan.field)!;
      const element = `${map.name}[${renderExpr(plan.key, map.key, scope)}].${field.name}`;
      return [`${indent}${renderAssignment(element, field.type, MAP_UPDATE_OPS[plan.op % MAP_UPDATE_OPS.length]!, plan.value, scope)}`];
    }
    case 'mapDelete': {
      const map = pickFrom(
        scope.maps.filter((m) => !ARRAY_KINDS.has(m.kind)),
        plan.pick,
      );
      return map ? [`${indent}delete ${map.name}[${renderExpr(plan.key, map.key, scope)}];`] : [];
    }
    case 'mapLet': {
      const map = pickFrom(scope.maps, plan.pick);
      if (!map) return [];
      const name = scope.fresh('e');
      const lines = [`${indent}let ${name} = ${map.name}[${renderExpr(plan.key, map.key, scope)}];`];
      scope.declare({ name, type: map.value, readonly: false });
      lines.push(`${indent}if ${name} == null {`, ...block(plan.absent), `${indent}} else {`, ...block(plan.present), `${indent}}`);
      return lines;
    }
    case 'return': {
      const action = pickFrom(scope.actions, plan.action);
      // Only in the nested blocks of a program's main: a return at its top level would make the rest dead.
      return action && depth > 0 ? [`${indent}return ${action};`] : [];
    }
    case 'kernelRead': {
      if (!scope.kernel) return [];
      const read = KERNEL_READS[plan.pick % KERNEL_READS.length]!;
      const name = scope.fresh('k');
      const text = read.text(renderExpr(plan.index, 'u32', scope));
      scope.declare({ name, type: read.type, readonly: true });
      return [`${indent}let ${name}: ${read.type} = ${text} as ${read.type};`];
    }
    case 'stringRead': {
      if (!scope.kernel) return [];
      const buffer = scope.fresh('s');
      const result = scope.fresh('b');
      const word = STRING_LITERALS[plan.literal % STRING_LITERALS.length]!;
      const fill = [
        `bpf_get_current_comm(${buffer});`,
        `bpf_probe_read_kernel_str(${buffer}, task.mm);`,
        `bpf_probe_read_kernel_str(${buffer}[(${renderExpr(plan.offset, 'u8', scope)} as u32) % 16..], task as u64);`,
        `bpf_probe_read_kernel(${buffer}, task.real_parent);`,
      ][plan.pick % 4]!;
      scope.declare({ name: result, type: 'bool', readonly: false });
      return [
        `${indent}let ${buffer}: [u8; 16] = "${word}";`,
        `${indent}${fill}`,
        `${indent}let ${result} = ${plan.pick % 2 === 0 ? 'str_eq' : 'starts_with'}(${buffer}, "${word.slice(0, 1 + (plan.literal % word.length))}");`,
      ];
    }
  }
}

/** CO-RE reads through the current task (and through null), each with the type of its local. */
const KERNEL_READS: { text: (index: string) => string; type: IntType }[] = [
  { text: () => 'task.tgid', type: 'i32' },
  { text: () => 'task.real_parent.tgid', type: 'i32' },
  { text: () => 'task.real_parent.real_parent.pid', type: 'i32' },
  { text: (i) => `task.comm[(${i}) & 15]`, type: 'u8' },
  { text: () => 'task.flags', type: 'u32' },
  { text: () => 'task.mm.arg_start', type: 'u64' },
  { text: () => '(0 as u64 as *task_struct).real_parent.tgid', type: 'i32' },
];

const STRING_LITERALS = ['node', 'bash', 'systemd-journal', 'a'];

/** `target op= value`, with the operand shapes eBPF allows (no signed division, shifts below the width). */
function renderAssignment(target: string, type: IntType, op: string, value: ExprPlan, scope: Scope): string {
  if (op === '<<=' || op === '>>=') return `${target} ${op} ${Number(fitLiteral(literalSeed(value), 'u8')) % bits(type)};`;
  if (op === '/=' || op === '%=') {
    if (signed(type)) return `${target} += ${renderExpr(value, type, scope)};`;
    return `${target} ${op} ${fitLiteral(literalSeed(value), type) || 1n};`;
  }
  return `${target} ${op} ${renderExpr(value, type, scope)};`;
}

const literalSeed = (plan: ExprPlan): bigint => (plan.t === 'lit' ? plan.value : 3n);

/** The patterns of one arm, fitted to the subject type, without those an earlier arm already has. */
function distinctPatterns(values: bigint[], type: IntType, seen: Set<bigint>): bigint[] {
  const patterns: bigint[] = [];
  for (const value of values) {
    const fitted = fitLiteral(value, type);
    if (seen.has(fitted)) continue;
    seen.add(fitted);
    patterns.push(fitted);
  }
  return patterns;
}

/** A resize helper call with a small size change `delta` (0..3), as the kind's views are moved by it. */
type ResizeCall = (delta: number) => string;

const ACTIONS: Record<ProgramKind, { context: string; returns: string; actions: string[]; final: string; header: string | null; resizes: ResizeCall[] }> = {
  xdp: {
    context: 'XdpContext',
    returns: 'XdpAction',
    actions: ['XDP_DROP', 'XDP_PASS', 'XdpAction::Aborted'],
    final: 'XDP_PASS',
    header: 'EthHdr',
    resizes: [
      (d) => `bpf_xdp_adjust_head(ctx, ${(d - 2) * 4})`,
      (d) => `bpf_xdp_adjust_tail(ctx, ${-4 * d})`,
      (d) => `bpf_xdp_adjust_meta(ctx, ${-4 * (d + 1)})`,
    ],
  },
  tc: {
    context: 'TcContext',
    returns: 'TcAction',
    actions: ['TC_ACT_OK', 'TC_ACT_SHOT', 'TcAction::Pipe'],
    final: 'TC_ACT_OK',
    header: 'EthHdr',
    resizes: [(d) => `bpf_skb_adjust_room(ctx, ${(d - 2) * 4}, BPF_ADJ_ROOM_NET, 0)`, (d) => `bpf_skb_change_tail(ctx, ${60 + 4 * d}, 0)`],
  },
  socket_filter: { context: 'SkbContext', returns: 'i32', actions: ['0', '1', '(-1)'], final: '0', header: 'Ipv4Hdr', resizes: [] },
  tracepoint: { context: 'TracepointContext', returns: 'i32', actions: ['0', '1'], final: '0', header: null, resizes: [] },
};

const TTL_OPS = ['=', '-=', '+=', '^='] as const;

/**
 * The lines of a program's packet plan. `eth` is the Ethernet view taken
 * before; an IPv4 view is taken when an operation needs one, and after a
 * resize both are taken again, since views from before it are stale.
 */
function renderPacket(plans: PacketPlan[], eth: string, info: (typeof ACTIONS)[ProgramKind], scope: Scope): string[] {
  const lines: string[] = [];
  const bail = info.actions[0]!;
  const view = (type: string, offset: number): string => {
    const name = scope.fresh(type === 'EthHdr' ? 'eth' : 'ip');
    lines.push(`    let ${name} = ctx.header<${type}>(${offset});`, `    if ${name} == null {`, `      return ${bail};`, '    }');
    return name;
  };
  let ip: string | null = null;
  const ipView = () => (ip ??= view('Ipv4Hdr', 14));
  for (const plan of plans) {
    switch (plan.t) {
      case 'proto':
        lines.push(`    ${eth}.h_proto = ${renderExpr(plan.value, 'u16', scope)};`);
        break;
      case 'swapMacs': {
        const mac = scope.fresh('mac');
        lines.push(`    let ${mac} = ${eth}.h_dest;`, `    ${eth}.h_dest = ${eth}.h_source;`, `    ${eth}.h_source = ${mac};`);
        break;
      }
      case 'macByte':
        lines.push(`    ${eth}.h_dest[${plan.index}] = ${renderExpr(plan.value, 'u8', scope)};`);
        break;
      case 'ttl': {
        const header = ipView();
        lines.push(`    ${header}.ttl ${TTL_OPS[plan.op % TTL_OPS.length]} ${renderExpr(plan.value, 'u8', scope)};`, `    ${header}.check = ipv4_csum(${header});`);
        break;
      }
      case 'daddr': {
        const header = ipView();
        const old = scope.fresh('old');
        lines.push(
          `    let ${old} = ${header}.daddr;`,
          `    ${header}.daddr = ${renderExpr(plan.value, 'u32', scope)};`,
          `    ${header}.check = csum_replace4(${header}.check, ${old}, ${header}.daddr);`,
        );
        break;
      }
      case 'resize': {
        const call = pickFrom(info.resizes, plan.helper)!(plan.delta);
        if (plan.checked) lines.push(`    if ${call} != 0 {`, `      return ${bail};`, '    }');
        else lines.push(`    ${call};`);
        eth = view('EthHdr', 0);
        ip = null;
        break;
      }
    }
  }
  return lines;
}

/** The fields of a parsed header that programs read, as read-only u8/u16/u32 values. */
const HEADER_FIELDS: Record<string, { field: string; type: IntType }[]> = {
  EthHdr: [{ field: 'h_proto', type: 'u16' }],
  Ipv4Hdr: [
    { field: 'ttl', type: 'u8' },
    { field: 'protocol', type: 'u8' },
    { field: 'saddr', type: 'u32' },
    { field: 'tot_len', type: 'u16' },
  ],
};

export interface GeneratedSystem {
  plan: SystemPlan;
  source: string;
  /** Program names and kinds, in source order. */
  programs: { name: string; kind: ProgramKind }[];
  /** fast-check prints a counterexample with this: the program text, not the plan. */
  [fc.toStringMethod]: () => string;
}

function declareMap(plan: MapPlan, name: string, structs: StructDecl[]): MapDecl {
  const kind = MAP_KINDS[plan.kind % MAP_KINDS.length]!;
  const key: IntType = ARRAY_KINDS.has(kind) ? 'u32' : INT_TYPES[plan.key % INT_TYPES.length]!;
  const valueChoice = plan.value % (INT_TYPES.length + structs.length);
  const value = valueChoice < INT_TYPES.length ? INT_TYPES[valueChoice]! : structs[valueChoice - INT_TYPES.length]!;
  return { name, kind, key, value };
}

function mapSource(map: MapDecl, size: number, indent: string): string {
  const value = typeof map.value === 'string' ? map.value : map.value.name;
  return `${indent}map<${map.key}, ${value}> ${map.name} : ${map.kind}(${size});`;
}

/** The source text of a plan, with what the property test needs to know about it. */
export function renderProgram(plan: SystemPlan): GeneratedSystem {
  const names = { next: 0 };
  const structs: StructDecl[] = plan.structs.map((fields, s) => ({
    name: `Rec${s}`,
    fields: fields.map((type, f) => ({ name: `f${f}`, type: INT_TYPES[type]! })),
  }));
  const lines: string[] = [];
  for (const struct of structs) lines.push(`struct ${struct.name} { ${struct.fields.map((f) => `${f.name}: ${f.type}`).join(', ')} }`);

  const globalMaps = plan.maps.map((m, i) => declareMap(m, `global_map${i}`, structs));
  globalMaps.forEach((map, i) => lines.push(mapSource(map, plan.maps[i]!.size, '')));

  const helpers: HelperDecl[] = [];
  plan.helpers.forEach((helperPlan, h) => {
    const helper: HelperDecl = {
      name: `helper${h}`,
      params: helperPlan.params.map((p) => INT_TYPES[p % INT_TYPES.length]!),
      returns: INT_TYPES[helperPlan.returns % INT_TYPES.length]!,
    };
    // A helper calls only helpers declared before it: no recursion.
    const scope = new Scope(globalMaps, [...helpers], structs, [], names);
    const params = helper.params.map((type, p) => {
      scope.declare({ name: `p${p}`, type, readonly: false });
      return `p${p}: ${type}`;
    });
    const body = renderBlock(helperPlan.body, scope, '  ', 1);
    scope.push();
    const result = renderExpr(helperPlan.result, helper.returns, scope);
    lines.push(`fn ${helper.name}(${params.join(', ')}) -> ${helper.returns} {`, ...body, `  return ${result};`, '}');
    helpers.push(helper);
  });

  const programs: GeneratedSystem['programs'] = [];
  plan.programs.forEach((programPlan, p) => {
    const kind = PROGRAM_KINDS[programPlan.kind % PROGRAM_KINDS.length]!;
    const info = ACTIONS[kind];
    const name = `prog${p}_${kind}`;
    programs.push({ name, kind });
    const localMaps = programPlan.localMaps.map((m, i) => declareMap(m, `${name}_map${i}`, structs));
    const scope = new Scope([...globalMaps, ...localMaps], helpers, structs, info.actions, names, kind === 'tracepoint');
    const target = kind === 'tracepoint' ? '("syscalls/sys_enter_getppid")' : '';
    lines.push(`program ${name} : ${kind}${target} {`);
    localMaps.forEach((map, i) => lines.push(mapSource(map, programPlan.localMaps[i]!.size, '  ')));
    lines.push(`  fn main(ctx: ${info.context}) -> ${info.returns} {`);
    // A tracepoint program may read kernel memory through the current task (the compiler drops `task` when nothing reads it).
    if (scope.kernel) lines.push('    let task = bpf_get_current_task();');
    if (programPlan.header && info.header) {
      const view = info.header === 'EthHdr' ? 'eth' : 'ip';
      lines.push(`    let ${view} = ctx.header<${info.header}>(0);`, `    if ${view} == null {`, `      return ${info.actions[0]};`, '    }');
      for (const { field, type } of HEADER_FIELDS[info.header]!) {
        const local = scope.fresh(field);
        lines.push(`    let ${local}: ${type} = ${view}.${field};`);
        scope.declare({ name: local, type, readonly: true });
      }
      if (info.resizes.length > 0) lines.push(...renderPacket(programPlan.packet, view, info, scope));
    }
    lines.push(...renderBlock(programPlan.body, scope, '    ', 0), `    return ${info.final};`, '  }', '}');
  });
  const source = `${lines.join('\n')}\n`;
  return { plan, source, programs, [fc.toStringMethod]: () => `\n${source}` };
}

/** Random systems, shrinking to small ones; shown by their source text. */
export function systemArbitrary(): fc.Arbitrary<GeneratedSystem> {
  return systemPlanArbitrary().map(renderProgram, (value) => (value as GeneratedSystem).plan);
}
