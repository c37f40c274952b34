// Completion. The text being typed rarely parses (`ctx.` has no member yet),
// so the word at the cursor is replaced by a placeholder name, closed with
// `;` or `);` when needed, and that file is checked: the type checker then
// gives the type of the expression before the `.`, the function and program
// around the cursor, and the locals in scope. Members come from the
// compiler's own tables: context fields per program kind, built-ins with
// their signatures, map methods, struct fields, enum variants.
import type * as ast from '../phases/1-parse/ast.js';
import { walk } from '../phases/1-parse/walk.js';
import { kernelTypesOf, lookup, visibleNames, type FunctionSymbol, type Scope, type SymbolTable } from '../phases/2-symbols/symbol-table.js';
import { typeName, type KernelStructType, type Type } from '../phases/2-symbols/types.js';
import { BUILTIN_FUNCTIONS } from '../language/builtin-functions.js';
import { CONTEXTS, type ContextMethodForm } from '../language/context-members.js';
import { PROTOCOL_CONSTANTS } from '../language/headers.js';
import { MAP_KINDS } from '../language/map-kinds.js';
import { ACTION_CONSTANTS, PROGRAM_KINDS } from '../language/program-kinds.js';
import type { DocumentCheck } from './document.js';
import { builtinSignature, kernelFieldNote, kernelFieldType, signature } from './hover.js';
import { vocabulary } from './vocabulary.js';

export type CompletionKind =
  | 'variable'
  | 'parameter'
  | 'field'
  | 'method'
  | 'function'
  | 'constant'
  | 'enum-member'
  | 'struct'
  | 'enum'
  | 'type'
  | 'keyword'
  | 'module'
  | 'property';

export interface CompletionItem {
  label: string;
  kind: CompletionKind;
  /** A type or signature, shown beside the label. */
  detail: string;
  documentation?: string;
}

/** Checks a variant of the document's text (the language server keeps a session for these). */
export type CheckText = (text: string) => DocumentCheck;

const PLACEHOLDER = '__ks_complete__';

const words = vocabulary();
/** What may start a declaration at top level, in a program, in userspace. */
const ITEM_KEYWORDS = words.declarationKeywords.filter((k) => k !== 'let' && k !== 'mut');
const PROGRAM_ITEM_KEYWORDS = ITEM_KEYWORDS.filter((k) => k !== 'program' && k !== 'userspace');
const USERSPACE_ITEM_KEYWORDS = PROGRAM_ITEM_KEYWORDS.filter((k) => k !== 'map' && k !== 'config');
const STATEMENT_KEYWORDS = ['let', 'const', ...words.controlKeywords, ...words.literals, ...words.operatorKeywords];

/** How each form of context method is called (what the type checker accepts for it). */
const METHOD_SIGNATURES: Record<ContextMethodForm, string> = {
  len: 'len() -> u32',
  header: 'header<T>(offset: u32) -> *T',
  read: 'read<T>(offset: u32) -> T',
  arg: 'arg(i: 0..5) -> u64',
  ret: 'ret() -> u64',
  str: 'str(field, buf: [u8; N]) -> i64',
  meta: 'meta<T>() -> *T',
};

export function completions(check: DocumentCheck, offset: number, checkText: CheckText): CompletionItem[] {
  const { source } = check;
  let wordStart = offset;
  while (wordStart > 0 && /[A-Za-z0-9_]/.test(source[wordStart - 1]!)) wordStart--;
  let wordEnd = offset;
  while (wordEnd < source.length && /[A-Za-z0-9_]/.test(source[wordEnd]!)) wordEnd++;
  const before = source.slice(0, wordStart);
  const patched = patchedCheck(source, wordStart, wordEnd, checkText) ?? (check.ast ? { check, placeholderAt: -1 } : null);

  const mapHeader = /\bmap\s*<[^;{}]*>\s*[A-Za-z_]\w*\s*:\s*$/.test(before);
  if (mapHeader) return Object.values(MAP_KINDS).map((k) => ({ label: k.sourceName, kind: 'type', detail: k.bpfType }));
  if (/\bprogram\s+[A-Za-z_]\w*\s*:\s*$/.test(before)) {
    return Object.values(PROGRAM_KINDS).map((k) => ({ label: k.kind, kind: 'keyword', detail: `fn main(ctx: ${k.context}) -> ${k.returnType}` }));
  }
  if (!patched) return [];
  const { check: at } = patched;
  const place = enclosingFunction(at, wordStart);
  const scope = place?.scope ?? (at.symbols ? scopeAt(at.symbols, at.items, wordStart) : null);

  const member = /\.\s*$/.exec(before);
  if (member) return memberCompletions(at, wordStart, scope, place?.programKind ?? null);
  const path = /([A-Za-z_]\w*)\s*::\s*$/.exec(before);
  if (path) return pathCompletions(at, path[1]!, scope);
  if (isTypePosition(before)) return scope ? typeCompletions(scope) : [];
  if (!place) return topLevelKeywords(at, wordStart);
  return expressionCompletions(at, place, wordStart);
}

