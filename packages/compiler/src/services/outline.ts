// Document symbols: the outline of a file, from the top-level items of every
// chunk that parses (so it survives a syntax error elsewhere in the file).
import type * as ast from '../phases/1-parse/ast.js';
import type { DocumentCheck } from './document.js';

export type OutlineKind = 'map' | 'program' | 'function' | 'struct' | 'field' | 'enum' | 'variant' | 'alias' | 'const' | 'config' | 'userspace';

export interface OutlineItem {
  name: string;
  detail: string;
  kind: OutlineKind;
  /** The whole declaration. */
  span: ast.Span;
  /** Its name. */
  selection: ast.Span;
  children: OutlineItem[];
}

export function outline(check: DocumentCheck): OutlineItem[] {
  return check.items.flatMap(item);
}

const text = (type: ast.TypeExpr): string => (type.kind === 'NamedType' ? type.name : type.kind === 'PointerType' ? `*${text(type.target)}` : `[${text(type.element)}; …]`);

function item(node: ast.TopLevelItem): OutlineItem[] {
  const entry = (name: ast.Identifier, kind: OutlineKind, detail: string, children: OutlineItem[] = []): OutlineItem => ({ name: name.name, detail, kind, span: node.span, selection: name.span, children });
  switch (node.kind) {
    case 'MapDecl':
      return [entry(node.name, 'map', `${node.keyType ? `${text(node.keyType)}, ` : ''}${text(node.valueType)} : ${node.mapKind.name}`)];
    case 'ProgramDecl':
      return [entry(node.name, 'program', `${node.programKind.name}${node.target ? `("${node.target.value}")` : ''}`, node.items.flatMap(item))];
    case 'UserspaceBlock':
      return [{ name: 'userspace', detail: 'coordinator', kind: 'userspace', span: node.span, selection: { start: node.span.start, end: { ...node.span.start, offset: node.span.start.offset + 9, column: node.span.start.column + 9 } }, children: node.items.flatMap(item) }];
    case 'FnDecl':
    case 'ExternFnDecl':
      return [entry(node.name, 'function', `(${node.params.map((p) => `${p.name.name}: ${text(p.type)}`).join(', ')})${node.returnType ? ` -> ${text(node.returnType)}` : ''}`)];
    case 'StructDecl':
      return [entry(node.name, 'struct', '', node.fields.map((f) => ({ name: f.name.name, detail: text(f.type), kind: 'field', span: f.span, selection: f.name.span, children: [] })))];
    case 'EnumDecl':
      return [entry(node.name, 'enum', '', node.variants.map((v) => ({ name: v.name.name, detail: '', kind: 'variant', span: v.span, selection: v.name.span, children: [] })))];
    case 'TypeAliasDecl':
      return [entry(node.name, 'alias', text(node.type))];
    case 'ConstDecl':
      return [entry(node.name, 'const', node.type ? text(node.type) : '')];
    case 'ConfigBlock':
      return node.fields.map((f) => ({ name: `config.${f.name.name}`, detail: text(f.type), kind: 'config', span: f.span, selection: f.name.span, children: [] }));
  }
}
