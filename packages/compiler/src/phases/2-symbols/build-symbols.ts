// Phase 2: declarations → symbol table. Resolves type names, evaluates
// constants, validates map and program declarations, and reports duplicates.
import { pinPathProblem } from '@kernelscript/shared';
import type * as ast from '../1-parse/ast.js';
import { CompileError, located, reportStopped, type DiagnosticBag } from '../../diagnostics/diagnostic.js';
import { cIdentifier, isReservedInC } from '../../language/c-identifiers.js';
import { findMapKind, MAP_KINDS, PER_CPU_VALUE_LIMIT } from '../../language/map-kinds.js';
import { isProgramKind, PROGRAM_KINDS, type TargetRule } from '../../language/program-kinds.js';
import { didYouMean } from '../../util/suggest.js';
import { evaluateConst, evaluateConstInt, scopeConstants } from './const-eval.js';
import { resolveType } from './resolve-type.js';
import {
  kernelTypesOf,
  newScope,
  type KfuncSymbol,
  type ConfigSymbol,
  type FunctionSymbol,
  type MapSymbol,
  type Owner,
  type ProgramSymbol,
  type Scope,
  type SymbolTable,
  type UserspaceSymbol,
} from './symbol-table.js';
import { BOOL, CHAR, containsKernelType, INT_TYPES, intRange, layoutStruct, roundUp, sizeOf, VOID, typeName, type Type } from './types.js';
import type { KernelTypes } from '../../kernel/kernel-types.js';
import { BUILTIN_STRUCTS } from '../../language/headers.js';
import { CONTEXTS } from '../../language/context-members.js';

/** Why a reserved name cannot be used where it is not renamed (language/c-identifiers.ts). */
const RESERVED_WHY = 'C, libc, libbpf or the generated code already use it, and this name is copied into C as written';

const PIN_ROOT = '/sys/fs/bpf/';

export function buildSymbols(source: ast.SourceFile, diagnostics: DiagnosticBag, kernel: KernelTypes | null = null): SymbolTable {
  return new SymbolBuilder(source, diagnostics, kernel).build();
}

class SymbolBuilder {
  private readonly builtins: Scope;
  private readonly global: Scope;
  private readonly programs: ProgramSymbol[] = [];
  private readonly maps: MapSymbol[] = [];
  private readonly functions: FunctionSymbol[] = [];
  private readonly kfuncs: KfuncSymbol[] = [];
  private readonly config: ConfigSymbol[] = [];
  /** First declaration of every name per scope, for duplicate reports. */
  private readonly declared = new Map<Scope, Map<string, ast.Span>>();
  private userspace: UserspaceSymbol | null = null;

  constructor(
    private readonly source: ast.SourceFile,
    private readonly diagnostics: DiagnosticBag,
    kernel: KernelTypes | null,
  ) {
    this.builtins = builtinScope(kernel);
    this.global = newScope(this.builtins);
  }

  build(): SymbolTable {
    const programDecls: ast.ProgramDecl[] = [];
    this.declareAll(this.source.items, this.global, (item) => {
        switch (item.kind) {
          case 'ProgramDecl':
            this.declare(this.global, item.name);
            programDecls.push(item);
            break;
          case 'UserspaceBlock':
            this.declareUserspace(item);
            break;
          case 'FnDecl':
            this.declareFunction(item, this.global, { kind: 'kernel' });
            break;
          case 'ExternFnDecl':
            this.declareKfunc(item);
            break;
          default:
            this.declareItem(item, this.global, null);
        }
    });
    // Programs after all top-level declarations, so they may use helpers and
    // types declared further down the file.
    for (const decl of programDecls) this.recover(() => this.declareProgram(decl), this.global, decl);
    if (this.userspace) this.finishUserspace(this.userspace);
    this.qualifyCollidingLocalMaps();
    return {
      source: this.source,
      global: this.global,
      programs: this.programs,
      userspace: this.userspace,
      maps: this.maps,
      functions: this.functions,
      kfuncs: this.kfuncs,
      config: this.config,
    };
  }

