// Every name in a checked document and what it denotes: the declarations
// (by their name's span) and the references, read from the type checker's
// side tables (`resolutions`, `types`) and the symbol table's scopes. This is
// what definition, references, rename, hover and semantic tokens look up.
import type * as ast from '../phases/1-parse/ast.js';
import { walk } from '../phases/1-parse/walk.js';
import { kernelTypesOf, lookup, type ConfigSymbol, type ConstSymbol, type FunctionSymbol, type MapSymbol, type ProgramSymbol, type Scope, type SymbolTable } from '../phases/2-symbols/symbol-table.js';
import { typeName, type KernelStructType, type StructType, type Type } from '../phases/2-symbols/types.js';
import type { LocalVariable, TypedSystem } from '../phases/3-typecheck/typed-system.js';
import type { BuiltinFunction } from '../language/builtin-functions.js';
import type { DocumentCheck } from './document.js';

/** What a name denotes. One object per entity within a check, so identity compares them. */
export type Entity =
  | { kind: 'map'; name: string; map: MapSymbol }
  | { kind: 'program'; name: string; program: ProgramSymbol }
  | { kind: 'function'; name: string; fn: FunctionSymbol }
  | { kind: 'struct'; name: string; type: StructType; decl: ast.StructDecl | null }
  | { kind: 'enum'; name: string; type: Type & { kind: 'enum' }; decl: ast.EnumDecl | null }
  | { kind: 'alias'; name: string; type: Type; decl: ast.TypeAliasDecl }
  | { kind: 'variant'; name: string; enumName: string; value: bigint; decl: ast.EnumVariant | null }
  | { kind: 'field'; name: string; struct: StructType; fieldType: Type; offset: number; decl: ast.StructField | null }
  | { kind: 'kernel-struct'; name: string; type: KernelStructType }
  | { kind: 'kernel-field'; name: string; owner: KernelStructType; fieldType: Type | null; offset: number }
  | { kind: 'const'; name: string; symbol: ConstSymbol }
  | { kind: 'config'; name: string; config: ConfigSymbol }
  | { kind: 'local'; name: string; local: LocalVariable; fn: FunctionSymbol }
  | { kind: 'builtin-function'; name: string; builtin: BuiltinFunction }
  | { kind: 'builtin-constant'; name: string; value: bigint; type: string }
  | { kind: 'builtin-type'; name: string; type: Type }
  | { kind: 'context-member'; name: string; context: string; memberType: Type | null; method: boolean; writable: boolean }
  | { kind: 'map-method'; name: string; map: MapSymbol };

export interface Occurrence {
  span: ast.Span;
  entity: Entity;
  /** The name where the entity is declared. */
  declaration: boolean;
}

export interface SymbolIndex {
  /** Every occurrence, in source order. */
  occurrences: Occurrence[];
  /** The occurrence under `offset` (a cursor touching either end of a name counts). */
  at(offset: number): Occurrence | null;
  /** The declaration and every reference of `entity`, in source order. */
  of(entity: Entity): Occurrence[];
  /** Where `entity` is declared, if it is declared in the file. */
  declarationOf(entity: Entity): Occurrence | null;
}

const indexes = new WeakMap<DocumentCheck, SymbolIndex>();

/** The index of a check, built on first use. */
export function indexOf(check: DocumentCheck): SymbolIndex {
  let index = indexes.get(check);
  if (!index) indexes.set(check, (index = indexSymbols(check)));
  return index;
}

/** The index of a check; empty when the file did not get through name resolution. */
export function indexSymbols(check: DocumentCheck): SymbolIndex {
  const occurrences = check.symbols ? new Indexer(check.symbols, check.typed).run() : [];
  occurrences.sort((a, b) => a.span.start.offset - b.span.start.offset);
  return {
    occurrences,
    at(offset) {
      // Prefer a name that starts at the cursor over one that ends there (`a|.b` is on `b` only when at its start).
      return occurrences.find((o) => o.span.start.offset <= offset && offset < o.span.end.offset) ?? occurrences.find((o) => o.span.end.offset === offset) ?? null;
    },
    of(entity) {
      return occurrences.filter((o) => o.entity === entity);
    },
    declarationOf(entity) {
      return occurrences.find((o) => o.entity === entity && o.declaration) ?? null;
    },
  };
}

