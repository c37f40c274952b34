// KernelScript diagnostics as bundler errors and warnings. Rollup, Vite and
// Rolldown show a located error from `loc` and `frame`: there the message is
// the diagnostic without its code frame. webpack and rspack drop structured
// locations and esbuild shows only the text: there the message carries it all.
import { formatDiagnostic, type Diagnostic } from '@kernelscript/compiler';
import { KernelScriptError } from './errors.js';

/**
 * The first column as each bundler that reads `loc` prints it: Rollup counts
 * from 0 (`(5:4)` by its convention); Vite and Rolldown print `file:5:5` as
 * editors and KernelScript do, from 1.
 */
const LOC_COLUMN_BASE: Record<string, 0 | 1> = { rollup: 0, vite: 1, rolldown: 1 };

/** Every error diagnostic of a file (the compiler's or the verifier's), formatted `file.ks:L:C: error: …` with its code frame. */
export function compileError(id: string, displayName: string, source: string, diagnostics: Diagnostic[], framework: string): KernelScriptError {
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  const formatted = errors.map((diagnostic) => formatDiagnostic(diagnostic, displayName, source));
  const first = errors[0]?.span ?? undefined;
  const columnBase = LOC_COLUMN_BASE[framework];
  if (first === undefined || columnBase === undefined) return new KernelScriptError(formatted.join('\n\n'), id, first && { file: id, line: first.start.line, column: first.start.column - 1 });
  // The first diagnostic's header line is the message; its code frame and notes, the frame.
  const [header, ...frame] = formatted[0]!.split('\n');
  return new KernelScriptError(
    [header!, ...formatted.slice(1)].join('\n\n'),
    id,
    { file: id, line: first.start.line, column: first.start.column - 1 + columnBase },
    frame.join('\n'),
  );
}

export function formatWarnings(displayName: string, source: string, diagnostics: Diagnostic[]): string[] {
  return diagnostics.filter((diagnostic) => diagnostic.severity === 'warning').map((diagnostic) => formatDiagnostic(diagnostic, displayName, source));
}
