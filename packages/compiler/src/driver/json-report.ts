// `--json`: the analysis as data. The schema is the exported types of
// @kernelscript/compiler (SystemAnalysis, ResourcePlan, Diagnostic).
import type { CompileResult } from '../compile.js';
import type { Span } from '../phases/1-parse/ast.js';
import type { SystemAnalysis } from '../phases/4-analyze/analysis.js';
import type { OptimizationReport } from '../phases/5-ir/optimize/optimization.js';
import type { ResourcePlan } from '../phases/5-ir/resources.js';
import { measuredPlan, type BuildFigures } from './build-figures.js';
import type { VerificationReport } from './verify.js';

/** A place in the file: 1-based line and column, the end exclusive. */
export interface JsonRange {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface JsonDiagnostic {
  severity: 'error' | 'warning' | 'info';
  /** Stable code, documented in docs/diagnostics.md. */
  code: string;
  message: string;
  file: string;
  line: number | null;
  column: number | null;
  /** The whole span, when located. */
  range: JsonRange | null;
  notes: string[];
  /** Other places the diagnostic is about. */
  related: { message: string; range: JsonRange }[];
}

export interface JsonReport {
  file: string;
  name: string;
  ok: boolean;
  diagnostics: JsonDiagnostic[];
  analysis: SystemAnalysis | null;
  /** Measured figures replace estimates once clang ran (`build`, `verify`). */
  resources: ResourcePlan | null;
  /** The kernel verifier's verdicts (`verify`, `build --verify`), else null. */
  verification: VerificationReport | null;
  /** `--optimize`: what the optimiser changed, with instruction counts measured after a build (estimated before); else null. */
  optimization: OptimizationReport | null;
  outputDirectory: string | null;
}

export function jsonReport(file: string, result: CompileResult, outputDirectory: string | null, figures: BuildFigures | null): JsonReport {
  const resources = result.resources && measuredPlan(result.resources, figures);
  return {
    file,
    name: result.name,
    ok: result.ok,
    diagnostics: result.diagnostics.map((d) => ({
      severity: d.severity,
      code: d.code,
      message: d.message,
      file,
      line: d.span?.start.line ?? null,
      column: d.span?.start.column ?? null,
      range: d.span && jsonRange(d.span),
      notes: d.notes,
      related: (d.related ?? []).map((r) => ({ message: r.message, range: jsonRange(r.span) })),
    })),
    analysis: result.analysis,
    resources,
    verification: figures?.verification ?? null,
    optimization: figures?.optimization ?? result.optimization,
    outputDirectory,
  };
}

function jsonRange(span: Span): JsonRange {
  return { line: span.start.line, column: span.start.column, endLine: span.end.line, endColumn: span.end.column };
}