type TypeDecl = ast.StructDecl | ast.EnumDecl;

class Indexer {
  private readonly occurrences: Occurrence[] = [];
  /** Entities by what identifies them: symbols, declarations, types, built-in names. */
  private readonly entities = new Map<unknown, Entity>();
  /** The declaration behind each struct and enum type. */
  private readonly typeDecls = new Map<Type, TypeDecl>();
  /** `ctx.header` in `ctx.header<T>(0)`: member expressions that are called, with their call. */
  private readonly methodCallees = new Map<ast.MemberExpr, ast.CallExpr>();
  /** Aliases share their Type object with what they name, so they are known by scope and name. */
  private readonly aliasDecls = new Map<Scope, Map<string, ast.TypeAliasDecl>>();

  constructor(
    private readonly symbols: SymbolTable,
    private readonly typed: TypedSystem | null,
  ) {}

  run(): Occurrence[] {
    const { symbols } = this;
    this.collectTypeDecls(symbols.source.items, symbols.global);
    for (const program of symbols.programs) this.collectTypeDecls(program.decl.items, program.scope);
    if (symbols.userspace) this.collectTypeDecls(symbols.userspace.decl.items, symbols.userspace.scope);
    this.items(symbols.source.items, symbols.global);
    return this.occurrences;
  }

  private entity<E extends Entity>(key: unknown, make: () => E): E {
    let entity = this.entities.get(key);
    if (!entity) this.entities.set(key, (entity = make()));
    return entity as E;
  }

  private add(span: ast.Span, entity: Entity | null, declaration = false): void {
    if (entity) this.occurrences.push({ span, entity, declaration });
  }

  private collectTypeDecls(items: readonly ast.TopLevelItem[], scope: Scope): void {
    for (const item of items) {
      if (item.kind === 'TypeAliasDecl') {
        if (!this.aliasDecls.has(scope)) this.aliasDecls.set(scope, new Map());
        if (!this.aliasDecls.get(scope)!.has(item.name.name)) this.aliasDecls.get(scope)!.set(item.name.name, item);
        continue;
      }
      if (item.kind !== 'StructDecl' && item.kind !== 'EnumDecl') continue;
      const type = scope.types.get(item.name.name);
      if (type && !this.typeDecls.has(type)) this.typeDecls.set(type, item);
    }
  }

  // ---------- entities ----------

  /** The entity a type name denotes in `scope`: the innermost scope that declares the name decides. */
  private typeEntity(name: string, scope: Scope): Entity | null {
    for (let s: Scope | null = scope; s; s = s.parent) {
      const alias = this.aliasDecls.get(s)?.get(name);
      const type = s.types.get(name);
      if (!type) continue;
      if (alias) return this.entity(alias, () => ({ kind: 'alias', name, type, decl: alias }));
      if (type.kind === 'struct') return this.structEntity(type);
      if (type.kind === 'enum') return this.entity(type, () => ({ kind: 'enum', name, type, decl: (this.typeDecls.get(type) as ast.EnumDecl | undefined) ?? null }));
      return this.entity(`type:${name}`, () => ({ kind: 'builtin-type', name, type }));
    }
    const kernel = kernelTypesOf(scope)?.describe(name);
    return kernel ? this.entity(`kernel:${kernel.btfId}`, () => ({ kind: 'kernel-struct', name, type: kernel })) : null;
  }

  /** A field of a kernel struct or union, from the BTF the document was checked against. */
  private kernelFieldEntity(owner: KernelStructType, name: string): Entity | null {
    const field = kernelTypesOf(this.symbols.global)?.describeField(owner, name);
    return field ? this.entity(`kernel:${owner.btfId}.${name}`, () => ({ kind: 'kernel-field', name, owner, fieldType: field.type, offset: field.offset })) : null;
  }

  private structEntity(type: StructType): Entity {
    return this.entity(type, () => ({ kind: 'struct', name: type.name, type, decl: (this.typeDecls.get(type) as ast.StructDecl | undefined) ?? null }));
  }

