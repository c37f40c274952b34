// The formatter over every example and a corpus of odd layouts: idempotent,
// comments kept, and the compiled output unchanged (docs/formatting.md says
// exactly how "unchanged" is checked).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import { format } from '../../src/format/index.js';
import { isComment, tokenize, type Token } from '../../src/format/tokens.js';

const examplesDir = join(import.meta.dirname, '../../../../examples');
const corpusDir = join(import.meta.dirname, 'corpus');
const constructs = join(import.meta.dirname, '../../../../test/language/programs/constructs.ks');
const inputs = [
  { name: 'test/language/programs/constructs.ks', path: constructs },
  ...readdirSync(examplesDir).filter((f) => f.endsWith('.ks')).map((f) => ({ name: `examples/${f}`, path: join(examplesDir, f) })),
  ...readdirSync(corpusDir).filter((f) => f.endsWith('.ks')).map((f) => ({ name: `corpus/${f}`, path: join(corpusDir, f) })),
].sort((a, b) => a.name.localeCompare(b.name));

function formatted(source: string): string {
  const result = format(source);
  if (!result.ok) throw new Error(result.diagnostic.message);
  return result.text;
}

interface Located {
  token: Token;
  line: number;
  column: number;
}

/** Significant tokens without `,` and `;` (the only ones formatting adds or drops), with their lines. */
function anchorTokens(source: string): Located[] {
  const lineStarts = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === '\n') lineStarts.push(i + 1);
  const lineOf = (offset: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  return tokenize(source)
    .filter((t) => !isComment(t) && t.text !== ',' && t.text !== ';')
    .map((token) => ({ token, line: lineOf(token.start), column: token.start - lineStarts[lineOf(token.start) - 1]! + 1 }));
}

/** Maps source positions of `before` to those of the same token in `after`. */
function positionMap(before: string, after: string) {
  const a = anchorTokens(before);
  const b = anchorTokens(after);
  expect(b.map((t) => t.token.text)).toEqual(a.map((t) => t.token.text));
  const byStart = new Map(a.map((t, i) => [`${t.line}:${t.column}`, i]));
  const byEndOffset = new Map(a.map((t, i) => [t.token.end, i]));
  return {
    before,
    /** The `after` position of the token that starts at `line:column` in `before`. */
    start(line: number, column: number): { line: number; column: number } {
      const i = byStart.get(`${line}:${column}`);
      if (i === undefined) throw new Error(`no token starts at ${line}:${column}`);
      return { line: b[i]!.line, column: b[i]!.column };
    },
    endOffset(offset: number): number {
      const i = byEndOffset.get(offset);
      if (i === undefined) throw new Error(`no token ends at offset ${offset}`);
      return b[i]!.token.end;
    },
    /** Lines of `after` that hold a token that was on `line` in `before`. */
    linesOf(line: number): Set<number> {
      return new Set(a.flatMap((t, i) => (t.line === line ? [b[i]!.line] : [])));
    },
  };
}

/** `value` with every `{ line, column }` (and span) moved through `map`. */
function moved(value: unknown, map: ReturnType<typeof positionMap>, after: string): unknown {
  if (Array.isArray(value)) return value.map((v) => moved(v, map, after));
  if (typeof value !== 'object' || value === null) return value;
  const object = value as Record<string, unknown>;
  if (object.start && object.end && typeof (object.start as { offset?: number }).offset === 'number') {
    const start = object.start as { offset: number; line: number; column: number };
    const end = object.end as { offset: number; line: number; column: number };
    const to = map.start(start.line, start.column);
    // A point (the analysis locates a conflict by line and column only): the same point, moved.
    if (end.line === start.line && end.column === start.column) {
      const point = { offset: start.offset === offsetOf(map.before, start.line, start.column) ? offsetOf(after, to.line, to.column) : start.offset, ...to };
      return { ...object, start: point, end: point };
    }
    const endOffset = map.endOffset(end.offset);
    const before = after.slice(0, endOffset);
    return { ...object, start: { offset: offsetOf(after, to.line, to.column), ...to }, end: { offset: endOffset, line: before.split('\n').length, column: endOffset - before.lastIndexOf('\n') } };
  }
  if (typeof object.line === 'number' && typeof object.column === 'number') return { ...object, ...map.start(object.line, object.column) };
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, moved(v, map, after)]));
}

function offsetOf(source: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) offset = source.indexOf('\n', offset) + 1;
  return offset + column - 1;
}

