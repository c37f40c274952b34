// The input limits of docs/limits.md. The parser and every later phase walk
// the syntax tree recursively, and JavaScript's stack is small and not ours
// to size (a bundler or an editor calls compile() from its own stack), so the
// depth of what reaches them is bounded here, each bound with a located error:
//
// - the source size, checked before anything reads the text;
// - bracket nesting, checked by a linear scan before the parser runs: it is
//   the only thing the grammar recurses on (prefix operators, pointer stars
//   and `else if` chains are read as lists);
// - the depth of the syntax tree, checked right after parsing by an
//   iterative walk: operator chains, casts and `else if` chains are parsed
//   iteratively but still make deep trees for the later phases.
//
// The bounds leave a margin of four or more: at the limits, every shape
// compiles in a quarter of Node's default stack (test/fuzz/limits.test.ts).
import type { SourceFile, Span } from './ast.js';
import { pointAt } from './source-position.js';
import { CompileError, type Diagnostic } from '../../diagnostics/diagnostic.js';
import type { DiagnosticCode } from '../../diagnostics/codes.js';

/** Largest accepted source, in bytes of UTF-8. */
export const MAX_SOURCE_BYTES = 8 * 1024 * 1024;
/** Most brackets — `(`, `[` and `{` together — open at one point of the source. */
export const MAX_BRACKET_DEPTH = 128;
/** Deepest statement or expression nesting (see `nestingDepth` for what counts). */
export const MAX_NESTING_DEPTH = 256;

const LIMITS_DOC = 'note: the limits are listed in docs/limits.md';

/** Throws a located CompileError when `source` is over a limit that must be checked before parsing. */
export function checkSourceLimits(source: string): void {
  checkSize(source);
  checkBrackets(source);
}

function checkSize(source: string): void {
  // UTF-8 takes at least one byte per UTF-16 unit and at most three.
  if (source.length * 3 <= MAX_SOURCE_BYTES) return;
  let bytes = 0;
  for (let offset = 0; offset < source.length; offset++) {
    const unit = source.charCodeAt(offset);
    // A surrogate pair is four bytes: two for each half.
    bytes += unit < 0x80 ? 1 : unit < 0x800 || (unit >= 0xd800 && unit < 0xe000) ? 2 : 3;
    if (bytes > MAX_SOURCE_BYTES) {
      throw limitError(
        'KS1006',
        `source file too large: more than ${MAX_SOURCE_BYTES.toLocaleString('en')} bytes (8 MiB)`,
        pointAt(source, offset),
        'help: split the system into smaller files',
      );
    }
  }
}

/**
 * Counts open brackets the way the grammar reads the text: brackets inside
 * comments, strings and character literals do not count. Where a string or
 * comment is not well formed the parser stops there, so counting on from it
 * as code can only over-count, never miss nesting the parser would enter.
 */
function checkBrackets(source: string): void {
  let depth = 0;
  let offset = 0;
  while (offset < source.length) {
    const char = source[offset]!;
    if (char === '(' || char === '[' || char === '{') {
      depth++;
      if (depth > MAX_BRACKET_DEPTH) {
        throw limitError(
          'KS1007',
          `nesting too deep: more than ${MAX_BRACKET_DEPTH} brackets are open here`,
          pointAt(source, offset),
          'help: move the inner part into a function, or a value into a `let`',
        );
      }
      offset++;
    } else if (char === ')' || char === ']' || char === '}') {
      if (depth > 0) depth--;
      offset++;
    } else if (char === '/' && source[offset + 1] === '/') {
      const end = source.indexOf('\n', offset);
      offset = end === -1 ? source.length : end;
    } else if (char === '/' && source[offset + 1] === '*') {
      const end = source.indexOf('*/', offset + 2);
      offset = end === -1 ? offset + 1 : end + 2;
    } else if (char === '"') {
      offset = quotedEnd(source, offset, '"', true) ?? offset + 1;
    } else if (char === "'") {
      offset = quotedEnd(source, offset, "'", false) ?? offset + 1;
    } else {
      offset++;
    }
  }
}

const SIMPLE_ESCAPES = new Set(['n', 't', 'r', '\\', '"', "'", '0']);
const HEX_DIGIT = /^[0-9a-fA-F]$/;

/** The offset just past a well-formed string (`many`) or character literal starting at `start`, or null. */
function quotedEnd(source: string, start: number, quote: string, many: boolean): number | null {
  let offset = start + 1;
  let count = 0;
  while (offset < source.length) {
    const char = source[offset]!;
    if (char === quote) return many || count === 1 ? offset + 1 : null;
    if (char === '\n' || (!many && count === 1)) return null;
    if (char === '\\') {
      const next = source[offset + 1] ?? '';
      if (next === 'x') {
        if (!HEX_DIGIT.test(source[offset + 2] ?? '') || !HEX_DIGIT.test(source[offset + 3] ?? '')) return null;
        offset += 4;
      } else if (SIMPLE_ESCAPES.has(next)) {
        offset += 2;
      } else {
        return null;
      }
    } else {
      offset++;
    }
    count++;
  }
  return null;
}

/** Node kinds that only group others and add no level a reader would count. */
const GROUPING_KINDS = new Set(['Block', 'StructLiteralField']);

/**
 * The nesting depth of every declaration, statement and expression must stay
 * within MAX_NESTING_DEPTH. A top-level item is level 1, and everything in
 * it one level deeper than what holds it — each declaration, statement,
 * expression, pattern, type and name — except blocks and struct-literal
 * fields, which only group. So a statement of a program's `main` is level 3,
 * nested `if`s count one level each, an `else if` one more than the `if`
 * before it, and `a + b + c` two (it is `(a + b) + c`) above its operands.
 *
 * A match is lowered to an `if`/`else if` chain, so its k-th arm counts k
 * levels below the match (k = 1 for the first).
 */
export function checkNestingDepth(file: SourceFile): void {
  const stack: { node: object; depth: number }[] = [];
  for (const item of file.items) visit(item, 0);
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) {
        const isArms = (node as { kind: string }).kind === 'MatchExpr' && value.length > 0 && isNode(value[0]) && value[0].kind === 'MatchArm';
        value.forEach((child, index) => {
          if (isNode(child)) visit(child, depth + (isArms ? index : 0));
        });
      } else if (isNode(value)) {
        visit(value, depth);
      }
    }
  }

  function visit(node: { kind: string; span: Span }, parentDepth: number): void {
    const depth = GROUPING_KINDS.has(node.kind) ? parentDepth : parentDepth + 1;
    if (depth > MAX_NESTING_DEPTH) {
      throw limitError(
        'KS1007',
        node.kind === 'MatchArm'
          ? `nesting too deep: a match is an \`else if\` chain, and this arm is more than ${MAX_NESTING_DEPTH} levels deep`
          : `nesting too deep: this ${describeKind(node.kind)} is more than ${MAX_NESTING_DEPTH} levels deep`,
        node.span,
        'help: split long operator chains, `else if` chains or matches, or move the inner part into a function',
      );
    }
    stack.push({ node, depth });
  }
}

function isNode(value: unknown): value is { kind: string; span: Span } {
  return typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string';
}

function describeKind(kind: string): string {
  if (kind.endsWith('Stmt')) return 'statement';
  if (kind.endsWith('Type')) return 'type';
  return 'expression';
}

function limitError(code: DiagnosticCode, message: string, span: Span, help: string): CompileError {
  const diagnostic: Diagnostic = { severity: 'error', code, message, span, notes: [help, LIMITS_DOC] };
  return new CompileError(diagnostic);
}

