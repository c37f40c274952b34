// Prints IR functions as C. The statement and expression forms are shared by
// the eBPF and the userspace output; what differs — how a map, the context or
// a packet is reached — comes from the `CTarget` each side provides.
import { CONTEXTS, packetPointer, type ContextInfo } from '../../language/context-members.js';
import { sizeOf, type StructField, type Type } from '../2-symbols/types.js';
import { typeOf, type ContextAccess, type IrExpr, type IrFunction, type IrLocal, type IrPathStep, type IrPlace, type IrStmt, type KernelStep } from '../5-ir/ir.js';
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
        const assignment = typeOf(stmt.value).kind === 'array' ? `${this.copyArray(target.text, stmt.value)};` : `${target.text} ${stmt.operator} ${this.expr(stmt.value)};`;
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
        // Arrays cannot be assigned in C: copy, unless the memset already zeroed them.
        else if (field.value.op !== 'arrayRepeat' || !isZero(field.value.value)) {
          this.emit(`${this.copyArray(`${local.name}.${field.name}`, field.value)};`);
        }
      }
    } else if (init === null) {
      this.emit(`${decl} = ${zeroInitializer(local.type)};`);
    } else if (init.op === 'stringBytes') {
      this.emit(`${decl} = ${this.expr(init)};`);
    } else if (local.type.kind === 'array' && init.op !== 'arrayLiteral' && init.op !== 'arrayRepeat') {
      this.emit(`${decl} = {};`);
      if (init.op === 'elementValue') {
        this.emit(`if (${init.ref.name})`);
        this.emit(`    __builtin_memcpy(${local.name}, *${init.ref.name}, sizeof(${local.name}));`);
      } else {
        this.emit(`${this.copyArray(local.name, init)};`);
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
      case 'stringBytes':
        // `{ "bash" }`: clang zero-pads the rest of the array.
        return `{ ${cString(expr.value)} }`;
      case 'kernelRead':
        return this.kernelRead(expr);
      case 'kernelFieldExists':
        return `bpf_core_field_exists(((${expr.root.cName} *)0)->${this.kernelGroup(expr.path)})`;
      case 'probeRead':
        return this.probeRead(expr);
      case 'stringCompare':
        return this.stringCompare(expr);
      case 'addressOf':
        return `&${expr.value.local.name}`;
      case 'redirectMap':
        return `bpf_redirect_map(&${expr.map.objectName}, ${this.expr(expr.key)}, ${this.expr(expr.flags)})`;
    }
  }

  /** Copies an array value into the array place `target` (C cannot assign arrays). */
  copyArray(target: string, value: IrExpr): string {
    if (value.op === 'kernelRead') {
      const guards = this.kernelGuards(value.path);
      const read = `BPF_CORE_READ_INTO(&${target}, ${this.kernelOperands(value)})`;
      return guards.length > 0 ? `if (${guards.join(' && ')}) ${read}` : read;
    }
    if (value.op === 'context' && value.access.kind === 'read') {
      // Arrays of a tracepoint record: one helper call instead of a load per byte.
      return `bpf_probe_read_kernel(&${target}, sizeof(${target}), (char *)${this.contextParam().name} + ${value.access.offset})`;
    }
    const literal = value.op === 'arrayLiteral' || value.op === 'arrayRepeat' || value.op === 'stringBytes';
    // A literal is copied from a compound literal of the array's type. Where C reaches the bytes
    // through a cast (FibLookup's IPv6 addresses) `sizeof` would be a pointer's: the type's size then.
    const size = target.startsWith('(') ? String(sizeOf(typeOf(value))) : `sizeof(${target})`;
    return `__builtin_memcpy(${target}, ${literal ? `(${declaration(typeOf(value), '')})` : ''}${this.expr(value)}, ${size})`;
  }

  /** A scalar CO-RE read: `BPF_CORE_READ(task, real_parent, tgid)`, a bit-field through its own relocations, guarded by its indexes' range checks. */
  private kernelRead(expr: Extract<IrExpr, { op: 'kernelRead' }>): string {
    const last = expr.path.at(-1)!;
    let read: string;
    if ('field' in last && last.bitfield) {
      // BPF_CORE_READ_BITFIELD_PROBED wants a pointer to the struct holding the bit-field.
      const lastDeref = expr.path.map((step) => 'deref' in step).lastIndexOf(true);
      const pointer = lastDeref < 0 ? this.operand(expr.base) : `BPF_CORE_READ(${this.kernelOperands({ ...expr, path: expr.path.slice(0, lastDeref) })})`;
      const inner = expr.path.slice(lastDeref + 1, -1);
      const holder = inner.length > 0 ? `&(${pointer})->${this.kernelGroup(inner)}` : pointer;
      read = `(${cType(expr.type)})BPF_CORE_READ_BITFIELD_PROBED(${holder}, ${last.field})`;
    } else {
      read = `BPF_CORE_READ(${this.kernelOperands(expr)})`;
    }
    const guards = this.kernelGuards(expr.path);
    return guards.length > 0 ? `(${guards.join(' && ')} ? ${read} : ${zeroValue(expr.type)})` : read;
  }

  /** `base, a, b.c, d[i]`: the operands of BPF_CORE_READ, one per pointer followed. */
  private kernelOperands(expr: Extract<IrExpr, { op: 'kernelRead' }>): string {
    const groups: KernelStep[][] = [[]];
    for (const step of expr.path) {
      if ('deref' in step) groups.push([]);
      else groups.at(-1)!.push(step);
    }
    return [this.operand(expr.base), ...groups.map((group) => this.kernelGroup(group))].join(', ');
  }

  /** Steps within one kernel struct: `a.b[i]`. */
  private kernelGroup(steps: KernelStep[]): string {
    return steps.map((step, i) => ('field' in step ? `${i > 0 ? '.' : ''}${step.field}` : 'index' in step ? `[${this.expr(step.index)}]` : '')).join('');
  }

  /** Range checks of the run-time indexes of a CO-RE read: an index out of range reads zero, as for any array. */
  private kernelGuards(path: KernelStep[]): string[] {
    return path.flatMap((step) => ('index' in step ? [this.indexGuard(step.index, step.length)].filter((g): g is string => g !== null) : []));
  }

  /** A probe read into a place, as many bytes as the place holds. */
  private probeRead(expr: Extract<IrExpr, { op: 'probeRead' }>): string {
    const source = `(const void *)${this.operand(expr.source)}`;
    const call = (address: string, size: string) => `${expr.helper}(${address}, ${size}, ${source})`;
    const target = expr.target;
    if (target.kind === 'tail') {
      const array = this.placeText(target.array);
      const start = target.start;
      if (isIntConstant(start)) return array.guard(call(`&${array.text}[${this.expr(start)}]`, `${target.length} - ${this.expr(start)}`));
      // The verifier checks the largest offset and the largest length apart: bound both, to a window of half the array.
      const window = target.length - Math.floor(target.length / 2);
      return array.guard(`(${this.operand(start)} <= ${target.length - window} ? ${call(`&${array.text}[${this.expr(start)}]`, String(window))} : ${E2BIG})`);
    }
    const place = this.placeText(target);
    return place.guard(call(`&${place.text}`, `sizeof(${place.text})`));
  }

  /** A helper's destination as C text, and how to guard a call writing into it (range checks, a missing map element). */
  private placeText(place: IrPlace): { text: string; guard: (call: string) => string } {
    if (place.kind === 'tail') throw new Error('a tail of a tail');
    const guarded = (guards: string[], failure: string) => (call: string) => (guards.length > 0 ? `(${guards.join(' && ')} ? ${call} : ${failure})` : call);
    if (place.kind === 'element') {
      const element = (place.ref.type as Extract<Type, { kind: 'pointer' }>).target;
      return { text: this.elementPlace(place.ref.name, place.path), guard: guarded([place.ref.name, ...this.pathGuards(place.path, element)], ENOENT) };
    }
    const { text, guards } = this.place(place.place);
    return { text, guard: guarded(guards, E2BIG) };
  }

  /**
   * `str_eq`/`starts_with`: the differences from the literal's bytes ORed together and compared with zero once —
   * no branch per byte, so the verifier walks it once instead of once per outcome of every byte.
   */
  private stringCompare(expr: Extract<IrExpr, { op: 'stringCompare' }>): string {
    const array = typeOf(expr.value) as Extract<Type, { kind: 'array' }>;
    const value = this.operand(expr.value);
    const differences = [...expr.literal].map((ch, i) => `(${value}[${i}] ^ ${ch.charCodeAt(0)})`);
    // A whole-string match also needs the string to end there, unless the literal fills the array.
    if (!expr.prefix && expr.literal.length < array.length) differences.push(`${value}[${expr.literal.length}]`);
    return differences.length === 0 ? 'true' : `((${differences.join(' | ')}) == 0)`;
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
      const text = `${object.text}${expr.viaPointer ? '->' : '.'}${expr.field}`;
      const cPlace = fieldOf(typeOf(expr.object), expr.field)?.cPlace;
      return { text: cPlace ? cPlace(text) : text, guards: object.guards };
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

  /** The function's context parameter (`ctx`). */
  contextParam(): IrLocal {
    return this.fn.params.find((p) => p.type.kind === 'context') ?? this.fn.params[0]!;
  }

  private context(expr: Extract<IrExpr, { op: 'context' }>): string {
    const ctx = this.contextParam();
    const context = CONTEXTS[(ctx.type as Extract<Type, { kind: 'context' }>).name]!;
    const access = expr.access;
    const kernel = this.kernelContext(access, expr.type, ctx.name, context);
    if (kernel !== null) return kernel;
    if (access.kind === 'field') return context.fields[access.name]!.c(ctx.name);
    if (access.kind === 'packetEnd') return packetPointer(ctx.name, 'data_end');
    // Context methods are named after their form (context-members.ts).
    const method = context.methods[access.kind]!;
    if (method.form === 'len' || (method.form === 'ret' && method.c)) return method.c!(ctx.name);
    if (method.form === 'read' && access.kind === 'read') return method.c(ctx.name, cType(expr.type), access.offset);
    if (method.form === 'arg' && access.kind === 'arg') return method.c(ctx.name, access.index);
    throw new Error(`ctx.${access.kind} has no C form in ${context.name}`);
  }

  /** Typed probe arguments and results, and the address of a record's `__data_loc` data. */
  private kernelContext(access: ContextAccess, type: Type, ctx: string, context: ContextInfo): string | null {
    switch (access.kind) {
      case 'probeArg':
        return `(${cType(type)})${context.probeArgs!.arg(ctx, access.index)}`;
      case 'probeRet':
        return `(${cType(type)})${context.probeArgs!.ret(ctx, access.params)}`;
      case 'dataLocation': {
        // The u32 holds the data's offset in its low 16 bits: from the record start, or (__rel_loc) from the end of the field.
        const base = access.relative ? ` + ${access.offset + 4}` : '';
        return `(__u64)((char *)${ctx}${base} + (*(__u32 *)((char *)${ctx} + ${access.offset}) & 0xffff))`;
      }
      default:
        return null;
    }
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

/** The field `name` of a struct, or of the struct a pointer points to. */
function fieldOf(type: Type, name: string): StructField | undefined {
  const struct = type.kind === 'pointer' ? type.target : type;
  return struct.kind === 'struct' ? struct.fields.find((f) => f.name === name) : undefined;
}

function stepType(type: Type, step: IrPathStep): Type {
  if ('field' in step) return type.kind === 'struct' ? type.fields.find((f) => f.name === step.field)!.type : type;
  return type.kind === 'array' ? type.element : type;
}

/** The zero value as an expression (a compound literal for structs). */
function zeroValue(type: Type): string {
  return type.kind === 'struct' ? `(${cType(type)}){}` : zeroInitializer(type);
}

/** What a helper call that cannot run returns: -E2BIG (no room left in the destination), -ENOENT (no map element). */
const E2BIG = '-7';
const ENOENT = '-2';

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