  /**
   * Declares `items` in `scope` in order, each recovering on its own. Types
   * and constants are also declared at their first use, when an item before
   * them names them: names resolve file-wide.
   */
  private declareAll<Item extends ast.TopLevelItem | ast.ProgramItem | ast.UserspaceItem>(items: readonly Item[], scope: Scope, declareOne: (item: Item) => void): void {
    const done = new Set<Item>();
    const run = (item: Item): void => {
      if (done.has(item)) return;
      done.add(item);
      this.recover(() => declareOne(item), scope, item);
    };
    for (const item of items) {
      const later = item.kind === 'StructDecl' || item.kind === 'EnumDecl' || item.kind === 'TypeAliasDecl' || item.kind === 'ConstDecl';
      // The first declaration of a name: a second one is reported as declared twice where it stands.
      if (later && !scope.pending.has(item.name.name)) {
        const name = item.name.name;
        scope.pending.set(name, () => {
          scope.pending.delete(name);
          run(item);
        });
      }
    }
    for (const item of items) run(item);
    scope.pending.clear();
  }

  /**
   * Report a fatal problem in one declaration and carry on with the next;
   * the name it declares in `scope` is marked failed, so that its uses are
   * not reported again.
   */
  private recover(action: () => void, scope: Scope, item: ast.TopLevelItem | ast.ProgramItem | ast.UserspaceItem): void {
    try {
      action();
    } catch (error) {
      reportStopped(error, this.diagnostics);
      if ('name' in item && item.name) scope.failed.add(item.name.name);
    }
  }

  private declare(scope: Scope, name: ast.Identifier): void {
    let names = this.declared.get(scope);
    if (!names) this.declared.set(scope, (names = new Map()));
    const first = names.get(name.name);
    if (first) {
      throw new CompileError({
        severity: 'error',
        code: 'KS2001',
        message: `'${name.name}' is already declared`,
        span: name.span,
        notes: [`note: first declared at ${first.start.line}:${first.start.column}`],
        related: [{ message: `'${name.name}' is first declared here`, span: first }],
      });
    }
    names.set(name.name, name.span);
  }

  private declareItem(item: ast.TopLevelItem | ast.ProgramItem | ast.UserspaceItem, scope: Scope, program: string | null): void {
    switch (item.kind) {
      case 'MapDecl':
        return this.declareMap(item, scope, program);
      case 'StructDecl': {
        this.declare(scope, item.name);
        const fields = item.fields.map((f) => ({ name: f.name.name, type: storable(resolveType(f.type, scope), f.type.span, 'a struct field') }));
        const seen = new Set<string>();
        for (const field of item.fields) {
          if (seen.has(field.name.name)) throw located('KS2002', `struct '${item.name.name}' has two fields named '${field.name.name}'`, field.name.span);
          seen.add(field.name.name);
        }
        for (const field of item.fields) {
          if (isReservedInC(field.name.name)) throw located('KS2007', `'${field.name.name}' cannot name a struct field: ${RESERVED_WHY}`, field.name.span, 'note: the name rules are listed in docs/limits.md');
        }
        scope.types.set(item.name.name, layoutStruct(item.name.name, `struct ${cIdentifier(item.name.name)}`, fields));
        return;
      }
      case 'EnumDecl':
        return this.declareEnum(item, scope);
      case 'TypeAliasDecl':
        this.declare(scope, item.name);
        scope.types.set(item.name.name, resolveType(item.type, scope));
        return;
      case 'ConstDecl': {
        this.declare(scope, item.name);
        const value = evaluateConst(item.value, scopeConstants(scope));
        const type = item.type ? resolveType(item.type, scope) : typeof value === 'boolean' ? BOOL : INT_TYPES.u32;
        checkConstFits(value, type, item.value.span);
        scope.consts.set(item.name.name, { name: item.name.name, type, value, decl: item });
        return;
      }
      case 'ConfigBlock':
        return this.declareConfig(item, scope, program);
      case 'FnDecl':
        throw new Error('functions are declared by their owner');
      default:
        throw new Error(`${item.kind} cannot be declared here`);
    }
  }

  private declareEnum(decl: ast.EnumDecl, scope: Scope): void {
    this.declare(scope, decl.name);
    const values = new Map<string, bigint>();
    let next = 0n;
    for (const variant of decl.variants) {
      if (values.has(variant.name.name)) throw located('KS2003', `enum '${decl.name.name}' has two variants named '${variant.name.name}'`, variant.name.span);
      const value = variant.value ? evaluateConstInt(variant.value, scopeConstants(scope), 'an enum value') : next;
      values.set(variant.name.name, value);
      next = value + 1n;
    }
    const all = [...values.values()];
    if (all.some((v) => v < 0n)) throw located('KS2004', `enum '${decl.name.name}' has a negative value; enum values must be unsigned`, decl.name.span);
    const underlying = all.some((v) => v > 0xffff_ffffn) ? INT_TYPES.u64 : INT_TYPES.u32;
    scope.types.set(decl.name.name, { kind: 'enum', name: decl.name.name, values, underlying });
  }