  private fieldEntity(struct: StructType, name: string): Entity | null {
    const field = struct.fields.find((f) => f.name === name);
    if (!field) return null;
    const decl = this.typeDecls.get(struct);
    const fieldDecl = decl?.kind === 'StructDecl' ? (decl.fields.find((f) => f.name.name === name) ?? null) : null;
    return this.entity(fieldDecl ?? `${struct.name}.${name}`, () => ({ kind: 'field', name, struct, fieldType: field.type, offset: field.offset, decl: fieldDecl }));
  }

  private variantEntity(type: Type & { kind: 'enum' }, name: string): Entity | null {
    const value = type.values.get(name);
    if (value === undefined) return null;
    const decl = this.typeDecls.get(type);
    const variant = decl?.kind === 'EnumDecl' ? (decl.variants.find((v) => v.name.name === name) ?? null) : null;
    return this.entity(variant ?? `${type.name}::${name}`, () => ({ kind: 'variant', name, enumName: type.name, value, decl: variant }));
  }

  private mapEntity(map: MapSymbol): Entity {
    return this.entity(map, () => ({ kind: 'map', name: map.name, map }));
  }

  private programEntity(program: ProgramSymbol): Entity {
    return this.entity(program, () => ({ kind: 'program', name: program.name, program }));
  }

  private functionEntity(fn: FunctionSymbol): Entity {
    return this.entity(fn, () => ({ kind: 'function', name: fn.name, fn }));
  }

  private localEntity(local: LocalVariable, fn: FunctionSymbol): Entity {
    return this.entity(local, () => ({ kind: 'local', name: local.name, local, fn }));
  }

  private constEntity(name: string, scope: Scope): Entity | null {
    const symbol = lookup(scope, 'consts', name);
    return symbol ? this.entity(symbol, () => ({ kind: 'const', name, symbol })) : null;
  }

  // ---------- declarations ----------

  private items(items: readonly ast.TopLevelItem[], scope: Scope): void {
    for (const item of items) {
      switch (item.kind) {
        case 'MapDecl': {
          const map = this.symbols.maps.find((m) => m.decl === item);
          if (map) this.add(item.name.span, this.mapEntity(map), true);
          if (item.keyType) this.typeExpr(item.keyType, scope);
          this.typeExpr(item.valueType, scope);
          this.constExpr(item.maxEntries, scope);
          break;
        }
        case 'ProgramDecl': {
          const program = this.symbols.programs.find((p) => p.decl === item);
          if (!program) break;
          this.add(item.name.span, this.programEntity(program), true);
          this.items(item.items, program.scope);
          break;
        }
        case 'UserspaceBlock':
          if (this.symbols.userspace) this.items(item.items, this.symbols.userspace.scope);
          break;
        case 'FnDecl':
          this.fnDecl(item, scope);
          break;
        case 'StructDecl': {
          const type = scope.types.get(item.name.name);
          if (type?.kind !== 'struct' || this.typeDecls.get(type) !== item) break;
          this.add(item.name.span, this.structEntity(type), true);
          for (const field of item.fields) {
            this.add(field.name.span, this.fieldEntity(type, field.name.name), true);
            this.typeExpr(field.type, scope);
          }
          break;
        }
        case 'EnumDecl': {
          const type = scope.types.get(item.name.name);
          if (type?.kind !== 'enum' || this.typeDecls.get(type) !== item) break;
          this.add(item.name.span, this.entity(type, () => ({ kind: 'enum', name: type.name, type, decl: item })), true);
          for (const variant of item.variants) {
            this.add(variant.name.span, this.variantEntity(type, variant.name.name), true);
            if (variant.value) this.constExpr(variant.value, scope);
          }
          break;
        }
        case 'TypeAliasDecl': {
          const type = scope.types.get(item.name.name);
          if (type && this.aliasDecls.get(scope)?.get(item.name.name) === item) this.add(item.name.span, this.entity(item, () => ({ kind: 'alias', name: item.name.name, type, decl: item })), true);
          this.typeExpr(item.type, scope);
          break;
        }
        case 'ConstDecl':
          this.add(item.name.span, this.constEntity(item.name.name, scope), true);
          if (item.type) this.typeExpr(item.type, scope);
          this.constExpr(item.value, scope);
          break;
        case 'ConfigBlock':
          for (const field of item.fields) {
            const config = this.symbols.config.find((c) => c.decl === field);
            if (config) this.add(field.name.span, this.entity(config, () => ({ kind: 'config', name: config.name, config })), true);
            this.typeExpr(field.type, scope);
            this.constExpr(field.value, scope);
          }
          break;
      }
    }
  }

