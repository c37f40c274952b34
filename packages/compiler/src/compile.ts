// The pure compiler core: source text in; diagnostics, analysis, resource plan
// and generated files out. No file system, no processes.
import type { SourceFile, Span } from './phases/1-parse/ast.js';
import { parse } from './phases/1-parse/parse.js';
import { buildSymbols } from './phases/2-symbols/build-symbols.js';
import { analyzeSystem } from './phases/4-analyze/analyze.js';
import type { SystemAnalysis } from './phases/4-analyze/analysis.js';
import { typecheckSystem } from './phases/3-typecheck/check-system.js';
import { lowerSystem } from './phases/5-ir/lower.js';
import { OPTIMIZATION_KINDS, optimizeSystem, type OptimizationKind, type OptimizationReport } from './phases/5-ir/optimize/index.js';
import { BPF_STACK_LIMIT, MAP_MEMORY_WARNING_BYTES, planResources, type ProgramResources, type ResourcePlan } from './phases/5-ir/resources.js';
import { generateEbpfC } from './phases/6-codegen/ebpf-c.js';
import { generateMakefile } from './phases/6-codegen/makefile.js';
import { buildMetadata } from './phases/6-codegen/system-metadata.js';
import { generateUserspaceC } from './phases/6-codegen/userspace-c.js';
import { CompileError, DiagnosticBag, type Diagnostic } from './diagnostics/diagnostic.js';
import type { SystemMetadata } from './metadata.js';
import type { SymbolTable } from './phases/2-symbols/symbol-table.js';
import type { TypedSystem } from './phases/3-typecheck/typed-system.js';
import type { KernelInputs } from './kernel/kernel-inputs.js';
import { KernelTypes } from './kernel/kernel-types.js';

export interface CompileOptions {
  /** The `.ks` path as the user named it: used in diagnostics and `#line` directives. */
  filename: string;
  /** CPUs to size per-CPU map memory for (the driver passes the machine's count). */
  cpus?: number;
  /** Emit `#line` directives pointing at the `.ks` source (default true). */
  lineDirectives?: boolean;
  /**
   * Run the optimiser (docs/analysis.md, "Optimiser"): true for every
   * transformation, or only the listed kinds. Off by default; off, the output
   * is exactly what it is without this option.
   */
  optimize?: boolean | readonly OptimizationKind[];
  /** With `optimize`: fold `config` reads into their defaults and remove the load-time globals (they can no longer be set). */
  freezeConfig?: boolean;
  /** Time each phase: the result's `timings` lists them in order (`kernelscript --timings`, the scaling bench). */
  timings?: boolean;
  /**
   * The kernel to compile for: its BTF and tracepoint formats (LANGUAGE.md §13).
   * Asked for only when the program names a kernel type; the driver's
   * `kernelInputs()` reads them from this machine or a `--btf` file.
   */
  kernel?: KernelInputs;
}

/** One phase's share of a compile. */
export interface PhaseTiming {
  phase: 'parse' | 'symbols' | 'typecheck' | 'analyze' | 'lower' | 'resources' | 'codegen';
  ms: number;
}

/** Runs one phase, timing it when timings were asked for. */
export type PhaseTimer = <T>(phase: PhaseTiming['phase'], run: () => T) => T;
const untimed: PhaseTimer = (_phase, run) => run();

export interface GeneratedFile {
  /** Path relative to the output directory. */
  path: string;
  contents: string;
}

export interface CompileResult {
  ok: boolean;
  /** Base name of the system (`multi_programs` for `multi_programs.ks`). */
  name: string;
  diagnostics: Diagnostic[];
  analysis: SystemAnalysis | null;
  resources: ResourcePlan | null;
  metadata: SystemMetadata | null;
  files: GeneratedFile[];
  /** What `optimize` changed; null when it was off. */
  optimization: OptimizationReport | null;
  /** With `timings`: each phase that ran, in order. */
  timings?: PhaseTiming[];
}