  private declareConfig(block: ast.ConfigBlock, scope: Scope, program: string | null): void {
    for (const field of block.fields) {
      this.declare(scope, { ...field.name, name: `config.${field.name.name}` });
      const type = resolveType(field.type, scope);
      if (type.kind !== 'int' && type.kind !== 'bool' && type.kind !== 'enum') {
        throw located('KS2016', `config field '${field.name.name}' must have an integer, bool or enum type, not ${typeName(type)}`, field.type.span);
      }
      const defaultValue = evaluateConst(field.value, scopeConstants(scope));
      checkConstFits(defaultValue, type, field.value.span);
      const symbol: ConfigSymbol = {
        name: field.name.name,
        program,
        cName: program ? `${program}_config_${field.name.name}` : `config_${field.name.name}`,
        type,
        defaultValue,
        decl: field,
      };
      scope.config.set(field.name.name, symbol);
      this.config.push(symbol);
    }
  }

  private declareMap(decl: ast.MapDecl, scope: Scope, program: string | null): void {
    this.declare(scope, decl.name);
    const kind = findMapKind(decl.mapKind.name);
    if (!kind) {
      throw located('KS2101', 
        `unknown map kind '${decl.mapKind.name}'`,
        decl.mapKind.span,
        ...didYouMean(decl.mapKind.name, Object.values(MAP_KINDS).map((k) => k.sourceName)),
      );
    }
    const keyless = kind.key === 'none';
    if (keyless !== (decl.keyType === null)) {
      throw located('KS2102', 
        keyless
          ? `a ${kind.sourceName} takes one type parameter, the event type: map<E> ${decl.name.name} : ${kind.sourceName}(size)`
          : `a ${kind.sourceName} takes a key and a value type: map<K, V>`,
        decl.span,
      );
    }
    const key = decl.keyType ? storable(resolveType(decl.keyType, scope), decl.keyType.span, 'a map key') : null;
    const value = storable(resolveType(decl.valueType, scope), decl.valueType.span, 'a map value');
    const maxEntries = evaluateConstInt(decl.maxEntries, scopeConstants(scope), 'the map size');
    if (maxEntries <= 0n || maxEntries > 0xffff_ffffn) throw located('KS2103', 'the map size must be between 1 and 4294967295', decl.maxEntries.span);
    if (maxEntries > BigInt(kind.maxEntries)) {
      throw located(
        'KS2117',
        `a ${kind.sourceName} holds at most ${kind.maxEntries.toLocaleString('en')} ${kind.size === 'ring-bytes' ? 'bytes' : 'entries'}: the kernel refuses ${maxEntries.toLocaleString('en')} (E2BIG)`,
        decl.maxEntries.span,
        'note: the limits are listed in docs/limits.md',
      );
    }
    if (kind.size === 'ring-bytes' && (maxEntries % 4096n !== 0n || (maxEntries & (maxEntries - 1n)) !== 0n)) {
      throw located('KS2104', `a ring buffer's size must be a power of two and a multiple of 4096 bytes, not ${maxEntries}`, decl.maxEntries.span);
    }
    if (kind.key === 'u32-index' && key && !(key.kind === 'int' && key.size === 4) && !(key.kind === 'enum' && key.underlying.size === 4)) {
      throw located('KS2105', `${kind.sourceName} keys are u32 indexes or enums, not ${typeName(key)}`, decl.keyType!.span);
    }
    // An enum key indexes the array: every variant must be one of its indexes (LANGUAGE.md §16).
    if (key?.kind === 'enum' && kind.key === 'u32-index') {
      const outside = [...key.values].find(([, value]) => value >= maxEntries);
      if (outside) {
        throw located('KS2116', `${key.name}::${outside[0]} is ${outside[1]}, past the last index of ${kind.sourceName}(${maxEntries})`, decl.maxEntries.span, `help: make the map at least ${outside[1] + 1n} long`);
      }
    }
    if (kind.key === 'u32' && key && !(key.kind === 'int' && key.size === 4)) {
      throw located('KS2105', `${kind.sourceName} keys are u32, not ${typeName(key)}`, decl.keyType!.span);
    }
    if (kind.value !== 'any' && !(value.kind === 'int' && value.name === 'u32')) {
      throw located('KS2106', `${kind.sourceName} values are u32${kind.value === 'ifindex' ? ' interface indexes' : ''}, not ${typeName(value)}`, decl.valueType.span);
    }
    if (kind.key === 'lpm-prefix') {
      const first = key?.kind === 'struct' ? key.fields[0] : undefined;
      if (!first || first.name !== 'prefixlen' || !(first.type.kind === 'int' && first.type.name === 'u32')) {
        throw located('KS2107', 'an LpmTrie key must be a struct whose first field is `prefixlen: u32`', decl.keyType!.span);
      }
    }
    for (const type of [key, value]) {
      if (type && (type.kind === 'void' || type.kind === 'pointer' || type.kind === 'context')) {
        throw located('KS2108', `a map cannot hold values of type ${typeName(type)}`, decl.span);
      }
    }
    // The kernel keeps each CPU's copy of a value in one per-CPU allocation unit (PCPU_MIN_UNIT_SIZE).
    if (kind.perCpu && roundUp(sizeOf(value), 8) > PER_CPU_VALUE_LIMIT) {
      throw located(
        'KS2118',
        `a ${kind.sourceName} value is at most ${PER_CPU_VALUE_LIMIT.toLocaleString('en')} bytes: the kernel refuses ${typeName(value)} (${sizeOf(value).toLocaleString('en')} bytes, E2BIG)`,
        decl.valueType.span,
        'note: the limits are listed in docs/limits.md',
      );
    }
    const { pinPath, flags } = this.mapAttributes(decl, kind.requiredFlags);
    const name = program ? `${program}::${decl.name.name}` : decl.name.name;
    const symbol: MapSymbol = {
      name,
      declName: decl.name.name,
      objectName: cIdentifier(decl.name.name),
      decl,
      kind,
      key,
      value,
      maxEntries: Number(maxEntries),
      pinPath,
      flags,
      program,
    };
    scope.maps.set(decl.name.name, symbol);
    this.maps.push(symbol);
  }

