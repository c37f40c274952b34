// Go to definition, find references and rename, over the symbol index.
import type * as ast from '../phases/1-parse/ast.js';
import { DocumentSession, type DocumentCheck } from './document.js';
import { indexOf, type Entity } from './symbol-index.js';

export function definition(check: DocumentCheck, offset: number): ast.Span | null {
  const index = indexOf(check);
  const occurrence = index.at(offset);
  return occurrence ? (index.declarationOf(occurrence.entity)?.span ?? null) : null;
}

export function references(check: DocumentCheck, offset: number, includeDeclaration: boolean): ast.Span[] {
  const index = indexOf(check);
  const occurrence = index.at(offset);
  if (!occurrence) return [];
  return index
    .of(occurrence.entity)
    .filter((o) => includeDeclaration || !o.declaration)
    .map((o) => o.span);
}

export interface TextEdit {
  span: ast.Span;
  newText: string;
}

export type RenameResult = { ok: true; edits: TextEdit[] } | { ok: false; message: string };

/** The name under the cursor, when it can be renamed: declared in this file. */
export function renameTarget(check: DocumentCheck, offset: number): { span: ast.Span; name: string } | { message: string } {
  const index = indexOf(check);
  const occurrence = index.at(offset);
  if (!occurrence) return { message: 'no symbol here to rename' };
  if (!index.declarationOf(occurrence.entity)) return { message: `'${occurrence.entity.name}' is built in; only names declared in this file can be renamed` };
  return { span: occurrence.span, name: check.source.slice(occurrence.span.start.offset, occurrence.span.end.offset) };
}

/**
 * Every occurrence of the name under the cursor, renamed. The renamed file is
 * checked before the edits are returned: a rename that makes it fail to parse
 * or adds an error (a keyword, a clash with another name, a program's `main`)
 * is refused, saying why.
 */
export function rename(check: DocumentCheck, offset: number, newName: string): RenameResult {
  const target = renameTarget(check, offset);
  if ('message' in target) return { ok: false, message: target.message };
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(newName)) return { ok: false, message: `'${newName}' is not an identifier` };
  const index = indexOf(check);
  const entity = index.at(offset)!.entity;
  const edits = index.of(entity).map((o) => ({ span: o.span, newText: newName }));
  const renamed = applyEdits(check.source, edits);
  const after = new DocumentSession(check.filename, check.kernel).update(renamed);
  const errors = (c: DocumentCheck) => c.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
  const before = errors(check);
  const added = errors(after).filter((message) => !before.includes(message.replaceAll(newName, entity.name)));
  if (added.length > 0) return { ok: false, message: `renaming '${entity.name}' to '${newName}' would not compile: ${added[0]}` };
  return { ok: true, edits };
}

export function applyEdits(source: string, edits: TextEdit[]): string {
  let result = source;
  for (const edit of [...edits].sort((a, b) => b.span.start.offset - a.span.start.offset)) {
    result = result.slice(0, edit.span.start.offset) + edit.newText + result.slice(edit.span.end.offset);
  }
  return result;
}

export type { Entity };
