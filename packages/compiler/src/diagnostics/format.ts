import type { Diagnostic } from './diagnostic.js';

export interface FormatOptions {
  /** Wrap severity and caret in ANSI colours. */
  color?: (kind: 'error' | 'warning' | 'info' | 'caret' | 'dim' | 'bold', text: string) => string;
}

const plain: NonNullable<FormatOptions['color']> = (_kind, text) => text;

/**
 * `file.ks:LINE:COL: error: message`, then the source line and a caret under
 * the span — the shape compilers such as gcc and rustc use, so editors and CI
 * log parsers pick it up.
 */
export function formatDiagnostic(diagnostic: Diagnostic, filename: string, source: string, options: FormatOptions = {}): string {
  const color = options.color ?? plain;
  const { span } = diagnostic;
  const where = span ? `${filename}:${span.start.line}:${span.start.column}` : filename;
  const lines = [`${color('bold', where)}: ${color(diagnostic.severity, diagnostic.severity)}: ${color('bold', diagnostic.message)}`];
  if (span) {
    const sourceLine = source.split('\n')[span.start.line - 1] ?? '';
    const gutter = String(span.start.line);
    const pad = ' '.repeat(gutter.length);
    const lastColumn = span.end.line === span.start.line ? span.end.column : sourceLine.length + 1;
    const width = Math.max(1, lastColumn - span.start.column);
    lines.push(`${color('dim', `${gutter} |`)} ${sourceLine.replace(/\t/g, ' ')}`);
    lines.push(`${color('dim', `${pad} |`)} ${' '.repeat(span.start.column - 1)}${color('caret', '^'.repeat(width))}`);
  }
  for (const note of diagnostic.notes) lines.push(`  = ${note}`);
  return lines.join('\n');
}
