// The `kernelscript` command: compile a .ks file to a project directory, and
// optionally build it with clang and gcc. Exit codes: 0 ok, 1 compile or build
// error, 2 bad usage.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { cac } from 'cac';
import { compile, type CompileOptions, type CompileResult } from '../compile.js';
import { formatDiagnostic } from '../diagnostics/format.js';
import { colorsFor, type Colors } from './colors.js';
import { jsonReport } from './json-report.js';
import type { BuildFigures } from './build-figures.js';
import { measureOptimization } from './optimization-figures.js';
import { formatReport } from './report.js';
import { buildBpfObject, buildCoordinator, countInstructions, ToolchainError } from './toolchain.js';
import { typesCommand } from './types-command.js';
import { DTS_FORMS, type DtsForm } from './declarations.js';
import { refusalDiagnostic } from './verify-diagnostics.js';
import { verifyObject } from './verify.js';
import { writeOutputDirectory } from './write-output.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

const EXIT_OK = 0;
const EXIT_COMPILE_ERROR = 1;
const EXIT_USAGE = 2;

interface CommonOptions {
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
}

/** compile: write the project; build: also run clang and gcc; verify: build the object in a scratch directory and load it into the verifier. */
type Mode = 'compile' | 'build' | 'verify';

class UsageError extends Error {}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[], io: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream } = process): Promise<number> {
  const cli = cac('kernelscript');
  let run: (() => Promise<number>) | null = null;
  const withCommon = (command: ReturnType<typeof cli.command>) =>
    command
      .option('-o, --output <dir>', 'Output directory (default: the file name without .ks)')
      .option('--json', 'Print the analysis as JSON')
      .option('--quiet', 'Print only errors')
      .option('--no-color', 'Never colour the output')
      .option('--verbose', 'Show the tail of the raw verifier log when the verifier refuses a program')
      .option('--optimize', 'Optimize: per-CPU counter maps, constant folding, dead-branch removal (listed in the report)')
      .option('--freeze-config', 'With --optimize: fold config into its defaults; config can then no longer be set at load time');

  withCommon(cli.command('[file]', 'Compile FILE.ks to eBPF C, a userspace coordinator and a Makefile'))
    .example('kernelscript examples/multi_programs.ks')
    .example('kernelscript -o my_project examples/multi_programs.ks')
    .action((file: string | undefined, options: CommonOptions) => {
      run = () => compileCommand(file, options, 'compile', io);
    });
  withCommon(cli.command('build <file>', 'Compile FILE.ks, then build the eBPF object and the coordinator with clang and gcc'))
    .option('--verify', 'Load every program into the kernel verifier (needs root) and report its verdicts')
    .example('kernelscript build examples/multi_programs.ks -o build/multi_programs')
    .action((file: string, options: CommonOptions) => {
      run = () => compileCommand(file, options, options.verify ? 'verify' : 'build', io);
    });
  withCommon(cli.command('verify <file>', 'Compile FILE.ks, build the eBPF object in a scratch directory and load every program into the kernel verifier (needs root)'))
    .example('sudo kernelscript verify examples/multi_programs.ks')
    .action((file: string, options: CommonOptions) => {
      run = () => compileCommand(file, { ...options, verify: true }, 'verify', io, false);
    });
  cli
    .command('types <...globs>', 'Write the TypeScript declaration file beside every matching .ks (what unplugin-kernelscript writes), only when it changed')
    .option('--dts <form>', "Which file: 'd.ks.ts' (counter.d.ks.ts, allowArbitraryExtensions) or 'ks.d.ts' (counter.ks.d.ts)", { default: 'd.ks.ts' })
    .option('--quiet', 'Print only errors')
    .example("kernelscript types 'src/**/*.ks'")
    .example('kernelscript types src --dts ks.d.ts')
    .action((globs: string[], options: { dts: string; quiet?: boolean }) => {
      if (!DTS_FORMS.includes(options.dts as DtsForm)) throw new UsageError(`--dts must be one of ${DTS_FORMS.join(', ')}, got '${options.dts}'`);
      run = () => typesCommand(globs, { dts: options.dts as DtsForm, quiet: options.quiet === true }, io);
    });
  cli.help();
  cli.version(version);