  private typeExpr(type: ast.TypeExpr, scope: Scope): void {
    switch (type.kind) {
      case 'NamedType':
        this.add(type.span, this.typeEntity(type.name, scope));
        return;
      case 'ArrayType':
        this.typeExpr(type.element, scope);
        this.constExpr(type.length, scope);
        return;
      case 'PointerType':
        this.typeExpr(type.target, scope);
    }
  }

  /** Constant expressions outside functions (sizes, values): their names are constants or enum variants. */
  private constExpr(expr: ast.Expr, scope: Scope): void {
    walk(expr, (node) => {
      if (node.kind === 'Identifier') this.add(node.span, this.constEntity(node.name, scope));
      if (node.kind === 'PathExpr' && node.segments.length === 2) this.enumPath(node, scope);
    });
  }

  private enumPath(path: ast.PathExpr, scope: Scope): void {
    const [first, second] = path.segments as [ast.Identifier, ast.Identifier];
    const type = lookup(scope, 'types', first.name);
    if (type?.kind !== 'enum') return;
    this.add(first.span, this.typeEntity(first.name, scope));
    this.add(second.span, this.variantEntity(type, second.name));
  }

  private fnDecl(decl: ast.FnDecl, scope: Scope): void {
    const fn = this.symbols.functions.find((f) => f.decl === decl);
    if (!fn) return;
    this.add(decl.name.span, this.functionEntity(fn), true);
    for (const param of decl.params) this.typeExpr(param.type, scope);
    if (decl.returnType) this.typeExpr(decl.returnType, scope);
    const typedFn = this.typed?.functions.find((f) => f.symbol === fn);
    typedFn?.params.forEach((local, i) => this.add(decl.params[i]!.name.span, this.localEntity(local, fn), true));
    this.body(decl.body, fn, scope, typedFn?.params[0] ?? null);
  }

  // ---------- function bodies ----------

  private body(block: ast.Block, fn: FunctionSymbol, scope: Scope, context: LocalVariable | null): void {
    const typed = this.typed;
    if (!typed) return;
    walk(block, (node) => {
      switch (node.kind) {
        case 'LetStmt': {
          const resolution = typed.resolutions.get(node);
          if (resolution?.kind === 'local') this.add(node.name.span, this.localEntity(resolution.local, fn), true);
          if (node.type) this.typeExpr(node.type, scope);
          return;
        }
        case 'ForRangeStmt': {
          const resolution = typed.resolutions.get(node);
          if (resolution?.kind === 'local') this.add(node.variable.span, this.localEntity(resolution.local, fn), true);
          return;
        }
        case 'ForEachStmt': {
          const resolution = typed.resolutions.get(node);
          if (resolution?.kind !== 'iteration') return;
          this.add(node.key.span, this.localEntity(resolution.key, fn), true);
          this.add(node.value.span, this.localEntity(resolution.value, fn), true);
          return;
        }
        case 'Identifier':
          return this.identifier(node, fn, scope, context);
        case 'PathExpr':
          return this.path(node, scope);
        case 'MemberExpr':
          return this.member(node);
        case 'CallExpr':
          if (node.callee.kind === 'MemberExpr') this.methodCallees.set(node.callee, node);
          for (const type of node.typeArgs) this.typeExpr(type, scope);
          return;
        case 'CastExpr':
          this.typeExpr(node.type, scope);
          return;
        case 'StructLiteral': {
          const type = lookup(scope, 'types', node.name.name);
          if (type?.kind !== 'struct') return;
          this.add(node.name.span, this.structEntity(type));
          for (const field of node.fields) this.add(field.name.span, this.fieldEntity(type, field.name.name));
          return;
        }
        case 'TailCallExpr': {
          const program = this.symbols.programs.find((p) => p.name === node.target.name);
          if (program) this.add(node.target.span, this.programEntity(program));
          return;
        }
      }
    });
  }