/** The document with the word at the cursor replaced by the placeholder, in the first form that parses. */
function patchedCheck(source: string, start: number, end: number, checkText: CheckText): { check: DocumentCheck; placeholderAt: number } | null {
  const head = source.slice(0, start) + PLACEHOLDER;
  const tail = source.slice(end);
  for (const closing of ['', ';', ');', ')', ']', '];', ' }', '; }']) {
    const check = checkText(head + closing + tail);
    if (check.ast) return { check, placeholderAt: start };
  }
  return null;
}

interface FunctionPlace {
  decl: ast.FnDecl;
  symbol: FunctionSymbol;
  scope: Scope;
  side: 'kernel' | 'userspace';
  /** The program the function belongs to, if any. */
  programKind: string | null;
}

function enclosingFunction(check: DocumentCheck, offset: number): FunctionPlace | null {
  const symbols = check.symbols;
  if (!symbols) return null;
  const symbol = symbols.functions.find((f) => f.decl.body.span.start.offset < offset && offset < f.decl.body.span.end.offset);
  if (!symbol) return null;
  const program = symbol.owner.kind === 'program' ? symbols.programs.find((p) => p.name === (symbol.owner as { program: string }).program) : undefined;
  const scope = program?.scope ?? (symbol.owner.kind === 'userspace' ? symbols.userspace!.scope : symbols.global);
  return { decl: symbol.decl, symbol, scope, side: symbol.owner.kind === 'userspace' ? 'userspace' : 'kernel', programKind: program?.info.kind ?? null };
}

/** The scope of the declarations around `offset`: a program's, userspace's or the file's. */
function scopeAt(symbols: SymbolTable, items: readonly ast.TopLevelItem[], offset: number): Scope {
  const item = items.find((i) => i.span.start.offset <= offset && offset <= i.span.end.offset);
  if (item?.kind === 'ProgramDecl') return symbols.programs.find((p) => p.decl.name.name === item.name.name)?.scope ?? symbols.global;
  if (item?.kind === 'UserspaceBlock') return symbols.userspace?.scope ?? symbols.global;
  return symbols.global;
}