  try {
    // cac hands its parser the camelCase name of a dashed boolean flag, so `--freeze-config FILE` would take FILE as the flag's value.
    const args = argv.map((arg) => (arg === '--freeze-config' ? '--freezeConfig' : arg));
    const parsed = cli.parse(['node', 'kernelscript', ...args], { run: false });
    if (parsed.options.help || parsed.options.version) return EXIT_OK;
    if (!cli.matchedCommand) throw new UsageError(`unknown command '${argv[0]}'`);
    await cli.runMatchedCommand();
    return await run!();
  } catch (error) {
    if (error instanceof UsageError || (error instanceof Error && error.name === 'CACError')) {
      io.stderr.write(`kernelscript: ${error.message}\nRun 'kernelscript --help' for usage.\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

async function compileCommand(file: string | undefined, options: CommonOptions, mode: Mode, io: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream }, writeOutput = true): Promise<number> {
  if (!file) throw new UsageError('missing input file (kernelscript FILE.ks)');
  if (!file.endsWith('.ks')) throw new UsageError(`expected a .ks file, got '${file}'`);
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read '${file}': ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const colorEnabled = options.color !== false;
  const out = colorsFor(io.stdout, colorEnabled);
  const err = colorsFor(io.stderr, colorEnabled);
  if (options.freezeConfig && !options.optimize) throw new UsageError('--freeze-config needs --optimize');
  const compileOptions = { filename: file, cpus: availableParallelism(), optimize: options.optimize === true, freezeConfig: options.freezeConfig === true };
  const result = compile(source, compileOptions);
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
  try {
    if (!writeOutput) figures = await withScratchDirectory((scratch) => buildAndMeasure(result, scratch, mode, { file, source, compileOptions }, options, out, io));
    else await writeOutputDirectory(directory, result.files, mode !== 'compile' ? async (staging) => void (figures = await buildAndMeasure(result, staging, mode, { file, source, compileOptions }, options, out, io)) : undefined);
  } catch (error) {
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
      const written = result.files.map((f) => f.path).concat(mode !== 'compile' ? [`${result.name}.ebpf.o`, result.name] : []);
      io.stdout.write(`${out.green('✓')} Wrote ${relative(process.cwd(), directory) || '.'}/: ${written.join(', ')}\n`);
      if (mode === 'compile') io.stdout.write(out.dim(`  Build it with: make -C ${directory}   (or: kernelscript build ${file})\n`));
      else io.stdout.write(out.dim(`  Run it with: sudo ${runnablePath(join(directory, result.name))}\n`));
    }
  }
  return verification && !verification.accepted ? EXIT_COMPILE_ERROR : EXIT_OK;
}

/** clang (and gcc for a written project), instruction counts from the object, and the verifier when asked. */
async function buildAndMeasure(
  result: CompileResult,
  dir: string,
  mode: Mode,
  input: { file: string; source: string; compileOptions: CompileOptions },
  options: CommonOptions,
  colors: Colors,
  io: { stdout: NodeJS.WriteStream },
): Promise<BuildFigures> {
  const say = (step: string) => {
    if (!options.quiet && !options.json) io.stdout.write(`${colors.cyan('→')} ${step}\n`);
  };
  const object = join(dir, `${result.name}.ebpf.o`);
  const cSource = join(dir, `${result.name}.ebpf.c`);
  if (!existsSync(cSource)) await writeFile(cSource, result.files.find((f) => f.path === `${result.name}.ebpf.c`)!.contents);
  say(`clang: ${result.name}.ebpf.c → ${result.name}.ebpf.o`);
  await buildBpfObject(cSource, object);
  if (existsSync(join(dir, `${result.name}.c`))) {
    say(`gcc: ${result.name}.c → ${result.name}`);
    await buildCoordinator(join(dir, `${result.name}.c`), join(dir, result.name));
  }
  const instructions = await countInstructions(object);
  if (result.optimization && result.optimization.applied.length > 0) say(`clang: measuring ${result.optimization.applied.length} optimization step(s)`);
  const optimization = await measureOptimization(input.source, input.compileOptions, result, instructions);
  if (mode !== 'verify') return { instructions, verification: null, optimization };
  say(`verifier: loading ${result.analysis!.programs.length} program(s) into the kernel`);
  const verification = await verifyObject(object, result.analysis!.programs.map((p) => p.name), { filename: input.file, source: input.source });
  return { instructions, verification, optimization };
}

async function withScratchDirectory<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'kernelscript-verify-'));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
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
