// The declarations of a system after name resolution: what phase 2 hands on.
import type * as ast from '../1-parse/ast.js';
import type { ProgramKindInfo } from '../../language/program-kinds.js';
import type { MapKindInfo } from '../../language/map-kinds.js';
import type { KernelTypes } from '../../kernel/kernel-types.js';
import type { Type } from './types.js';
import { ReportedEarlier } from '../../diagnostics/diagnostic.js';

/** Where a piece of code runs: inside one kernel program, a shared kernel helper, or userspace. */
export type Owner = { kind: 'program'; program: string } | { kind: 'kernel' } | { kind: 'userspace' };

export interface MapSymbol {
  /** Source name; local maps are `program::map`. */
  name: string;
  declName: string;
  /** Name in the object file; local maps are qualified only when two share a name. */
  objectName: string;
  decl: ast.MapDecl;
  kind: MapKindInfo;
  key: Type | null;
  value: Type;
  maxEntries: number;
  pinPath: string | null;
  flags: string[];
  /** Declaring program for local maps; null for global maps. */
  program: string | null;
}

export interface FunctionSymbol {
  name: string;
  /** C function name: unique across the file. */
  cName: string;
  decl: ast.FnDecl;
  owner: Owner;
  params: { name: string; type: Type; span: ast.Span }[];
  returnType: Type;
}

/** `extern fn name(...) -> T;`: a kernel function (kfunc) programs call, its signature checked against the BTF. */
export interface KfuncSymbol {
  name: string;
  decl: ast.ExternFnDecl;
  params: { name: string; type: Type; span: ast.Span }[];
  returnType: Type;
}

export interface ConstSymbol {
  name: string;
  type: Type;
  value: bigint | boolean;
  decl: ast.ConstDecl;
}

export interface ConfigSymbol {
  name: string;
  program: string | null;
  /** `.rodata` global, e.g. `config_max_packet_size`. */
  cName: string;
  type: Type;
  defaultValue: bigint | boolean;
  decl: ast.ConfigField;
}

/** Names visible at one level; lookups walk `parent`. */
export interface Scope {
  types: Map<string, Type>;
  consts: Map<string, ConstSymbol>;
  functions: Map<string, FunctionSymbol>;
  maps: Map<string, MapSymbol>;
  config: Map<string, ConfigSymbol>;
  /** Names whose declaration failed (and was reported): a use of one is not reported again. */
  failed: Set<string>;
  /**
   * Types and constants not declared yet, while declarations are read:
   * each is declared at its first use, so that names resolve file-wide (a
   * map or struct may name a struct declared further down).
   */
  pending: Map<string, () => void>;
  parent: Scope | null;
  /** On the outermost scope: the kernel's types (BTF), looked up after every name the file and the language declare. */
  kernel: KernelTypes | null;
}

export interface ProgramSymbol {
  name: string;
  decl: ast.ProgramDecl;
  info: ProgramKindInfo;
  target: string | null;
  section: string;
  main: FunctionSymbol;
  scope: Scope;
}

export interface UserspaceSymbol {
  decl: ast.UserspaceBlock;
  scope: Scope;
  main: FunctionSymbol | null;
}

export interface SymbolTable {
  source: ast.SourceFile;
  global: Scope;
  programs: ProgramSymbol[];
  userspace: UserspaceSymbol | null;
  /** Every map, global and local, in declaration order. */
  maps: MapSymbol[];
  /** Every function with a body to compile, in declaration order. */
  functions: FunctionSymbol[];
  /** `extern fn` kfuncs, in declaration order. */
  kfuncs: KfuncSymbol[];
  config: ConfigSymbol[];
}

export function newScope(parent: Scope | null): Scope {
  return { types: new Map(), consts: new Map(), functions: new Map(), maps: new Map(), config: new Map(), failed: new Set(), pending: new Map(), parent, kernel: null };
}

/** Look a name up through a scope chain in one of its tables. */
export function lookup<K extends 'types' | 'consts' | 'functions' | 'maps' | 'config'>(
  scope: Scope | null,
  table: K,
  name: string,
): (Scope[K] extends Map<string, infer V> ? V : never) | undefined {
  for (let s = scope; s; s = s.parent) {
    if (table === 'types' || table === 'consts') s.pending.get(name)?.();
    const hit = s[table].get(name);
    if (hit) return hit as never;
  }
  return undefined;
}

/** Throws `ReportedEarlier` when `name` is unknown because its declaration failed: the use is not a second mistake. */
export function unlessFailedEarlier(scope: Scope | null, name: string): void {
  for (let s = scope; s; s = s.parent) if (s.failed.has(name)) throw new ReportedEarlier();
}

/** All names of one table visible from a scope, for "did you mean" hints. */
export function visibleNames(scope: Scope | null, table: 'types' | 'consts' | 'functions' | 'maps' | 'config'): string[] {
  const names: string[] = [];
  for (let s = scope; s; s = s.parent) names.push(...s[table].keys());
  return names;
}

/** The kernel's types as the outermost scope holds them. */
export function kernelTypesOf(scope: Scope): KernelTypes | null {
  let root = scope;
  while (root.parent) root = root.parent;
  return root.kernel;
}