  private identifier(node: ast.Identifier, fn: FunctionSymbol, scope: Scope, context: LocalVariable | null): void {
    const resolution = this.typed!.resolutions.get(node);
    if (!resolution) return;
    switch (resolution.kind) {
      case 'local':
        return this.add(node.span, this.localEntity(resolution.local, fn));
      case 'context':
        if (context) this.add(node.span, this.localEntity(context, fn));
        return;
      case 'map':
        return this.add(node.span, this.mapEntity(resolution.map));
      case 'function':
        return this.add(node.span, this.functionEntity(resolution.fn));
      case 'program':
        return this.add(node.span, this.programEntity(resolution.program));
      case 'builtin':
        return this.add(node.span, this.entity(resolution.builtin, () => ({ kind: 'builtin-function', name: node.name, builtin: resolution.builtin })));
      case 'action':
        return this.add(node.span, this.entity(`constant:${node.name}`, () => ({ kind: 'builtin-constant', name: node.name, value: BigInt(resolution.value), type: node.name.startsWith('XDP_') ? 'XdpAction' : 'TcAction' })));
      case 'constant': {
        const user = this.constEntity(node.name, scope);
        if (user) return this.add(node.span, user);
        return this.add(node.span, this.entity(`constant:${node.name}`, () => ({ kind: 'builtin-constant', name: node.name, value: resolution.value as bigint, type: resolution.type.kind === 'int' ? resolution.type.name : 'u32' })));
      }
      default:
        return;
    }
  }

  private path(node: ast.PathExpr, scope: Scope): void {
    const resolution = this.typed!.resolutions.get(node);
    if (resolution?.kind === 'map' && node.segments.length === 2) {
      const program = this.symbols.programs.find((p) => p.name === node.segments[0]!.name);
      if (program) this.add(node.segments[0]!.span, this.programEntity(program));
      this.add(node.segments[1]!.span, this.mapEntity(resolution.map));
      return;
    }
    if (resolution?.kind === 'constant' && resolution.type.kind === 'enum') this.enumPath(node, scope);
    else if (resolution?.kind === 'action') {
      const [, variant] = node.segments as [ast.Identifier, ast.Identifier];
      this.add(variant.span, this.entity(`constant:${resolution.constant}`, () => ({ kind: 'builtin-constant', name: resolution.constant, value: BigInt(resolution.value), type: node.segments[0]!.name })));
    }
  }

  private member(node: ast.MemberExpr): void {
    const typed = this.typed!;
    const resolution = typed.resolutions.get(node);
    if (resolution?.kind === 'config') {
      const config = resolution.config;
      this.add(node.property.span, this.entity(config, () => ({ kind: 'config', name: config.name, config })));
      return;
    }
    const objectResolution = typed.resolutions.get(node.object);
    if (objectResolution?.kind === 'map') {
      const map = objectResolution.map;
      this.add(node.property.span, this.entity(`${map.name}.${node.property.name}`, () => ({ kind: 'map-method', name: node.property.name, map })));
      return;
    }
    const objectType = typed.types.get(node.object);
    if (!objectType) return;
    if (objectType.kind === 'context') {
      const call = this.methodCallees.get(node);
      const memberType = typed.types.get(call ?? node) ?? null;
      const key = `${objectType.name}.${node.property.name}${call ? `()${memberType ? typeName(memberType) : ''}` : ''}`;
      this.add(node.property.span, this.entity(key, () => ({ kind: 'context-member', name: node.property.name, context: objectType.name, memberType, method: call !== undefined, writable: false })));
      return;
    }
    if (objectType.kind === 'kernel_pointer' || objectType.kind === 'kernel_struct') {
      this.add(node.property.span, this.kernelFieldEntity(objectType.kind === 'kernel_pointer' ? objectType.target : objectType, node.property.name));
      return;
    }
    const struct = objectType.kind === 'pointer' ? objectType.target : objectType;
    if (struct.kind === 'struct') this.add(node.property.span, this.fieldEntity(struct, node.property.name));
  }
}
