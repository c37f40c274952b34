// The compile commands: `kernelscript FILE.ks` writes the project directory;
// `build` also runs the toolchain on it; `verify` builds in a scratch
// directory and loads every program into the kernel verifier. The toolchain
// part (execa) is imported only when a build runs.
import { readFile, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { compile, type CompileOptions, type CompileResult } from '../compile.js';
import { kernelInputs } from './kernel-inputs.js';
import { formatDiagnostic } from '../diagnostics/format.js';
import { MAX_SOURCE_BYTES } from '../phases/1-parse/limits.js';
import { colorsFor, type Colors } from './colors.js';
import { EXIT_COMPILE_ERROR, EXIT_OK, UsageError, type CommandIo } from './command.js';
import { jsonReport } from './json-report.js';
import type { BuildFigures } from './build-figures.js';
import { formatReport } from './report.js';
import { ToolchainError } from './toolchain-error.js';
import { refusalDiagnostic } from './verify-diagnostics.js';
import { OutputError } from './output-error.js';
import { writeOutputDirectory } from './write-output.js';

export interface CompileCommandOptions {
  output?: string;
  json?: boolean;
  quiet?: boolean;
  color?: boolean;
  /** build: load every program into the kernel verifier after clang ran. */
  verify?: boolean;
  /** Show the tail of the raw verifier log under a refusal. */
  verbose?: boolean;
  /** Run the optimiser (per-CPU counters, constant folding, dead branches). */
  optimize?: boolean;
  /** With --optimize: fold config into its defaults and drop the load-time settings. */
  freezeConfig?: boolean;
  /** `--no-line-directives`: no `#line` in the generated C, to read and debug the generator's output as C. */
  lineDirectives?: boolean;
  /** Print how long compiling took, per phase, to stderr. */
  timings?: boolean;
  /** build, verify: where built objects and coordinators are cached (default: defaultCacheDir()). */
  cacheDir?: string;
  /** Replace files in the output directory that kernelscript did not write, or that were changed since. */
  force?: boolean;
  /** The BTF file to compile kernel types against (default: the running kernel's). */
  btf?: string;
}

/** The compiler's options for `file` from the command line's. */
export function compileOptionsOf(file: string, options: CompileCommandOptions): CompileOptions {
  return {
    filename: file,
    cpus: availableParallelism(),
    optimize: options.optimize === true,
    freezeConfig: options.freezeConfig === true,
    lineDirectives: options.lineDirectives !== false,
    kernel: kernelInputs({ btf: options.btf }),
  };
}

/** compile: write the project; build: also run clang and gcc; verify: build the object in a scratch directory and load it into the verifier. */
export type Mode = 'compile' | 'build' | 'verify';

/** Compiles `file` and writes, builds or verifies what `mode` says; returns the exit code. */
export async function compileCommand(file: string | undefined, options: CompileCommandOptions, mode: Mode, io: CommandIo, writeOutput = true): Promise<number> {
  if (!file) throw new UsageError('missing input file (kernelscript FILE.ks)');
  if (!file.endsWith('.ks')) throw new UsageError(`expected a .ks file, got '${file}'`);
  let source: string;
  try {
    // A file over the size limit is refused before it is read (compile() would refuse it too, after reading it all).
    const { size } = await stat(file);
    if (size > MAX_SOURCE_BYTES) {
      io.stderr.write(`kernelscript: ${file}: source file too large: ${size.toLocaleString('en')} bytes, more than ${MAX_SOURCE_BYTES.toLocaleString('en')} (8 MiB; see docs/limits.md)\n`);
      return EXIT_COMPILE_ERROR;
    }
    source = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read '${file}': ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const colorEnabled = options.color !== false;
  const out = colorsFor(io.stdout, colorEnabled);
  const err = colorsFor(io.stderr, colorEnabled);
  if (options.freezeConfig && !options.optimize) throw new UsageError('--freeze-config needs --optimize');
  const compileOptions = compileOptionsOf(file, options);
  const compileStart = performance.now();
  const compileCpuStart = process.cpuUsage();
  const result = compile(source, { ...compileOptions, timings: options.timings === true });
  if (options.timings) {
    // CPU time too: on a loaded machine the wall time is mostly waiting for a core.
    const cpu = process.cpuUsage(compileCpuStart);
    const phases = (result.timings ?? []).map((t) => `${t.phase} ${t.ms.toFixed(3)}`).join(', ');
    io.stderr.write(`kernelscript: compile ${(performance.now() - compileStart).toFixed(3)} ms, CPU ${((cpu.user + cpu.system) / 1000).toFixed(3)} ms (${phases})\n`);
  }
  const printDiagnostics = () => {
    for (const d of result.diagnostics) {
      if (options.quiet && d.severity !== 'error') continue;
      if (options.json) continue;
      io.stderr.write(`${formatDiagnostic(d, file, source, { color: colorize(err) })}\n`);
    }
  };
  if (!result.ok) {
    printDiagnostics();
    if (options.json) io.stdout.write(`${JSON.stringify(jsonReport(file, result, null, null), null, 2)}\n`);
    else if (!options.quiet) io.stderr.write(err.red(`kernelscript: ${file}: ${countErrors(result)} error(s); nothing was written\n`));
    return EXIT_COMPILE_ERROR;
  }
  printDiagnostics();
  const directory = options.output ?? result.name;
  let figures: BuildFigures | null = null;
  const say = (step: string) => {
    if (!options.quiet && !options.json) io.stdout.write(`${out.cyan('→')} ${step}\n`);
  };
  // What the generated Makefile builds; `build` writes them too.
  const built = [`${result.name}.ebpf.o`, result.name];
  const force = options.force === true;
  try {
    if (mode === 'compile') await writeOutputDirectory(directory, result.files, { built, force });
    else {
      const { buildAndMeasure, buildInScratchDirectory } = await import('./build-command.js');
      const { defaultCacheDir } = await import('./build-cache.js');
      const input = { file, source, compileOptions, cacheDir: options.cacheDir ?? defaultCacheDir() };
      if (!writeOutput) figures = (await buildInScratchDirectory(result, input, say)).figures;
      else {
        const build = async (staging: string) => void (figures = (await buildAndMeasure(result, staging, mode === 'verify', input, say)).figures);
        await writeOutputDirectory(directory, result.files, { built, build, force });
      }
    }
  } catch (error) {
    if (error instanceof OutputError) {
      io.stderr.write(`${err.red('kernelscript:')} ${error.message}\n${err.dim('nothing was written')}\n`);
      return EXIT_COMPILE_ERROR;
    }
    if (!(error instanceof ToolchainError)) throw error;
    io.stderr.write(`${err.red('kernelscript: build failed:')} ${error.message}\n${err.dim('nothing was written')}\n`);
    return EXIT_COMPILE_ERROR;
  }
  const verification = (figures as BuildFigures | null)?.verification ?? null;
  if (verification && !options.json) {
    for (const verdict of verification.programs.filter((v) => !v.accepted)) {
      io.stderr.write(`${formatDiagnostic(refusalDiagnostic(verdict), file, source, { color: colorize(err) })}\n`);
      if (options.verbose) io.stderr.write(`${err.dim(['  verifier log (tail):', ...verdict.refusal!.logTail.map((l) => `  | ${l}`)].join('\n'))}\n`);
    }
  }
  if (options.json) {
    io.stdout.write(`${JSON.stringify(jsonReport(file, result, writeOutput ? directory : null, figures), null, 2)}\n`);
  } else if (!options.quiet) {
    io.stdout.write(`${formatReport(result, out, figures)}\n\n`);
    if (writeOutput) {
      const written = result.files.map((f) => f.path).concat(mode !== 'compile' ? built : []);
      io.stdout.write(`${out.green('✓')} Wrote ${relative(process.cwd(), directory) || '.'}/: ${written.join(', ')}\n`);
      if (mode === 'compile') io.stdout.write(out.dim(`  Build it with: make -C ${directory}   (or: kernelscript build ${file})\n`));
      else io.stdout.write(out.dim(`  Run it with: sudo ${runnablePath(join(directory, result.name))}\n`));
    }
  }
  return verification && !verification.accepted ? EXIT_COMPILE_ERROR : EXIT_OK;
}

/** A path a shell runs as a program: relative ones need `./`. */
function runnablePath(path: string): string {
  return isAbsolute(path) ? path : `./${path}`;
}

function countErrors(result: CompileResult): number {
  return result.diagnostics.filter((d) => d.severity === 'error').length;
}

function colorize(colors: Colors) {
  return (kind: 'error' | 'warning' | 'info' | 'caret' | 'dim' | 'bold', text: string): string => {
    switch (kind) {
      case 'error':
        return colors.bold(colors.red(text));
      case 'warning':
        return colors.bold(colors.yellow(text));
      case 'info':
        return colors.bold(colors.cyan(text));
      case 'caret':
        return colors.red(text);
      case 'dim':
        return colors.dim(text);
      case 'bold':
        return colors.bold(text);
    }
  };
}
