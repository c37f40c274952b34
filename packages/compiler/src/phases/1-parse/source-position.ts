import type { Position, Span } from './ast.js';

/** The line and column of `offset`, in one pass over the text before it. */
export function positionAt(source: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let index = source.indexOf('\n'); index !== -1 && index < offset; index = source.indexOf('\n', index + 1)) {
    line++;
    lineStart = index + 1;
  }
  return { offset, line, column: offset - lineStart + 1 };
}

/** A span of one character at `offset`, or an empty one at the end of the text. */
export function pointAt(source: string, offset: number): Span {
  const start = positionAt(source, offset);
  if (offset >= source.length) return { start, end: start };
  return { start, end: { offset: offset + 1, line: start.line, column: start.column + 1 } };
}