  private mapAttributes(decl: ast.MapDecl, requiredFlags: string[]): { pinPath: string | null; flags: string[] } {
    let pinPath: string | null = null;
    const flags = new Set<string>(requiredFlags);
    const seen = new Set<string>();
    for (const attribute of decl.attributes) {
      const name = attribute.name.name;
      if (seen.has(name)) throw located('KS2109', `attribute '${name}' is given twice`, attribute.span);
      seen.add(name);
      switch (name) {
        case 'pinned':
          if (attribute.value === null) {
            pinPath = `${PIN_ROOT}${decl.name.name}`;
          } else if (attribute.value.kind !== 'StringLiteral') {
            throw located('KS2110', '`pinned` takes a path string: pinned: "/sys/fs/bpf/name"', attribute.value.span);
          } else if (pinPathProblem(attribute.value.value) !== null) {
            // The shared rule (also the runtime's): a normal path under /sys/fs/bpf/, no `..`, NUL or control character.
            throw located('KS2111', `the pin path ${JSON.stringify(attribute.value.value)} cannot be used: ${pinPathProblem(attribute.value.value)}`, attribute.value.span);
          } else {
            pinPath = attribute.value.value;
          }
          break;
        case 'no_prealloc':
        case 'read_only':
        case 'write_only': {
          if (attribute.value !== null) throw located('KS2112', `attribute '${name}' takes no value`, attribute.value.span);
          flags.add({ no_prealloc: 'BPF_F_NO_PREALLOC', read_only: 'BPF_F_RDONLY', write_only: 'BPF_F_WRONLY' }[name]);
          break;
        }
        default:
          throw located('KS2113', 
            `unknown map attribute '${name}'`,
            attribute.name.span,
            ...didYouMean(name, ['pinned', 'no_prealloc', 'read_only', 'write_only']),
          );
      }
    }
    if (flags.has('BPF_F_RDONLY') && flags.has('BPF_F_WRONLY')) throw located('KS2114', 'a map cannot be both read_only and write_only', decl.span);
    return { pinPath, flags: [...flags] };
  }

