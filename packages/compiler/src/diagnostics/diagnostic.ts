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

  /** The diagnostics with at most `MAX_REPORTED_ERRORS` errors; the rest are counted in a last "N more errors". */
  capped(): Diagnostic[] {
    let errors = 0;
    const kept = this.items.filter((d) => d.severity !== 'error' || ++errors <= MAX_REPORTED_ERRORS);
    if (errors <= MAX_REPORTED_ERRORS) return this.items;
    const more = errors - MAX_REPORTED_ERRORS;
    return [...kept, { severity: 'error', code: 'KS9002', message: `${more} more error${more === 1 ? '' : 's'}`, span: null, notes: ['note: only the first errors of a file are shown; fix them and compile again'] }];
  }
}

/** Errors reported per file before the rest are only counted (docs/limits.md). */
export const MAX_REPORTED_ERRORS = 50;

/** Thrown inside a phase to stop at the first fatal problem; caught by `compile`. */
export class CompileError extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
  }
}

/**
 * Thrown where the cause was reported already (a use of a name whose
 * declaration failed): the statement or declaration stops without a second
 * error about the same mistake.
 */
export class ReportedEarlier extends Error {
  constructor() {
    super('reported earlier');
  }
}

/**
 * Recovery after a fatal problem in one declaration or statement: its
 * diagnostic goes into `diagnostics` and the caller carries on with the next.
 * Anything else is a bug in the compiler and propagates.
 */
export function reportStopped(error: unknown, diagnostics: DiagnosticBag): void {
  if (error instanceof CompileError) diagnostics.items.push(error.diagnostic);
  else if (!(error instanceof ReportedEarlier)) throw error;
}

/** A fatal error at `span`, to throw. */
export function located(code: DiagnosticCode, message: string, span: Span, ...notes: string[]): CompileError {
  return new CompileError({ severity: 'error', code, message, span, notes });
}
