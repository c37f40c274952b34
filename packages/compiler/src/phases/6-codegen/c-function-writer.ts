// Prints IR functions as C. The statement and expression forms are shared by
// the eBPF and the userspace output; what differs — how a map, the context or
// a packet is reached — comes from the `CTarget` each side provides.
import { CONTEXTS } from '../../language/context-members.js';
import { sizeOf, type Type } from '../2-symbols/types.js';
import { typeOf, type IrExpr, type IrFunction, type IrLocal, type IrPathStep, type IrStmt } from '../5-ir/ir.js';
import { allExpressions, statements } from '../5-ir/ir-walk.js';
import { isIntConstant, overflowingConstant } from '../5-ir/wrapped-constant.js';
import { cString, cType, declaration, zeroInitializer } from './c-types.js';

/** How one side of the system reaches maps, the packet and its other resources. */
export interface CTarget {
  side: 'kernel' | 'userspace';
  /** Emits the statements only this side knows how to express (map operations...); false for the shared ones. */
  statement(stmt: IrStmt, writer: CFunctionWriter): boolean;
  /** A builtin's C name on this side (`bpf_ntohs` / `ntohs`). */
  call(name: string): string;
}

export class CFunctionWriter {
  private lines: string[] = [];
  private depth = 1;
  private lastLine = -1;

  constructor(
    private readonly fn: IrFunction,
    private readonly target: CTarget,
    /** `#line` file name; null to leave them out. */
    private readonly lineFile: string | null,
  ) {}

  write(signature: string): string {
    // BTF line info names the file holding the function's signature: map it to the .ks too.
    this.lines = this.lineFile === null ? [] : [`#line ${this.fn.line} ${cString(this.lineFile)}`];
    this.lastLine = this.lineFile === null ? -1 : this.fn.line;
    this.lines.push(signature, '{');
    for (const param of unusedParams(this.fn)) this.emit(`(void)${param.name};`);
    this.block(this.fn.body);
    this.lines.push('}');
    return this.lines.join('\n');
  }

  emit(line: string): void {
    // `#line N` only names the physical line right after it, so every C line of
    // a statement that generates code gets its own directive, or clang would
    // number them N+1, N+2... and the verifier would blame unrelated `.ks` lines.
    // Lone braces generate no code and need none.
    if (this.lineFile !== null && this.lastLine >= 0 && line !== '{' && line !== '}') this.lines.push(`#line ${this.lastLine}`);
    this.lines.push(`${'    '.repeat(this.depth)}${line}`);
  }

  block(body: IrStmt[]): void {
    for (const stmt of body) this.stmt(stmt);
  }

  /** Emit what `body` emits one level deeper. */
  indent(body: () => void): void {
    this.depth++;
    body();
    this.depth--;
  }

  nested(body: IrStmt[]): void {
    this.depth++;
    this.block(body);
    this.depth--;
  }

  /** Statements from here on come from `.ks` line `line`. */
  private lineDirective(line: number): void {
    if (this.lineFile !== null) this.lastLine = line;
  }

  private stmt(stmt: IrStmt): void {
    this.lineDirective(stmt.line);
    if (this.target.statement(stmt, this)) return;
    switch (stmt.op) {
      case 'declare':
        return this.declare(stmt.local, stmt.init);
      case 'assign': {
        const target = this.place(stmt.target);
        const assignment =
          typeOf(stmt.value).kind === 'array'
            ? `__builtin_memcpy(${target.text}, ${this.expr(stmt.value)}, ${sizeOf(typeOf(stmt.value))});`
            : `${target.text} ${stmt.operator} ${this.expr(stmt.value)};`;
        // A write through an index out of range does nothing.
        if (target.guards.length > 0) this.emit(`if (${target.guards.join(' && ')})`);
        this.emit(target.guards.length > 0 ? `    ${assignment}` : assignment);
        return;
      }
      case 'if':
        return this.ifChain(stmt);
      case 'scope':
        this.emit('{');
        this.nested(stmt.body);
        this.emit('}');
        return;
      case 'forRange': {
        const v = stmt.variable;
        this.emit(`for (${declaration(v.type, v.name)} = ${this.expr(stmt.start)}; ${v.name} < ${this.expr(stmt.end)}; ${v.name}++) {`);
        this.nested(stmt.body);
        this.emit('}');
        return;
      }
      case 'while':
        if (stmt.head.length === 0) {
          this.emit(`while (${this.expr(stmt.condition)}) {`);
          this.nested(stmt.body);
        } else {
          this.emit('while (1) {');
          this.nested(stmt.head);
          this.depth++;
          this.emit(`if (!(${this.expr(stmt.condition)}))`);
          this.emit('    break;');
          this.block(stmt.body);
          this.depth--;
        }
        this.emit('}');
        return;
      case 'break':
        this.emit('break;');
        return;
      case 'continue':
        this.emit('continue;');
        return;
      case 'return':
        this.emit(stmt.value ? `return ${this.expr(stmt.value)};` : 'return;');
        return;
      case 'eval':
        this.emit(`${this.expr(stmt.expr)};`);
        return;
      default:
        throw new Error(`${stmt.op} has no ${this.target.side} form`);
    }
  }

