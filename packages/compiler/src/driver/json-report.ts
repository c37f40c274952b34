// `--json`: the analysis as data. The schema is the exported types of
// @kernelscript/compiler (SystemAnalysis, ResourcePlan, Diagnostic).
import type { CompileResult } from '../compile.js';
import type { SystemAnalysis } from '../phases/4-analyze/analysis.js';
import type { OptimizationReport } from '../phases/5-ir/optimize/optimization.js';
import type { ResourcePlan } from '../phases/5-ir/resources.js';
import { measuredPlan, type BuildFigures } from './build-figures.js';
import type { VerificationReport } from './verify.js';

export interface JsonDiagnostic {
  severity: 'error' | 'warning' | 'info';
  message: string;
  file: string;
  line: number | null;
  column: number | null;
  notes: string[];
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
      message: d.message,
      file,
      line: d.span?.start.line ?? null,
      column: d.span?.start.column ?? null,
      notes: d.notes,
    })),
    analysis: result.analysis,
    resources,
    verification: figures?.verification ?? null,
    optimization: figures?.optimization ?? result.optimization,
    outputDirectory,
  };
}
