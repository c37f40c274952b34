import type { Span } from '../phases/1-parse/ast.js';
import type { DiagnosticCode } from './codes.js';

export type Severity = 'error' | 'warning' | 'info';

/** Another place a diagnostic is about (the program whose stack overflows, the first declaration of a name). */
export interface RelatedLocation {
  message: string;
  span: Span;
}

export interface Diagnostic {
  severity: Severity;
  /** Stable, documented in docs/diagnostics.md (diagnostics/codes.ts). */
  code: DiagnosticCode;
  message: string;
  /** Where in the `.ks` file; null only for whole-file problems. */
  span: Span | null;
  /** Extra lines printed under the code frame (`help: ...`, `note: ...`). */
  notes: string[];
  related?: RelatedLocation[];
}

/** Collects the diagnostics of one compilation, in the order found. */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];

  error(code: DiagnosticCode, message: string, span: Span | null, ...notes: string[]): void {
    this.items.push({ severity: 'error', code, message, span, notes });
  }

  warning(code: DiagnosticCode, message: string, span: Span | null, ...notes: string[]): void {
    this.items.push({ severity: 'warning', code, message, span, notes });
  }

  info(code: DiagnosticCode, message: string, span: Span | null, ...notes: string[]): void {
    this.items.push({ severity: 'info', code, message, span, notes });
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
export function located(code: DiagnosticCode, message: string, span: Span, ...notes: string[]): CompileError {
  return new CompileError({ severity: 'error', code, message, span, notes });
}