describe.each(inputs)('fmt $name', ({ name, path }) => {
  const source = readFileSync(path, 'utf8');
  const once = formatted(source);

  it('is idempotent: fmt(fmt(x)) == fmt(x)', () => {
    expect(formatted(once)).toBe(once);
  });

  it('keeps every comment and changes no token but separators', () => {
    const comments = (text: string) => tokenize(text).filter(isComment).map((c) => c.text.trimEnd());
    expect(comments(once).sort()).toEqual(comments(source).sort());
    positionMap(source, once);
    expect(once.endsWith('\n') && !once.endsWith('\n\n')).toBe(true);
    expect(once.split('\n').some((l) => /[ \t]$/.test(l))).toBe(false);
  });

  it('compiles to the same output', () => {
    const filename = name;
    const original = compile(source, { filename });
    const after = compile(once, { filename });
    expect(after.ok).toBe(original.ok);
    const map = positionMap(source, once);
    // Diagnostics and the analysis: equal once each position is moved to where its token went.
    expect(after.diagnostics).toEqual(moved(original.diagnostics, map, once));
    expect(after.analysis).toEqual(moved(original.analysis, map, once));
    expect(after.resources).toEqual(original.resources);
    expect(after.metadata).toEqual(original.metadata);
    if (!original.ok) return;
    // Without #line directives: every generated file byte-identical.
    const plain = (text: string) => compile(text, { filename, lineDirectives: false }).files;
    expect(plain(once)).toEqual(plain(source));
    // With them: the same files line for line, except the numbers of #line directives, each of which
    // must name a line that holds a token of the line it named before.
    for (const [i, file] of original.files.entries()) {
      const a = file.contents.split('\n');
      const b = after.files[i]!.contents.split('\n');
      expect(b.length).toBe(a.length);
      for (let l = 0; l < a.length; l++) {
        if (a[l] === b[l]) continue;
        const directive = /^#line (\d+)( .*)?$/;
        const [, from, fileA] = directive.exec(a[l]!) ?? [];
        const [, to, fileB] = directive.exec(b[l]!) ?? [];
        expect(from && to, `${file.path}:${l + 1}: ${a[l]} became ${b[l]}`).toBeTruthy();
        expect(fileB).toBe(fileA);
        expect([...map.linesOf(Number(from))], `${file.path}:${l + 1}: #line ${from} became #line ${to}`).toContain(Number(to));
      }
    }
  });
});

describe('format', () => {
  it.each(inputs)('gives one layout whatever the spacing: $name on one line and one token per line', ({ path }) => {
    const tokens = tokenize(readFileSync(path, 'utf8')).filter((t) => !isComment(t)).map((t) => t.text);
    expect(formatted(tokens.join(' '))).toBe(formatted(tokens.join('\n')));
  });

  it('lays out a cramped file canonically', () => {
    const text = formatted('map<u32,u64>m:HashMap(4);program p:xdp{fn main(ctx:XdpContext)->XdpAction{let e=ctx.header<EthHdr>(0);if e==null{return XDP_PASS;}m[0]+=1;return XDP_PASS;}};');
    expect(text).toBe(
      [
        'map<u32, u64> m : HashMap(4);',
        'program p : xdp {',
        '  fn main(ctx: XdpContext) -> XdpAction {',
        '    let e = ctx.header<EthHdr>(0);',
        '    if e == null { return XDP_PASS; }',
        '    m[0] += 1;',
        '    return XDP_PASS;',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('keeps grouping parentheses, spellings and literals as written', () => {
    const text = formatted('const A: u32 = (1 + 2) * 0x1_0;\nfn f(x: u32) -> bool { return not (x > A) and (x < 0b11); }\n');
    expect(text).toContain('const A: u32 = (1 + 2) * 0x1_0;');
    expect(text).toContain('return not (x > A) and (x < 0b11);');
  });

  it('refuses a file with a syntax error, with its located diagnostic', () => {
    const result = format('program p : xdp {\n  fn main(ctx: XdpContext) -> XdpAction { return XDP_PASS }\n}\n');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.diagnostic.message).toBe("expected ';'");
    expect(!result.ok && result.diagnostic.span?.start.line).toBe(2);
  });

  it('formats an empty file to nothing and a comment-only file to its comments', () => {
    expect(formatted('')).toBe('');
    expect(formatted('\n\n  \n')).toBe('');
    expect(formatted('\n// a\n\n\n/* b */\n')).toBe('// a\n\n/* b */\n');
  });

  it('writes LF line endings for a CRLF file', () => {
    expect(formatted('const A: u32 = 1; // one\r\nconst B: u32 = 2;\r\n')).toBe('const A: u32 = 1; // one\nconst B: u32 = 2;\n');
  });
});