function isTypePosition(before: string): boolean {
  return /(^|[^:]):\s*[*[]?\s*$/.test(before) || /->\s*\*?\s*$/.test(before) || /\bas\s+$/.test(before) || /\.\s*(header|read)\s*<\s*$/.test(before) || /\bmap\s*<[^>;{}]*$/.test(before);
}

// ---------- after `.` ----------

function memberCompletions(check: DocumentCheck, placeholderAt: number, scope: Scope | null, programKind: string | null): CompletionItem[] {
  const typed = check.typed;
  let member: ast.MemberExpr | null = null;
  for (const fn of check.symbols?.functions ?? []) {
    walk(fn.decl.body, (node) => {
      if (node.kind === 'MemberExpr' && node.property.span.start.offset === placeholderAt) member = node;
    });
  }
  if (!member || !typed) return [];
  const object = (member as ast.MemberExpr).object;
  const resolution = typed.resolutions.get(object);
  if (object.kind === 'Identifier' && object.name === 'config' && scope && !resolution) {
    return visibleNames(scope, 'config').map((name) => {
      const config = lookup(scope, 'config', name)!;
      return { label: name, kind: 'property', detail: `${typeName(config.type)} = ${config.defaultValue}`, documentation: 'Load-time configuration.' };
    });
  }
  if (resolution?.kind === 'map') {
    const { map } = resolution;
    if (map.kind.access !== 'ring_buffer') return [];
    return [
      { label: 'submit', kind: 'method', detail: `submit(value: ${typeName(map.value)}) -> i64`, documentation: 'Kernel side: send a copy of the value into the ring buffer; 0 or a negative errno.' },
      { label: 'poll', kind: 'method', detail: `poll(timeout_ms: i32, handler: fn(e: ${typeName(map.value)}) -> i32) -> i32`, documentation: 'Userspace: call the handler for each record; the number handled or a negative errno.' },
    ];
  }
  const type = typed.types.get(object);
  if (!type) return [];
  if (type.kind === 'kernel_pointer' || type.kind === 'kernel_struct') return kernelMembers(type.kind === 'kernel_pointer' ? type.target : type, check);
  return typeMembers(type, programKind);
}

/** The fields of a kernel struct or union from the BTF the document was checked against (anonymous members' fields included). */
function kernelMembers(owner: KernelStructType, check: DocumentCheck): CompletionItem[] {
  const kernel = check.symbols && kernelTypesOf(check.symbols.global);
  return (kernel?.fieldList(owner) ?? []).map((field) => ({
    label: field.name,
    kind: 'field',
    detail: kernelFieldType(field.type),
    documentation: kernelFieldNote(owner, field.offset),
  }));
}

/** The members of a value of `type` in a program of `programKind`: context fields and methods, struct fields (through a view too). */
export function typeMembers(type: Type, programKind: string | null): CompletionItem[] {
  if (type.kind === 'context') {
    const context = CONTEXTS[type.name];
    if (!context) return [];
    const readsReturnValue = programKind !== null && PROGRAM_KINDS[programKind as keyof typeof PROGRAM_KINDS]?.readsReturnValue === true;
    const fields = Object.entries(context.fields).map(([name, field]): CompletionItem => ({ label: name, kind: 'field', detail: `${typeName(field.type)}${field.writable ? ' (writable)' : ''}` }));
    const methods = Object.entries(context.methods)
      .filter(([, method]) => method && (method.form !== 'ret' || readsReturnValue))
      .map(([name, method]): CompletionItem => ({ label: name, kind: 'method', detail: METHOD_SIGNATURES[method!.form] }));
    return [...fields, ...methods];
  }
  const struct = type.kind === 'pointer' ? type.target : type;
  if (struct.kind !== 'struct') return [];
  return struct.fields.map((f) => ({ label: f.name, kind: 'field', detail: typeName(f.type), documentation: `Offset ${f.offset} in ${struct.name}.` }));
}

// ---------- after `::` ----------

function pathCompletions(check: DocumentCheck, qualifier: string, scope: Scope | null): CompletionItem[] {
  if (qualifier === 'XdpAction' || qualifier === 'TcAction') {
    return Object.entries(ACTION_CONSTANTS[qualifier]).map(([constant, info]) => ({ label: info.variant, kind: 'enum-member', detail: `${constant} = ${info.value}` }));
  }
  const type = scope ? lookup(scope, 'types', qualifier) : undefined;
  if (type?.kind === 'enum') return [...type.values].map(([name, value]) => ({ label: name, kind: 'enum-member', detail: `${qualifier}::${name} = ${value}` }));
  const maps = check.symbols?.maps.filter((m) => m.program === qualifier) ?? [];
  return maps.map((m) => ({ label: m.declName, kind: 'variable', detail: `${m.kind.sourceName}, local to ${qualifier}` }));
}

// ---------- names ----------

function typeCompletions(scope: Scope): CompletionItem[] {
  const seen = new Set<string>();
  const items: CompletionItem[] = [];
  for (const name of visibleNames(scope, 'types')) {
    if (seen.has(name)) continue;
    seen.add(name);
    const type = lookup(scope, 'types', name)!;
    if (type.kind === 'context' || type.kind === 'void') continue;
    items.push({ label: name, kind: type.kind === 'struct' ? 'struct' : type.kind === 'enum' ? 'enum' : 'type', detail: type.kind === 'struct' ? `${type.size} bytes` : typeName(type) });
  }
  return items;
}

function topLevelKeywords(check: DocumentCheck, offset: number): CompletionItem[] {
  const inside = check.items.find((i) => i.span.start.offset < offset && offset < i.span.end.offset);
  const keywords = inside?.kind === 'ProgramDecl' ? PROGRAM_ITEM_KEYWORDS : inside?.kind === 'UserspaceBlock' ? USERSPACE_ITEM_KEYWORDS : ITEM_KEYWORDS;
  return keywords.map((k) => ({ label: k, kind: 'keyword', detail: '' }));
}

function expressionCompletions(check: DocumentCheck, place: FunctionPlace, offset: number): CompletionItem[] {
  const items: CompletionItem[] = [];
  const seen = new Set<string>();
  const add = (item: CompletionItem) => {
    if (seen.has(item.label) || item.label === PLACEHOLDER) return;
    seen.add(item.label);
    items.push(item);
  };
  for (const local of localsAt(check, place, offset)) add(local);
  const { scope, side } = place;
  for (const name of visibleNames(scope, 'consts')) {
    const constant = lookup(scope, 'consts', name)!;
    add({ label: name, kind: 'constant', detail: `${typeName(constant.type)} = ${constant.value}` });
  }
  for (const name of visibleNames(scope, 'maps')) {
    const map = lookup(scope, 'maps', name)!;
    add({ label: name, kind: 'variable', detail: `map<${map.key ? `${typeName(map.key)}, ` : ''}${typeName(map.value)}> : ${map.kind.sourceName}(${map.maxEntries})` });
  }
  for (const name of visibleNames(scope, 'functions')) {
    const fn = lookup(scope, 'functions', name)!;
    if (fn.name === 'main' && fn.owner.kind === 'program') continue;
    if (side === 'kernel' && fn.owner.kind === 'userspace') continue;
    add({ label: name, kind: 'function', detail: signature(fn) });
  }
  for (const builtin of Object.values(BUILTIN_FUNCTIONS)) {
    if (builtin.side !== 'both' && builtin.side !== side) continue;
    add({ label: builtin.name, kind: 'function', detail: builtinSignature(builtin), documentation: `Built-in; C: \`${builtin.cName}\`.` });
  }
  if (side === 'kernel' && visibleNames(scope, 'config').length > 0) add({ label: 'config', kind: 'module', detail: 'load-time configuration' });
  const program = place.programKind ? PROGRAM_KINDS[place.programKind as keyof typeof PROGRAM_KINDS] : null;
  const families = program ? (program.returnType === 'i32' ? [] : [program.returnType]) : (['XdpAction', 'TcAction'] as const);
  for (const family of families) {
    for (const [constant, info] of Object.entries(ACTION_CONSTANTS[family])) add({ label: constant, kind: 'enum-member', detail: `${family} = ${info.value}` });
  }
  for (const [name, info] of Object.entries(PROTOCOL_CONSTANTS)) add({ label: name, kind: 'constant', detail: `${info.type} = 0x${info.value.toString(16)}` });
  for (const p of check.symbols?.programs ?? []) add({ label: p.name, kind: 'module', detail: `program : ${p.info.kind}` });
  for (const keyword of STATEMENT_KEYWORDS) add({ label: keyword, kind: 'keyword', detail: '' });
  return items;
}

/** Parameters and the locals declared before `offset` in the blocks around it. */
function localsAt(check: DocumentCheck, place: FunctionPlace, offset: number): CompletionItem[] {
  const typed = check.typed;
  const typedFn = typed?.functions.find((f) => f.symbol === place.symbol);
  const items: CompletionItem[] = [];
  const params = typedFn?.params ?? [];
  place.symbol.params.forEach((p, i) => items.push({ label: p.name, kind: 'parameter', detail: typeName(params[i]?.type ?? p.type) }));
  const contains = (span: ast.Span) => span.start.offset < offset && offset < span.end.offset;
  walk(place.decl.body, (node) => {
    if (!contains(node.span)) return false;
    if (node.kind === 'Block') {
      for (const stmt of node.statements) {
        if (stmt.kind !== 'LetStmt' || stmt.span.end.offset > offset) continue;
        const resolution = typed?.resolutions.get(stmt);
        items.unshift({ label: stmt.name.name, kind: 'variable', detail: resolution?.kind === 'local' ? typeName(resolution.local.type) : '' });
      }
    } else if (node.kind === 'ForRangeStmt' && contains(node.body.span)) {
      const resolution = typed?.resolutions.get(node);
      items.unshift({ label: node.variable.name, kind: 'variable', detail: resolution?.kind === 'local' ? typeName(resolution.local.type) : '' });
    } else if (node.kind === 'ForEachStmt' && contains(node.body.span)) {
      const resolution = typed?.resolutions.get(node);
      if (resolution?.kind === 'iteration') {
        items.unshift({ label: node.key.name, kind: 'variable', detail: typeName(resolution.key.type) }, { label: node.value.name, kind: 'variable', detail: typeName(resolution.value.type) });
      }
    }
    return true;
  });
  return items;
}
