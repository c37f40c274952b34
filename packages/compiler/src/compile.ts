// The pure compiler core: source text in; diagnostics, analysis, resource plan
// and generated files out. No file system, no processes.
import type { Span } from './phases/1-parse/ast.js';
import { parse } from './phases/1-parse/parse.js';
import { buildSymbols } from './phases/2-symbols/build-symbols.js';
import { analyzeSystem } from './phases/3-analyze/analyze.js';
import type { SystemAnalysis } from './phases/3-analyze/analysis.js';
import { typecheckSystem } from './phases/4-typecheck/typecheck.js';
import { lowerSystem } from './phases/5-ir/lower.js';
import { BPF_STACK_LIMIT, planResources, type ResourcePlan } from './phases/5-ir/resources.js';
import { generateEbpfC } from './phases/6-codegen/ebpf-c.js';
import { generateMakefile } from './phases/6-codegen/makefile.js';
import { buildMetadata } from './phases/6-codegen/system-metadata.js';
import { generateUserspaceC } from './phases/6-codegen/userspace-c.js';
import { CompileError, DiagnosticBag, type Diagnostic } from './diagnostics/diagnostic.js';
import type { SystemMetadata } from './metadata.js';

export interface CompileOptions {
  /** The `.ks` path as the user named it: used in diagnostics and `#line` directives. */
  filename: string;
  /** CPUs to size per-CPU map memory for (the driver passes the machine's count). */
  cpus?: number;
  /** Emit `#line` directives pointing at the `.ks` source (default true). */
  lineDirectives?: boolean;
}

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
}

export function systemName(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? filename;
  const name = base.replace(/\.ks$/, '').replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

export function compile(source: string, options: CompileOptions): CompileResult {
  const name = systemName(options.filename);
  const diagnostics = new DiagnosticBag();
  const failed = (analysis: SystemAnalysis | null = null): CompileResult => ({
    ok: false,
    name,
    diagnostics: diagnostics.items,
    analysis,
    resources: null,
    metadata: null,
    files: [],
  });
  try {
    const ast = parse(source);
    const symbols = buildSymbols(ast, diagnostics);
    if (diagnostics.hasErrors) return failed();
    const analysis = analyzeSystem(symbols, diagnostics);
    const typed = typecheckSystem(symbols, diagnostics);
    if (diagnostics.hasErrors) return failed(analysis);
    const ir = lowerSystem(typed);
    const resources = planResources(ir, options.cpus ?? 1);
    for (const program of resources.programs) {
      if (program.stackBytes <= BPF_STACK_LIMIT) continue;
      const decl = symbols.programs.find((p) => p.name === program.program)!.decl;
      diagnostics.error(
        `program '${program.program}' needs ${program.stackBytes} bytes of stack; eBPF allows ${BPF_STACK_LIMIT}`,
        decl.name.span,
        `note: largest locals: ${program.largestLocals.map((l) => `${l.name} (${l.bytes} bytes, in ${l.function})`).join(', ')}`,
        'help: keep large values in a map (a per-CPU array works as scratch space) instead of on the stack',
      );
    }
    if (diagnostics.hasErrors) return failed(analysis);
    const lineDirectives = options.lineDirectives ?? true;
    const programs = symbols.programs.map((p) => ({ name: p.name, kind: p.info.kind, target: p.target }));
    const files: GeneratedFile[] = [
      { path: `${name}.ebpf.c`, contents: generateEbpfC(ir, { filename: options.filename, cFileName: `${name}.ebpf.c`, analysis, lineDirectives }) },
      { path: `${name}.c`, contents: generateUserspaceC(ir, { name, filename: options.filename, analysis, lineDirectives, programs }) },
      { path: 'Makefile', contents: generateMakefile(name) },
    ];
    return { ok: true, name, diagnostics: diagnostics.items, analysis, resources, metadata: buildMetadata(name, symbols, ir), files };
  } catch (error) {
    if (error instanceof CompileError) {
      diagnostics.items.push(error.diagnostic);
    } else {
      // A bug in the compiler, not in the program: say so plainly instead of crashing with a stack trace.
      diagnostics.error(`internal compiler error: ${error instanceof Error ? error.message : String(error)}`, null, 'note: this is a bug in KernelScript; please report it with the .ks file');
    }
    return failed();
  }
}

export type { Span };
