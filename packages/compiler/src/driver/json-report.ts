// `--json`: the analysis as data. The schema is the exported types of
// @kernelscript/compiler (SystemAnalysis, ResourcePlan, Diagnostic).
import type { CompileResult } from '../compile.js';
import type { SystemAnalysis } from '../phases/3-analyze/analysis.js';
import type { ResourcePlan } from '../phases/5-ir/resources.js';
import type { MeasuredInstructions } from './report.js';

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
  resources: ResourcePlan | null;
  outputDirectory: string | null;
}

export function jsonReport(file: string, result: CompileResult, outputDirectory: string | null, measured: MeasuredInstructions | null): JsonReport {
  const resources = result.resources && {
    ...result.resources,
    programs: result.resources.programs.map((p) => ({ ...p, measuredInstructions: measured?.get(p.program) ?? null })),
  };
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
    outputDirectory,
  };
}
