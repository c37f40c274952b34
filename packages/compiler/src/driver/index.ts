// @kernelscript/compiler/driver — what runs outside the pure core: the CLI
// and the toolchain calls, for tools such as the bundler plugin.
export { main } from './cli.js';
export { archIncludeFlags, buildBpfObject, buildCoordinator, countInstructions, INSTALL_HINT, missingToolError, toolVersion, ToolchainError, type ToolchainOptions } from './toolchain.js';
export { writeOutputDirectory, MANIFEST_NAME, type OutputOptions } from './write-output.js';
export { OutputError } from './output-error.js';
export { formatReport } from './report.js';
export { jsonReport, type JsonReport, type JsonDiagnostic } from './json-report.js';
export { verifyObject, type VerificationReport, type ProgramVerdict, type VerifierRefusal, type VerifyOptions } from './verify.js';
export { measuredPlan, type BuildFigures } from './build-figures.js';
export { refusalDiagnostic } from './verify-diagnostics.js';
export { declarationPath, writeDeclaration, DTS_FORMS, type DtsForm } from './declarations.js';
export { kernelInputs, loadBtf, KERNEL_BTF, type KernelInputOptions } from './kernel-inputs.js';
export { parseTracepointFormat, readTracepointFormat, TRACEFS_ROOTS } from './tracefs.js';