  private declareFunction(decl: ast.FnDecl, scope: Scope, owner: Owner): FunctionSymbol {
    this.declare(scope, decl.name);
    const cName =
      owner.kind === 'program'
        ? decl.name.name === 'main'
          ? owner.program
          : `${owner.program}__${decl.name.name}`
        : owner.kind === 'userspace' && decl.name.name === 'main'
          ? 'user_main'
          : cIdentifier(decl.name.name);
    const symbol: FunctionSymbol = {
      name: decl.name.name,
      cName,
      decl,
      owner,
      params: decl.params.map((p) => ({ name: p.name.name, type: resolveType(p.type, scope), span: p.span })),
      returnType: decl.returnType ? resolveType(decl.returnType, scope) : VOID,
    };
    const paramNames = new Set<string>();
    for (const param of decl.params) {
      if (paramNames.has(param.name.name)) throw located('KS2006', `parameter '${param.name.name}' is declared twice`, param.name.span);
      paramNames.add(param.name.name);
    }
    scope.functions.set(symbol.name, symbol);
    this.functions.push(symbol);
    return symbol;
  }

  /** `extern fn`: the kernel must have this kfunc, with these parameter and result types (LANGUAGE.md §13). */
  private declareKfunc(decl: ast.ExternFnDecl): void {
    this.declare(this.global, decl.name);
    const symbol: KfuncSymbol = {
      name: decl.name.name,
      decl,
      params: decl.params.map((p) => ({ name: p.name.name, type: resolveType(p.type, this.global), span: p.type.span })),
      returnType: decl.returnType ? resolveType(decl.returnType, this.global) : VOID,
    };
    const kernel = kernelTypesOf(this.global);
    if (!kernel) throw located('KS6001', `extern fn ${decl.name.name} needs the kernel's BTF`, decl.name.span);
    kernel.checkKfunc(symbol);
    this.kfuncs.push(symbol);
  }

  private declareProgram(decl: ast.ProgramDecl): void {
    const kindName = decl.programKind.name;
    if (!isProgramKind(kindName)) {
      throw located('KS2201', `unknown program kind '${kindName}'`, decl.programKind.span, ...didYouMean(kindName, Object.keys(PROGRAM_KINDS)));
    }
    const info = PROGRAM_KINDS[kindName];
    // A program's name is its C function and its name in the kernel (bpftool prog list): it is not renamed.
    if (isReservedInC(decl.name.name)) throw located('KS2007', `'${decl.name.name}' cannot name a program: ${RESERVED_WHY}`, decl.name.span, 'note: the name rules are listed in docs/limits.md');
    const target = this.programTarget(decl, info.target);
    const scope = newScope(this.global);
    const owner: Owner = { kind: 'program', program: decl.name.name };
    let main: FunctionSymbol | null = null;
    this.declareAll(decl.items, scope, (item) => {
      if (item.kind === 'FnDecl') {
        const fn = this.declareFunction(item, scope, owner);
        if (fn.name === 'main') main = fn;
      } else {
        this.declareItem(item, scope, decl.name.name);
      }
    });
    if (!main) {
      throw located('KS2202', `program '${decl.name.name}' has no main function`, decl.name.span, `help: add fn main(ctx: ${info.context}) -> ${info.returnType} { ... }`);
    }
    this.checkMainSignature(main, info.context, info.returnType);
    this.programs.push({ name: decl.name.name, decl, info, target, section: info.section(target), main, scope });
  }

  private programTarget(decl: ast.ProgramDecl, rule: TargetRule): string | null {
    const target = decl.target?.value ?? null;
    const kind = decl.programKind.name;
    if (rule.kind === 'none') {
      if (target !== null) throw located('KS2203', `a ${kind} program takes no target`, decl.target!.span);
      return null;
    }
    const required = rule.kind === 'name' || rule.required;
    if (required && target === null) {
      const example = rule.kind === 'name' ? rule.example : '"ingress"';
      throw located('KS2204', `a ${kind} program needs a target: program ${decl.name.name} : ${kind}(${example})`, decl.programKind.span);
    }
    if (rule.kind === 'direction') {
      if (target !== null && target !== 'ingress' && target !== 'egress') {
        throw located('KS2205', `the target of a ${kind} program is "ingress" or "egress", not ${JSON.stringify(target)}`, decl.target!.span);
      }
      return target ?? 'ingress';
    }
    if (rule.pattern && !rule.pattern.regex.test(target!)) {
      throw located('KS2206', `a ${kind} target is ${rule.pattern.shape}, not ${JSON.stringify(target)}`, decl.target!.span);
    }
    const problem = rule.check?.problem(target!);
    if (problem) throw located(rule.check!.code, problem, decl.target!.span);
    return target;
  }

