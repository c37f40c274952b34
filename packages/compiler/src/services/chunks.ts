// A file cut into runs of whole top-level items, so that an edit re-parses
// only the run it touches. The cut is lexical: before a top-level keyword
// that follows a `}` or `;` at bracket depth 0. Each run is itself a valid
// source file exactly when the whole file parses to the same items, because
// every item ends in `}` or `;` and no item can continue with a keyword.
import { isComment, tokenize } from '../format/tokens.js';
import type { Position } from '../phases/1-parse/ast.js';

export interface Chunk {
  text: string;
  /** Where the chunk starts in the file. */
  start: Position;
}

const ITEM_KEYWORDS = new Set(['map', 'program', 'fn', 'struct', 'enum', 'type', 'const', 'config', 'userspace']);

export function splitChunks(source: string): Chunk[] {
  const cuts = [0];
  let depth = 0;
  let previous: string | null = null;
  for (const token of tokenize(source)) {
    if (isComment(token)) continue;
    const { text } = token;
    if (depth === 0 && token.kind === 'identifier' && ITEM_KEYWORDS.has(text) && (previous === '}' || previous === ';')) {
      cuts.push(lineStartBefore(source, token.start));
    }
    if (token.kind === 'punctuation') {
      if (text === '{' || text === '(' || text === '[') depth++;
      else if ((text === '}' || text === ')' || text === ']') && depth > 0) depth--;
    }
    previous = text;
  }
  const chunks: Chunk[] = [];
  let line = 1;
  let lineStart = 0;
  let scanned = 0;
  for (let i = 0; i < cuts.length; i++) {
    const start = cuts[i]!;
    for (; scanned < start; scanned++) {
      if (source.charCodeAt(scanned) === 10) {
        line++;
        lineStart = scanned + 1;
      }
    }
    chunks.push({ text: source.slice(start, cuts[i + 1] ?? source.length), start: { offset: start, line, column: start - lineStart + 1 } });
  }
  return chunks;
}

/** The start of the keyword's line when only blanks precede it there, so most chunks start in column 1. */
function lineStartBefore(source: string, offset: number): number {
  let start = offset;
  while (start > 0 && (source[start - 1] === ' ' || source[start - 1] === '\t')) start--;
  return start === 0 || source[start - 1] === '\n' ? start : offset;
}
