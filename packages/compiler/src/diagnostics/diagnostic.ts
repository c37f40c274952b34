import type { Span } from '../phases/1-parse/ast.js';

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  severity: Severity;
  message: string;
  /** Where in the `.ks` file; null only for whole-file problems. */
  span: Span | null;
  /** Extra lines printed under the code frame (`help: ...`, `note: ...`). */
  notes: string[];
}

/** Collects the diagnostics of one compilation, in the order found. */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];

  error(message: string, span: Span | null, ...notes: string[]): void {
    this.items.push({ severity: 'error', message, span, notes });
  }

  warning(message: string, span: Span | null, ...notes: string[]): void {
    this.items.push({ severity: 'warning', message, span, notes });
  }

  info(message: string, span: Span | null, ...notes: string[]): void {
    this.items.push({ severity: 'info', message, span, notes });
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }
}

/** Thrown inside a phase to stop at the first fatal problem; caught by `compile`. */
export class CompileError extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
  }
}

/** A fatal error at `span`, to throw. */
export function located(message: string, span: Span, ...notes: string[]): CompileError {
  return new CompileError({ severity: 'error', message, span, notes });
}