  private checkMainSignature(main: FunctionSymbol, contextType: string, returnType: string): void {
    const [param, ...rest] = main.params;
    if (!param || rest.length > 0 || param.type.kind !== 'context' || param.type.name !== contextType) {
      throw located('KS2207', `this program's main takes one parameter, (ctx: ${contextType})`, main.decl.name.span);
    }
    const ret = main.returnType;
    const ok = returnType === 'i32' ? ret.kind === 'int' && ret.name === 'i32' : ret.kind === 'action' && ret.name === returnType;
    if (!ok) throw located('KS2208', `this program's main must return ${returnType}, not ${typeName(ret)}`, main.decl.returnType?.span ?? main.decl.name.span);
  }

  private declareUserspace(decl: ast.UserspaceBlock): void {
    if (this.userspace) throw located('KS2209', 'there can be only one userspace block', decl.span);
    const scope = newScope(this.global);
    this.userspace = { decl, scope, main: null };
  }

  private finishUserspace(userspace: UserspaceSymbol): void {
    this.declareAll(userspace.decl.items, userspace.scope, (item) => {
      if (item.kind === 'FnDecl') {
        const fn = this.declareFunction(item, userspace.scope, { kind: 'userspace' });
        if (fn.name === 'main') userspace.main = fn;
      } else {
        this.declareItem(item, userspace.scope, null);
      }
    });
    const main = userspace.main;
    if (main) {
      const ok = main.returnType.kind === 'int' && main.returnType.name === 'i32' && main.params.every((p) => p.type.kind === 'int');
      if (!ok || main.params.length > 2) {
        throw located('KS2210', 'the userspace main is fn main(argc: u32, argv: u64) -> i32 (parameters optional)', main.decl.name.span);
      }
    }
  }

  /** Local maps keep their name in the object unless two of them share it. */
  private qualifyCollidingLocalMaps(): void {
    const byName = new Map<string, MapSymbol[]>();
    for (const map of this.maps) byName.set(map.declName, [...(byName.get(map.declName) ?? []), map]);
    for (const [name, maps] of byName) {
      if (maps.length < 2) continue;
      for (const map of maps) {
        if (map.program === null) continue;
        map.objectName = `${map.program}__${name}`;
        this.diagnostics.info('KS2115', `local map '${map.name}' is named '${map.objectName}' in the object file, since several maps are named '${name}'`, map.decl.name.span);
      }
    }
  }

}

function builtinScope(kernel: KernelTypes | null): Scope {
  const scope = newScope(null);
  scope.kernel = kernel;
  for (const [name, type] of Object.entries(INT_TYPES)) scope.types.set(name, type);
  scope.types.set('bool', BOOL);
  scope.types.set('char', CHAR);
  scope.types.set('void', VOID);
  scope.types.set('XdpAction', { kind: 'action', name: 'XdpAction' });
  scope.types.set('TcAction', { kind: 'action', name: 'TcAction' });
  for (const name of Object.keys(CONTEXTS)) scope.types.set(name, { kind: 'context', name });
  for (const [name, struct] of Object.entries(BUILTIN_STRUCTS)) scope.types.set(name, struct);
  return scope;
}

/** Kernel pointers live only in kernel code: userspace and the loaders could not follow one. */
function storable(type: Type, span: ast.Span, what: string): Type {
  if (containsKernelType(type)) {
    throw located('KS6015', `a kernel pointer cannot be ${what}: only kernel code can follow it`, span, 'help: store the address as a u64 (`p as u64`) and cast it back where it is read (`addr as *sock`)');
  }
  return type;
}

function checkConstFits(value: bigint | boolean, type: Type, span: ast.Span): void {
  if (type.kind === 'bool') {
    if (typeof value !== 'boolean') throw located('KS2014', `expected a bool, found an integer`, span);
    return;
  }
  if (typeof value === 'boolean') throw located('KS2014', `expected ${typeName(type)}, found a bool`, span);
  const intType = type.kind === 'enum' ? type.underlying : type.kind === 'int' ? type : null;
  if (!intType) throw located('KS2014', `a constant of type ${typeName(type)} is not supported`, span);
  const [min, max] = intRange(intType);
  if (value < min || value > max) throw located('KS2015', `${value} does not fit in ${intType.name} (${min}..${max})`, span);
}