  declare(local: IrLocal, init: IrExpr | null): void {
    const decl = declaration(local.type, local.name);
    const structInit = init?.op === 'structLiteral' ? init : null;
    if (local.addressTaken && (structInit !== null || (init === null && local.type.kind === 'struct'))) {
      // Padding bytes handed to a helper must be initialised, or the verifier refuses the read.
      this.emit(`${decl};`);
      this.emit(`__builtin_memset(&${local.name}, 0, sizeof(${local.name}));`);
      for (const field of structInit?.fields ?? []) {
        const fieldType = typeOf(field.value);
        if (fieldType.kind !== 'array') this.emit(`${local.name}.${field.name} = ${this.expr(field.value)};`);
        // Arrays cannot be assigned in C: copy from a compound literal, unless the memset already zeroed them.
        else if (field.value.op !== 'arrayRepeat' || !isZero(field.value.value)) {
          this.emit(`__builtin_memcpy(${local.name}.${field.name}, (${declaration(fieldType, '')})${this.expr(field.value)}, sizeof(${local.name}.${field.name}));`);
        }
      }
    } else if (init === null) {
      this.emit(`${decl} = ${zeroInitializer(local.type)};`);
    } else if (local.type.kind === 'array' && init.op !== 'arrayLiteral' && init.op !== 'arrayRepeat') {
      this.emit(`${decl} = {};`);
      if (init.op === 'elementValue') {
        this.emit(`if (${init.ref.name})`);
        this.emit(`    __builtin_memcpy(${local.name}, *${init.ref.name}, sizeof(${local.name}));`);
      } else {
        this.emit(`__builtin_memcpy(${local.name}, ${this.expr(init)}, sizeof(${local.name}));`);
      }
    } else {
      this.emit(`${decl} = ${this.expr(init)};`);
    }
  }

  private ifChain(stmt: Extract<IrStmt, { op: 'if' }>): void {
    this.emit(`if (${this.expr(stmt.condition)}) {`);
    let current = stmt;
    for (;;) {
      this.nested(current.then);
      const next = current.otherwise;
      if (next.length === 1 && next[0]!.op === 'if') {
        current = next[0] as Extract<IrStmt, { op: 'if' }>;
        this.lineDirective(current.line);
        this.emit(`} else if (${this.expr(current.condition)}) {`);
        continue;
      }
      if (next.length > 0) {
        this.emit('} else {');
        this.nested(next);
      }
      break;
    }
    this.emit('}');
  }

  // ---------- expressions ----------

  expr(expr: IrExpr): string {
    switch (expr.op) {
      case 'int':
        return intLiteral(expr.value, expr.type);
      case 'bool':
        return expr.value ? 'true' : 'false';
      case 'string':
        return cString(expr.value);
      case 'local':
        return expr.local.name;
      case 'symbol':
        return expr.name;
      case 'unary':
      case 'binary': {
        const constant = overflowingConstant(expr);
        if (constant !== null) return intLiteral(constant, expr.type);
        const text = expr.op === 'unary' ? this.unary(expr) : `${this.leftOperand(expr) ?? this.operand(expr.left)} ${expr.operator} ${this.operand(expr.right)}`;
        // C computes 8- and 16-bit values as int: cast back so the result wraps as in KernelScript
        // (and a negative value shifted as unsigned bits back to its signed type).
        const negativeShift = expr.op === 'binary' && expr.operator === '<<' && expr.left.op === 'int' && expr.left.value < 0n;
        return (WRAPPING_OPERATORS.has(expr.operator) && isNarrowInt(expr.type)) || negativeShift ? `(${cType(expr.type)})(${text})` : text;
      }
      case 'cast':
        return `(${cType(expr.type)})${this.operand(expr.value)}`;
      case 'call': {
        // KS_MIN/KS_MAX declare `__auto_type` copies of their arguments: a constant needs its type spelled out (`(__u32)0`, not the int `0`).
        const typed = TYPE_GENERIC_MACROS.has(expr.name);
        const args = expr.args.map((a) => (typed && isIntConstant(a) && a.op !== 'cast' ? `(${cType(expr.type)})${this.operand(a)}` : this.expr(a)));
        return `${this.target.call(expr.name)}(${args.join(', ')})`;
      }
      case 'field':
      case 'index': {
        // A read through an index out of range is the zero value. Arrays have no zero rvalue: the verifier checks those.
        const { text, guards } = this.place(expr);
        return guards.length === 0 || expr.type.kind === 'array' ? text : `(${guards.join(' && ')} ? ${text} : ${zeroValue(expr.type)})`;
      }
      case 'elementValue': {
        const element = (expr.ref.type as Extract<Type, { kind: 'pointer' }>).target;
        const present = [expr.ref.name, ...this.pathGuards(expr.path, element)].join(' && ');
        return `(${present} ? ${this.elementPlace(expr.ref.name, expr.path)} : ${zeroValue(expr.type)})`;
      }
      case 'isNull':
        return `${expr.ref.name} ${expr.negate ? '!=' : '=='} NULL`;
      case 'context':
        return this.context(expr);
      case 'structLiteral':
        return `(${cType(expr.type)}){ ${expr.fields.map((f) => `.${f.name} = ${this.expr(f.value)}`).join(', ')} }`;
      case 'arrayLiteral':
        return `{ ${expr.elements.map((e) => this.expr(e)).join(', ')} }`;
      case 'arrayRepeat':
        return isZero(expr.value) ? '{}' : `{ [0 ... ${expr.type.length - 1}] = ${this.expr(expr.value)} }`;
      case 'zero':
        return zeroInitializer(expr.type);
    }
  }