export function systemName(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? filename;
  const name = base.replace(/\.ks$/, '').replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

export function compile(source: string, options: CompileOptions): CompileResult {
  const name = systemName(options.filename);
  const diagnostics = new DiagnosticBag();
  const timings: PhaseTiming[] | undefined = options.timings ? [] : undefined;
  const phase: PhaseTimer = (name, run) => {
    if (!timings) return run();
    const start = performance.now();
    try {
      return run();
    } finally {
      timings.push({ phase: name, ms: performance.now() - start });
    }
  };
  const failed = (analysis: SystemAnalysis | null = null): CompileResult => ({
    ok: false,
    name,
    diagnostics: diagnostics.capped(),
    analysis,
    resources: null,
    metadata: null,
    files: [],
    optimization: null,
    timings,
  });
  try {
    const ast = phase('parse', () => parse(source));
    const { symbols, typed, analysis } = checkSystem(ast, diagnostics, options.kernel, phase);
    if (!symbols || !typed || !analysis || diagnostics.hasErrors) return failed(analysis);
    const optimized = options.optimize ? phase('lower', () => optimizeSystem(lowerSystem(typed), analysis, optimizationKinds(options))) : null;
    const ir = optimized?.ir ?? phase('lower', () => lowerSystem(typed));
    const resources = phase('resources', () => planResources(ir, options.cpus ?? 1));
    checkStackLimits(resources.programs, typed, diagnostics);
    warnLargeMaps(resources, (map) => ir.maps.find((m) => m.name === map)!.span, diagnostics);
    if (diagnostics.hasErrors) return failed(analysis);
    const lineDirectives = options.lineDirectives ?? true;
    const { files, metadata } = phase('codegen', () => ({
      files: [
        { path: `${name}.ebpf.c`, contents: generateEbpfC(ir, { filename: options.filename, cFileName: `${name}.ebpf.c`, analysis, lineDirectives }) },
        { path: `${name}.c`, contents: generateUserspaceC(ir, { name, filename: options.filename, analysis, lineDirectives }) },
        { path: 'Makefile', contents: generateMakefile(name) },
      ] satisfies GeneratedFile[],
      metadata: buildMetadata(name, ir),
    }));
    return { ok: true, name, diagnostics: diagnostics.items, analysis, resources, metadata, files, optimization: optimized?.report ?? null, timings };
  } catch (error) {
    recordFailure(error, diagnostics);
    return failed();
  }
}

/** A phase that stopped: its located error, or a plain internal-error diagnostic for a bug in the compiler (never a stack trace). */
export function recordFailure(error: unknown, diagnostics: DiagnosticBag): void {
  if (error instanceof CompileError) diagnostics.items.push(error.diagnostic);
  else diagnostics.error('KS9001', `internal compiler error: ${error instanceof Error ? error.message : String(error)}`, null, 'note: this is a bug in KernelScript; please report it with the .ks file');
}

/** What the checks before code generation leave: each stage is null when an earlier one failed. */
export interface CheckedSystem {
  symbols: SymbolTable | null;
  typed: TypedSystem | null;
  analysis: SystemAnalysis | null;
}

/**
 * Name resolution, type checking and the multi-program analysis of a parsed
 * file, diagnostics into `diagnostics`: the part of `compile` the language
 * services run on every edit.
 */
export function checkSystem(ast: SourceFile, diagnostics: DiagnosticBag, kernel?: KernelInputs, phase: PhaseTimer = untimed): CheckedSystem {
  const symbols = phase('symbols', () => buildSymbols(ast, diagnostics, new KernelTypes(kernel)));
  // Also after declarations with errors, so that all of a file's errors are reported (uses of a failed name are not reported again).
  const declarationsFailed = diagnostics.hasErrors;
  const typed = phase('typecheck', () => typecheckSystem(symbols, diagnostics));
  // On the checker's resolutions: also when some functions failed to check (their resolved parts are analysed).
  const analysis = declarationsFailed ? null : phase('analyze', () => analyzeSystem(typed, diagnostics));
  return { symbols, typed, analysis };
}

/**
 * eBPF's 512-byte stack: a program over it is an error at the declaration of
 * its largest local (the cause), with the program as a related location; at
 * the program's name when the largest is a temporary of the compiler's.
 */
export function checkStackLimits(programs: readonly Pick<ProgramResources, 'program' | 'stackBytes' | 'largestLocals'>[], typed: TypedSystem, diagnostics: DiagnosticBag): void {
  for (const program of programs) {
    if (program.stackBytes <= BPF_STACK_LIMIT) continue;
    const programSpan = typed.symbols.programs.find((p) => p.name === program.program)!.decl.name.span;
    const largest = program.largestLocals[0];
    const declaredAt = largest && localSpan(typed, program.program, largest);
    diagnostics.items.push({
      severity: 'error',
      code: 'KS4002',
      message: `program '${program.program}' needs ${program.stackBytes} bytes of stack; eBPF allows ${BPF_STACK_LIMIT}`,
      span: declaredAt ?? programSpan,
      notes: [
        `note: largest locals: ${program.largestLocals.map((l) => `${l.name} (${l.bytes} bytes, in ${l.function})`).join(', ')}`,
        'help: keep large values in a map (a per-CPU array works as scratch space) instead of on the stack',
      ],
      related: declaredAt ? [{ message: `the stack of program '${program.program}'`, span: programSpan }] : [],
    });
  }
}

/** Where a stack local of `program` (by its C name, in a function by its source name) is declared; null for temporaries. */
function localSpan(typed: TypedSystem, program: string, local: { name: string; function: string }): Span | null {
  const fn = typed.functions.find((f) => f.symbol.name === local.function && (f.program?.name === program || (f.program === null && f.side === 'kernel')));
  return fn?.locals.find((l) => l.cName === local.name)?.span ?? null;
}

/** A map planning more than MAP_MEMORY_WARNING_BYTES of kernel memory is a warning at its declaration: it is rarely meant. */
export function warnLargeMaps(plan: Pick<ResourcePlan, 'maps' | 'cpus'>, spanOf: (map: string) => Span, diagnostics: DiagnosticBag): void {
  for (const map of plan.maps) {
    if (map.bytes <= MAP_MEMORY_WARNING_BYTES) continue;
    diagnostics.warning(
      'KS4003',
      `map '${map.map}' plans ${mebibytes(map.bytes)} of kernel memory${map.perCpu ? ` (on ${plan.cpus} CPU${plan.cpus === 1 ? '' : 's'})` : ''}, more than ${mebibytes(MAP_MEMORY_WARNING_BYTES)}`,
      spanOf(map.map),
      'help: a smaller max_entries, or an LRU kind that evicts old entries, keeps it within memory',
      'note: the limits are listed in docs/limits.md',
    );
  }
}

function mebibytes(bytes: number): string {
  return `${Math.round(bytes / 2 ** 20).toLocaleString('en')} MiB`;
}

/** The kinds `options` turns on; `config-fold` only with `freezeConfig`. */
function optimizationKinds(options: CompileOptions): OptimizationKind[] {
  const asked = options.optimize === true ? OPTIMIZATION_KINDS : options.optimize || [];
  return asked.filter((kind) => kind !== 'config-fold' || options.freezeConfig === true);
}

export type { Span };
