// KernelScript diagnostics as bundler errors and warnings. The location and
// code frame go into the message text itself: webpack and rspack drop
// structured locations, and esbuild shows only the text.
import { formatDiagnostic, type Diagnostic } from '@kernelscript/compiler';
import { KernelScriptError } from './errors.js';

/** Every error diagnostic of a file (the compiler's or the verifier's), formatted `file.ks:L:C: error: …` with its code frame. */
export function compileError(id: string, displayName: string, source: string, diagnostics: Diagnostic[]): KernelScriptError {
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  const first = errors[0]?.span;
  return new KernelScriptError(
    errors.map((diagnostic) => formatDiagnostic(diagnostic, displayName, source)).join('\n\n'),
    id,
    // Rollup's columns are 0-based, KernelScript's 1-based.
    first ? { file: id, line: first.start.line, column: first.start.column - 1 } : undefined,
  );
}

export function formatWarnings(displayName: string, source: string, diagnostics: Diagnostic[]): string[] {
  return diagnostics.filter((diagnostic) => diagnostic.severity === 'warning').map((diagnostic) => formatDiagnostic(diagnostic, displayName, source));
}
