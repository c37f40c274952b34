// @kernelscript/compiler — the pure core. The CLI and toolchain driver live in `./driver`.
export { compile, systemName, type CompileOptions, type CompileResult, type GeneratedFile, type PhaseTiming } from './compile.js';
export type { Diagnostic, Severity } from './diagnostics/diagnostic.js';
export { formatDiagnostic, type FormatOptions } from './diagnostics/format.js';
export type * from './metadata.js';
export type * from './phases/4-analyze/analysis.js';
export type { ResourcePlan, ProgramResources, MapResources } from './phases/5-ir/resources.js';
export { OPTIMIZATION_KINDS } from './phases/5-ir/optimize/optimization.js';
export type * from './phases/5-ir/optimize/optimization.js';
export type { Span, Position } from './phases/1-parse/ast.js';
export { Btf, BtfError } from './btf/btf.js';
export type * from './btf/btf-types.js';
export type { KernelInputs, TracepointFormat, TracepointField } from './kernel/kernel-inputs.js';
export { generateJsModule, type JsModuleInput } from './phases/6-codegen/js-module.js';
export { generateDts, type DtsInput } from './phases/6-codegen/dts.js';
// The `--json` report and the verifier's verdicts (types only: the core stays free of processes).
export type { JsonReport, JsonDiagnostic } from './driver/json-report.js';
export type { VerificationReport, ProgramVerdict, VerifierRefusal, SourcePoint } from './driver/verify.js';