  /** The place `path` names inside the map element `ref` points to: `ref->a.b[i]`, `(*ref)[i]`, or `*ref` itself. */
  elementPlace(ref: string, path: IrPathStep[]): string {
    const [first, ...rest] = path;
    if (!first) return `*${ref}`;
    return ('field' in first ? `${ref}->${first.field}` : `(*${ref})[${this.expr(first.index)}]`) + this.pathSuffix(rest);
  }

  /** Range checks for the variable indexes of `path` into a value of `type`. */
  pathGuards(path: IrPathStep[], type: Type): string[] {
    const guards: string[] = [];
    let current = type;
    for (const step of path) {
      if ('index' in step && current.kind === 'array') {
        const guard = this.indexGuard(step.index, current.length);
        if (guard) guards.push(guard);
      }
      current = stepType(current, step);
    }
    return guards;
  }

  /** `i < N` for an index the type checker could not check (it is not a constant); null when the index type cannot exceed it. */
  private indexGuard(index: IrExpr, length: number): string | null {
    if (index.op === 'int') return null;
    const type = typeOf(index);
    if (type.kind === 'int' && !type.signed) return 1n << BigInt(type.size * 8) <= BigInt(length) ? null : `${this.operand(index)} < ${length}`;
    return `(__u64)${this.operand(index)} < ${length}`;
  }

  /** An element or field chain (`a[i].b[j]`) as C text, with the range checks of its variable indexes. */
  private place(expr: IrExpr): { text: string; guards: string[] } {
    if (expr.op === 'index') {
      const array = this.place(expr.array);
      const arrayType = typeOf(expr.array);
      const guard = arrayType.kind === 'array' ? this.indexGuard(expr.index, arrayType.length) : null;
      return { text: `${array.text}[${this.expr(expr.index)}]`, guards: guard ? [...array.guards, guard] : array.guards };
    }
    if (expr.op === 'field') {
      const object = this.place(expr.object);
      return { text: `${object.text}${expr.viaPointer ? '->' : '.'}${expr.field}`, guards: object.guards };
    }
    return { text: this.operand(expr), guards: [] };
  }

  /** `.a.b[i]`: the rest of a path, applied to a value. */
  pathSuffix(path: IrPathStep[]): string {
    return path.map((step) => ('field' in step ? `.${step.field}` : `[${this.expr(step.index)}]`)).join('');
  }

  /**
   * The left operand where its C spelling matters: a literal shifted left by a variable amount keeps its type
   * (`1ULL << n`, `1U << n`): a plain `1` would be shifted as an int. (A constant shift C gets wrong is printed as its value.)
   */
  private leftOperand(expr: Extract<IrExpr, { op: 'binary' }>): string | null {
    // clang reads a decimal `2 ^ n` or `10 ^ n` as a mistaken power (-Wxor-used-as-pow); in hex it is plainly a xor.
    if (expr.operator === '^' && expr.left.op === 'int' && (expr.left.value === 2n || expr.left.value === 10n)) return `0x${expr.left.value.toString(16)}`;
    if (expr.operator !== '<<' || expr.left.op !== 'int' || expr.left.type.kind !== 'int' || isIntConstant(expr.right)) return null;
    const { value, type } = expr.left;
    // Shifting a negative value is undefined in C: shift its two's complement bits instead.
    if (value < 0n) return `(__u${Math.max(4, type.size) * 8})${this.operand(expr.left)}`;
    if (type.size < 4) return null;
    return `${value}${type.signed ? '' : 'U'}${type.size === 8 ? 'LL' : ''}`;
  }

