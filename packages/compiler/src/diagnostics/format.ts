import type { Span } from '../phases/1-parse/ast.js';
import type { Diagnostic } from './diagnostic.js';

export interface FormatOptions {
  /** Wrap severity and caret in ANSI colours. */
  color?: (kind: 'error' | 'warning' | 'info' | 'caret' | 'dim' | 'bold', text: string) => string;
}

const plain: NonNullable<FormatOptions['color']> = (_kind, text) => text;

/**
 * `file.ks:LINE:COL: error[KS3101]: message`, then the source line and a
 * caret under the span — the shape compilers such as gcc and rustc use, so
 * editors and CI log parsers pick it up — its notes, and each related
 * location as `file.ks:LINE:COL: note: message` with its own frame.
 */
export function formatDiagnostic(diagnostic: Diagnostic, filename: string, source: string, options: FormatOptions = {}): string {
  const color = options.color ?? plain;
  const lines = source.split('\n');
  const out = [`${color('bold', where(filename, diagnostic.span))}: ${color(diagnostic.severity, `${diagnostic.severity}[${diagnostic.code}]`)}: ${color('bold', diagnostic.message)}`];
  if (diagnostic.span) out.push(...codeFrame(diagnostic.span, lines, color));
  for (const note of diagnostic.notes) out.push(`  = ${note}`);
  for (const related of diagnostic.related ?? []) {
    out.push(`${color('bold', where(filename, related.span))}: ${color('info', 'note')}: ${related.message}`, ...codeFrame(related.span, lines, color));
  }
  return out.join('\n');
}

function where(filename: string, span: Span | null): string {
  return span ? `${filename}:${span.start.line}:${span.start.column}` : filename;
}

function codeFrame(span: Span, lines: string[], color: NonNullable<FormatOptions['color']>): string[] {
  const sourceLine = lines[span.start.line - 1] ?? '';
  const gutter = String(span.start.line);
  const pad = ' '.repeat(gutter.length);
  const lastColumn = span.end.line === span.start.line ? span.end.column : sourceLine.length + 1;
  const width = Math.max(1, lastColumn - span.start.column);
  return [
    `${color('dim', `${gutter} |`)} ${sourceLine.replace(/\t/g, ' ')}`,
    `${color('dim', `${pad} |`)} ${' '.repeat(span.start.column - 1)}${color('caret', '^'.repeat(width))}`,
  ];
}
