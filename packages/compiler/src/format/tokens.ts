// The token stream of a `.ks` source, comments included. The parser drops
// comments, so the formatter takes them from here; the language services use
// it to cut a file into top-level items and to compare token sequences.

export type TokenKind = 'line-comment' | 'block-comment' | 'identifier' | 'number' | 'string' | 'char' | 'punctuation';

export interface Token {
  kind: TokenKind;
  text: string;
  /** 0-based offsets into the source: [start, end). */
  start: number;
  end: number;
}

/** Longest first, so `<<=` is one token and not `<` `<=`. */
const PUNCTUATION = ['<<=', '>>=', '::', '->', '=>', '..', '==', '!=', '<=', '>=', '&&', '||', '<<', '>>', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^='];

/**
 * Splits `source` into tokens. Never throws: text the grammar would refuse
 * (an unterminated string or comment, a stray character) still becomes a
 * token, so a file with a syntax error keeps its comments.
 */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, end: number) => {
    tokens.push({ kind, text: source.slice(i, end), start: i, end });
    i = end;
  };
  while (i < source.length) {
    const c = source[i]!;
    const code = source.charCodeAt(i);
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
    } else if (isWordStart(code)) {
      push('identifier', wordEnd(source, i));
    } else if (isDigit(code)) {
      push('number', wordEnd(source, i));
    } else if (source.startsWith('//', i)) {
      const newline = source.indexOf('\n', i);
      push('line-comment', newline === -1 ? source.length : newline);
    } else if (source.startsWith('/*', i)) {
      const close = source.indexOf('*/', i + 2);
      push('block-comment', close === -1 ? source.length : close + 2);
    } else if (c === '"' || c === "'") {
      push(c === '"' ? 'string' : 'char', quotedEnd(source, i));
    } else {
      const multi = PUNCTUATION.find((p) => source.startsWith(p, i));
      push('punctuation', i + (multi?.length ?? 1));
    }
  }
  return tokens;
}

export function isComment(token: Token): boolean {
  return token.kind === 'line-comment' || token.kind === 'block-comment';
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isWordStart(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

function wordEnd(source: string, start: number): number {
  let end = start;
  while (end < source.length && (isWordStart(source.charCodeAt(end)) || isDigit(source.charCodeAt(end)))) end++;
  return end;
}

/** The end of a string or char literal: after its closing quote, or at the end of its line when it has none. */
function quotedEnd(source: string, start: number): number {
  const quote = source[start];
  let end = start + 1;
  while (end < source.length && source[end] !== quote && source[end] !== '\n') end += source[end] === '\\' ? 2 : 1;
  return source[end] === quote ? end + 1 : end;
}