  /** `-x`, `~x`, `!x`; `-(-x)`, not the decrement `--x`. */
  private unary(expr: Extract<IrExpr, { op: 'unary' }>): string {
    const operand = this.operand(expr.operand);
    return expr.operator === '-' && operand.startsWith('-') ? `-(${operand})` : `${expr.operator}${operand}`;
  }

  /** An operand of an operator: parenthesised unless it is atomic. */
  private operand(expr: IrExpr): string {
    const text = this.expr(expr);
    const constant = expr.op === 'unary' || expr.op === 'binary' ? overflowingConstant(expr) : null;
    if (constant !== null) return constant < 0n ? `(${text})` : text;
    return expr.op === 'binary' || expr.op === 'cast' || expr.op === 'isNull' || (expr.op === 'int' && expr.value < 0n) ? `(${text})` : text;
  }

  private context(expr: Extract<IrExpr, { op: 'context' }>): string {
    const ctx = this.fn.params[0]!;
    const context = CONTEXTS[(ctx.type as Extract<Type, { kind: 'context' }>).name]!;
    const access = expr.access;
    if (access.kind === 'field') return context.fields[access.name]!.c(ctx.name);
    // Context methods are named after their form (context-members.ts).
    const method = context.methods[access.kind]!;
    if (method.form === 'len' || method.form === 'ret') return method.c(ctx.name);
    if (method.form === 'read' && access.kind === 'read') return method.c(ctx.name, cType(expr.type), access.offset);
    if (method.form === 'arg' && access.kind === 'arg') return method.c(ctx.name, access.index);
    throw new Error(`ctx.${access.kind} has no C form in ${context.name}`);
  }
}

/** Parameters the body never reads (the context counts as read by context accesses, packet views and tail calls). */
function unusedParams(fn: IrFunction): IrLocal[] {
  const used = new Set<IrLocal>();
  let readsContext = [...statements(fn.body)].some((s) => s.op === 'packetView' || s.op === 'tailCall');
  for (const expr of allExpressions(fn.body)) {
    if (expr.op === 'local') used.add(expr.local);
    else if (expr.op === 'context') readsContext = true;
  }
  return fn.params.filter((p, i) => !used.has(p) && !(i === 0 && p.type.kind === 'context' && readsContext));
}

/** The type of the part of a `type` value that `path` names. */
export function pathType(type: Type, path: IrPathStep[]): Type {
  return path.reduce(stepType, type);
}

function stepType(type: Type, step: IrPathStep): Type {
  if ('field' in step) return type.kind === 'struct' ? type.fields.find((f) => f.name === step.field)!.type : type;
  return type.kind === 'array' ? type.element : type;
}

/** The zero value as an expression (a compound literal for structs). */
function zeroValue(type: Type): string {
  return type.kind === 'struct' ? `(${cType(type)}){}` : zeroInitializer(type);
}

function isZero(expr: IrExpr): boolean {
  return (expr.op === 'int' && expr.value === 0n) || (expr.op === 'bool' && !expr.value);
}

/** The min/max macros of the prelude: their result type is that of their arguments. */
const TYPE_GENERIC_MACROS: ReadonlySet<string> = new Set(['KS_MIN', 'KS_MAX']);

/** Operators whose exact result can leave the range of an 8- or 16-bit type. */
const WRAPPING_OPERATORS: ReadonlySet<string> = new Set(['+', '-', '*', '<<', '~']);

function isNarrowInt(type: Type): boolean {
  return type.kind === 'int' && type.size < 4;
}

function intLiteral(value: bigint, type: Type): string {
  const wide = type.kind === 'int' && type.size === 8;
  // C has no literal for the smallest i64: 9223372036854775808 does not fit a signed type.
  if (value === -(1n << 63n)) return '(-9223372036854775807LL - 1)';
  if (value < 0n) return wide && value < -0x8000_0000n ? `${value}LL` : `${value}`;
  const signedWide = wide && type.kind === 'int' && type.signed;
  if (value > 0xffff_ffffn || (wide && value > 0x7fff_ffffn)) return `${value}${signedWide ? 'LL' : 'ULL'}`;
  if (type.kind === 'int' && !type.signed && value > 0x7fff_ffffn) return `${value}U`;
  return `${value}`;
}

/** The C signature of a program's main or a helper. */
export function functionSignature(fn: IrFunction, qualifiers: string): string {
  const params = fn.params.length > 0 ? fn.params.map((p) => declaration(p.type, p.name)).join(', ') : 'void';
  const returns = fn.returnType.kind === 'void' ? 'void' : cType(fn.returnType);
  return `${qualifiers}${returns} ${fn.cName}(${params})`;
}

