// The formatter: one canonical layout for a `.ks` file (docs/formatting.md).
// Pure, like the compiler core: text in, text or a located diagnostic out.
import { CompileError, type Diagnostic } from '../diagnostics/diagnostic.js';
import { parse } from '../phases/1-parse/parse.js';
import { printDoc } from './doc.js';
import { FormatError, Printer } from './print.js';
import { isComment, tokenize } from './tokens.js';

export interface FormatOptions {
  /** The column the layout tries to stay within (default 100). */
  width?: number;
}

export type FormatResult = { ok: true; text: string } | { ok: false; diagnostic: Diagnostic };

export const DEFAULT_WIDTH = 100;

/**
 * Formats `source`. A file with a syntax error is not formatted (its
 * diagnostic comes back). The result is checked before it is returned: it
 * parses to the same tree and keeps every comment, or the formatter reports
 * an internal error instead of handing back a changed program.
 */
export function format(source: string, options: FormatOptions = {}): FormatResult {
  let tree;
  try {
    tree = parse(source);
  } catch (error) {
    if (error instanceof CompileError) return { ok: false, diagnostic: error.diagnostic };
    throw error;
  }
  const tokens = tokenize(source);
  if (tokens.length === 0) return { ok: true, text: '' };
  let text: string;
  try {
    text = printDoc(new Printer(source, tokens).file(tree), options.width ?? DEFAULT_WIDTH);
  } catch (error) {
    if (error instanceof FormatError) return internalError(error.message);
    throw error;
  }
  const problem = changedBy(source, text, tree);
  return problem ? internalError(problem) : { ok: true, text };
}

function internalError(message: string): FormatResult {
  return {
    ok: false,
    diagnostic: { severity: 'error', code: 'KS9001', message: `internal formatter error: ${message}`, span: null, notes: ['note: the file was left as it is; this is a bug in KernelScript, please report it with the .ks file'] },
  };
}

/** Why `formatted` is not `source` re-laid out, or null when it is. */
function changedBy(source: string, formatted: string, tree: ReturnType<typeof parse>): string | null {
  let reparsed;
  try {
    reparsed = parse(formatted);
  } catch (error) {
    return `the formatted file does not parse: ${error instanceof CompileError ? error.diagnostic.message : String(error)}`;
  }
  if (!sameTree(tree, reparsed)) return 'the formatted file parses to a different program';
  const comments = (text: string) =>
    tokenize(text)
      .filter(isComment)
      .map((c) => c.text.replace(/[ \t\r]+$/, ''))
      .sort();
  const before = comments(source);
  const after = comments(formatted);
  if (before.length !== after.length || before.some((c, i) => c !== after[i])) return 'a comment was lost';
  return null;
}

/** Structural equality of two syntax trees, ignoring where their nodes are. */
export function sameTree(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a).filter((k) => k !== 'span');
  const keysB = Object.keys(b).filter((k) => k !== 'span');
  if (keysA.length !== keysB.length) return false;
  return keysA.every((key) => sameTree((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}
