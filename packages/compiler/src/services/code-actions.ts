// Quick fixes for the diagnostics that say how to fix them, and the atomic
// rewrite of a lost-update race (`m[k] = m[k] + 1` → `m[k] += 1`).
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type * as ast from '../phases/1-parse/ast.js';
import { walk } from '../phases/1-parse/walk.js';
import { expressionKey } from '../phases/4-analyze/expression-key.js';
import type { DocumentCheck } from './document.js';
import type { TextEdit } from './navigation.js';

export interface CodeAction {
  title: string;
  kind: 'quickfix' | 'refactor.rewrite';
  /** The diagnostic it fixes, when there is one. */
  diagnostic: Diagnostic | null;
  edits: TextEdit[];
  /** The fix an editor may apply on its own ("fix all", save actions). */
  preferred: boolean;
}

/** Operators whose `op=` form is atomic on a map element (LANGUAGE.md §4). */
const ATOMIC_OPERATORS = new Set(['+', '-', '|', '&', '^']);

/** The actions for the source between `start` and `end` (offsets; equal for a cursor). */
export function codeActions(check: DocumentCheck, start: number, end: number): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const diagnostic of check.diagnostics) {
    if (!diagnostic.span || diagnostic.span.end.offset < start || diagnostic.span.start.offset > end) continue;
    actions.push(...fixesFor(check, diagnostic));
  }
  for (const stmt of assignmentsIn(check, start, end)) {
    const rewrite = compoundAssignment(check, stmt);
    if (!rewrite) continue;
    const diagnostic = lostUpdateDiagnostic(check, stmt);
    // Without a race it is still the shorter spelling; with one it is the fix.
    actions.push({ title: `Use '${rewrite.operator}' (an atomic update)`, kind: diagnostic ? 'quickfix' : 'refactor.rewrite', diagnostic, edits: [rewrite.edit], preferred: diagnostic !== null });
  }
  return actions;
}

function fixesFor(check: DocumentCheck, diagnostic: Diagnostic): CodeAction[] {
  const span = diagnostic.span!;
  const text = check.source.slice(span.start.offset, span.end.offset);
  const fix = (title: string, edits: TextEdit[], preferred = true): CodeAction => ({ title, kind: 'quickfix', diagnostic, edits, preferred });
  for (const note of diagnostic.notes) {
    const suggestion = /^help: did you mean '([A-Za-z_][A-Za-z0-9_]*)'\?$/.exec(note);
    if (suggestion && /^[A-Za-z_][A-Za-z0-9_]*$/.test(text)) return [fix(`Change to '${suggestion[1]}'`, [{ span, newText: suggestion[1]! }])];
    const cast = /^help: (?:narrowing|changing signedness) needs an explicit cast: .* as ([A-Za-z_][A-Za-z0-9_]*)$/.exec(note);
    if (cast) return [fix(`Cast to ${cast[1]}`, [{ span, newText: `(${text}) as ${cast[1]}` }])];
    const nullCheck = /^help: check it first: (if ([A-Za-z_][A-Za-z0-9_]*) == null \{ return .*; \})$/.exec(note);
    if (nullCheck) {
      const edit = insertAfterDeclaration(check, nullCheck[2]!, span.start.offset, nullCheck[1]!);
      if (edit) return [fix(`Add the null check: ${nullCheck[1]}`, [edit])];
    }
  }
  const constant = /^returning the integer -?\d+; write ([A-Z_]+)$/.exec(diagnostic.message);
  if (constant) return [fix(`Return ${constant[1]}`, [{ span, newText: constant[1]! }])];
  return [];
}

/** A new line after the `let` that declared `name` (the last one before `before`), at its indentation. */
function insertAfterDeclaration(check: DocumentCheck, name: string, before: number, line: string): TextEdit | null {
  let declaration: ast.LetStmt | null = null;
  for (const item of functionsOf(check)) {
    walk(item.body, (node) => {
      if (node.kind === 'LetStmt' && node.name.name === name && node.span.end.offset <= before && (!declaration || node.span.start.offset > declaration.span.start.offset)) declaration = node;
    });
  }
  if (!declaration) return null;
  const { end, start } = (declaration as ast.LetStmt).span;
  const lineStart = check.source.lastIndexOf('\n', start.offset - 1) + 1;
  const indentation = /^[ \t]*/.exec(check.source.slice(lineStart))![0];
  return { span: { start: end, end }, newText: `\n${indentation}${line}` };
}

/** `m[k] = m[k] op e;` → `m[k] op= e;` (the target's and operand's text kept as written). */
function compoundAssignment(check: DocumentCheck, stmt: ast.AssignStmt): { edit: TextEdit; operator: string } | null {
  const { source } = check;
  const { target, value } = stmt;
  if (stmt.op !== '=' || value.kind !== 'BinaryExpr' || !ATOMIC_OPERATORS.has(value.op)) return null;
  if (target.kind !== 'IndexExpr' && !(target.kind === 'MemberExpr' && target.object.kind === 'IndexExpr')) return null;
  // Locals by their unique name, as the analysis compares them: a shadowing local is another element.
  const key = (expr: ast.Expr) => expressionKey(expr, (name) => {
    const resolution = check.typed?.resolutions.get(name);
    return resolution?.kind === 'local' ? resolution.local.cName : undefined;
  });
  if (key(value.left) !== key(target)) return null;
  const right = source.slice(value.right.span.start.offset, value.right.span.end.offset);
  const targetText = source.slice(target.span.start.offset, target.span.end.offset);
  return { edit: { span: { start: target.span.start, end: value.span.end }, newText: `${targetText} ${value.op}= ${right}` }, operator: `${value.op}=` };
}

function lostUpdateDiagnostic(check: DocumentCheck, stmt: ast.AssignStmt): Diagnostic | null {
  const conflict = check.analysis?.conflicts.find((c) => c.kind === 'lost-update' && c.locations.some((l) => l.line === stmt.span.start.line && l.column === stmt.span.start.column));
  if (!conflict) return null;
  return check.diagnostics.find((d) => d.message === conflict.message) ?? null;
}

function assignmentsIn(check: DocumentCheck, start: number, end: number): ast.AssignStmt[] {
  const found: ast.AssignStmt[] = [];
  for (const fn of functionsOf(check)) {
    if (fn.body.span.end.offset < start || fn.body.span.start.offset > end) continue;
    walk(fn.body, (node) => {
      if (node.kind === 'AssignStmt' && node.span.start.offset <= end && start <= node.span.end.offset) found.push(node);
    });
  }
  return found;
}

function functionsOf(check: DocumentCheck): ast.FnDecl[] {
  const fns: ast.FnDecl[] = [];
  const visit = (items: readonly ast.TopLevelItem[]) => {
    for (const item of items) {
      if (item.kind === 'FnDecl') fns.push(item);
      else if (item.kind === 'ProgramDecl' || item.kind === 'UserspaceBlock') visit(item.items);
    }
  };
  visit(check.items);
  return fns;
}
