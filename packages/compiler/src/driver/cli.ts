// The `kernelscript` command: compile a .ks file to a project directory, and
// optionally build it with clang and gcc. Exit codes: 0 ok, 1 compile or build
// error, 2 bad usage.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { cac } from 'cac';
import { compile, type CompileResult } from '../compile.js';
import { formatDiagnostic } from '../diagnostics/format.js';
import { colorsFor, type Colors } from './colors.js';
import { jsonReport } from './json-report.js';
import { formatReport, type MeasuredInstructions } from './report.js';
import { buildBpfObject, buildCoordinator, countInstructions, ToolchainError } from './toolchain.js';
import { writeOutputDirectory } from './write-output.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export const EXIT_OK = 0;
export const EXIT_COMPILE_ERROR = 1;
export const EXIT_USAGE = 2;

interface CommonOptions {
  output?: string;
  json?: boolean;
  quiet?: boolean;
  color?: boolean;
}

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
      .option('--no-color', 'Never colour the output');

  withCommon(cli.command('[file]', 'Compile FILE.ks to eBPF C, a userspace coordinator and a Makefile'))
    .example('kernelscript examples/multi_programs.ks')
    .example('kernelscript -o my_project examples/multi_programs.ks')
    .action((file: string | undefined, options: CommonOptions) => {
      run = () => compileCommand(file, options, false, io);
    });
  withCommon(cli.command('build <file>', 'Compile FILE.ks, then build the eBPF object and the coordinator with clang and gcc'))
    .example('kernelscript build examples/multi_programs.ks -o build/multi_programs')
    .action((file: string, options: CommonOptions) => {
      run = () => compileCommand(file, options, true, io);
    });
  cli.help();
  cli.version(version);

  try {
    const parsed = cli.parse(['node', 'kernelscript', ...argv], { run: false });
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

async function compileCommand(file: string | undefined, options: CommonOptions, build: boolean, io: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream }): Promise<number> {
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
  const result = compile(source, { filename: file, cpus: availableParallelism() });
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
  let measured: MeasuredInstructions | null = null;
  try {
    await writeOutputDirectory(directory, result.files, build ? async (staging) => (measured = await buildProject(result, staging, options, out, io)) : undefined);
  } catch (error) {
    if (!(error instanceof ToolchainError)) throw error;
    io.stderr.write(`${err.red('kernelscript: build failed:')} ${error.message}\n${err.dim('nothing was written')}\n`);
    return EXIT_COMPILE_ERROR;
  }
  if (options.json) {
    io.stdout.write(`${JSON.stringify(jsonReport(file, result, directory, measured), null, 2)}\n`);
  } else if (!options.quiet) {
    io.stdout.write(`${formatReport(result, out, measured)}\n\n`);
    const written = result.files.map((f) => f.path).concat(build ? [`${result.name}.ebpf.o`, result.name] : []);
    io.stdout.write(`${out.green('✓')} Wrote ${relative(process.cwd(), directory) || '.'}/: ${written.join(', ')}\n`);
    if (!build) io.stdout.write(out.dim(`  Build it with: make -C ${directory}   (or: kernelscript build ${file})\n`));
    else io.stdout.write(out.dim(`  Run it with: sudo ${runnablePath(join(directory, result.name))}\n`));
  }
  return EXIT_OK;
}

async function buildProject(result: CompileResult, staging: string, options: CommonOptions, colors: Colors, io: { stdout: NodeJS.WriteStream }): Promise<MeasuredInstructions> {
  const say = (step: string) => {
    if (!options.quiet && !options.json) io.stdout.write(`${colors.cyan('→')} ${step}\n`);
  };
  const object = join(staging, `${result.name}.ebpf.o`);
  say(`clang: ${result.name}.ebpf.c → ${result.name}.ebpf.o`);
  await buildBpfObject(join(staging, `${result.name}.ebpf.c`), object);
  say(`gcc: ${result.name}.c → ${result.name}`);
  await buildCoordinator(join(staging, `${result.name}.c`), join(staging, result.name));
  return countInstructions(object);
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
