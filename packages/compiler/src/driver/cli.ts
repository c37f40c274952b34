// The `kernelscript` command line: its commands and options. Exit codes: 0 ok,
// 1 compile or build error, 2 bad usage.
//
// Each command's module is imported when that command is chosen, so `--help`
// and `--version` load none, and a compile loads neither the toolchain
// (execa) nor globbing. New commands follow the same rule.
import { createRequire } from 'node:module';
import { cac } from 'cac';
import { EXIT_OK, EXIT_USAGE, UsageError, type CommandIo } from './command.js';
import type { CompileCommandOptions } from './compile-command.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

let commandRan = false;

/** Whether `main` ran a command in this process, rather than only printing help or version or a usage error. */
export function ranCommand(): boolean {
  return commandRan;
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[], io: CommandIo = process): Promise<number> {
  const cli = cac('kernelscript');
  let run: (() => Promise<number>) | null = null;
  const compileCommand = async (file: string | undefined, options: CompileCommandOptions, mode: 'compile' | 'build' | 'verify', writeOutput = true) =>
    (await import('./compile-command.js')).compileCommand(file, options, mode, io, writeOutput);
  const withCommon = (command: ReturnType<typeof cli.command>) =>
    command
      .option('-o, --output <dir>', 'Output directory (default: the file name without .ks)')
      .option('--json', 'Print the analysis as JSON')
      .option('--quiet', 'Print only errors')
      .option('--no-color', 'Never colour the output')
      .option('--verbose', 'Show the tail of the raw verifier log when the verifier refuses a program')
      .option('--optimize', 'Optimize: per-CPU counter maps, constant folding, dead-branch removal (listed in the report)')
      .option('--freeze-config', 'With --optimize: fold config into its defaults; config can then no longer be set at load time')
      .option('--timings', 'Print how long compiling took, per phase (to stderr)')
      .option('--no-line-directives', 'Leave #line out of the generated C (to read or debug it as C; errors then point at the C)')
      .option('--force', 'Replace files in the output directory that kernelscript did not write (or that were changed since)')
      .option('--btf <file>', "BTF of the kernel to compile kernel types for (default: /sys/kernel/btf/vmlinux, this machine's)");
  /** Once, or with --watch again on every change of the file until SIGINT/SIGTERM (the watcher is loaded only then). */
  const watchable = async (file: string | undefined, options: CompileCommandOptions & { watch?: boolean }, mode: 'compile' | 'build' | 'verify') => {
    if (!options.watch) return compileCommand(file, options, mode);
    if (!file?.endsWith('.ks')) throw new UsageError(file ? `expected a .ks file, got '${file}'` : 'missing input file (kernelscript build --watch FILE.ks)');
    return (await import('./watch.js')).watchUntilSignal(file, () => compileCommand(file, options, mode), io);
  };

  const compileAction = (file: string | undefined, options: CompileCommandOptions) => {
    run = () => watchable(file, options, 'compile');
  };
  withCommon(cli.command('[file]', 'Compile FILE.ks to eBPF C, a userspace coordinator and a Makefile'))
    .option('--watch', 'Compile again each time the file changes, until Ctrl-C')
    .example('kernelscript examples/multi_programs.ks')
    .example('kernelscript -o my_project examples/multi_programs.ks')
    .example('kernelscript -- -file-name-with-a-dash.ks')
    .action(compileAction);
  withCommon(cli.command('compile <file>', 'The same as `kernelscript FILE.ks`'))
    .option('--watch', 'Compile again each time the file changes, until Ctrl-C')
    .example('kernelscript compile --watch src/counter.ks')
    .action(compileAction);
  withCommon(cli.command('build <...files>', 'Compile FILE.ks, then build the eBPF object and the coordinator with clang and gcc; several files or a glob build in parallel, each beside its .ks (or under -o DIR)'))
    .option('--verify', 'Load every program into the kernel verifier (needs root) and report its verdicts')
    .option('--cache-dir <dir>', 'Where built objects and coordinators are cached (default: node_modules/.cache/kernelscript, shared with unplugin-kernelscript, else ~/.cache/kernelscript/builds)')
    .option('--watch', 'Build again each time the file changes, until Ctrl-C (one file)')
    .example('kernelscript build examples/multi_programs.ks -o build/multi_programs')
    .example("kernelscript build 'src/**/*.ks'")
    .example('kernelscript build --watch src/counter.ks -o build')
    .action((files: string[], options: CompileCommandOptions & { watch?: boolean }) => {
      run = async () => {
        const { buildFilesCommand, isSingleFile } = await import('./build-files-command.js');
        if (isSingleFile(files)) return watchable(files[0], options, options.verify ? 'verify' : 'build');
        if (options.watch) throw new UsageError('build --watch takes one .ks file');
        return buildFilesCommand(files, options, io);
      };
    });
  withCommon(cli.command('verify <file>', 'Compile FILE.ks, build the eBPF object in a scratch directory and load every program into the kernel verifier (needs root)'))
    .option('--cache-dir <dir>', 'Where built objects are cached (as for build)')
    .example('sudo kernelscript verify examples/multi_programs.ks')
    .action((file: string, options: CompileCommandOptions) => {
      run = () => compileCommand(file, { ...options, verify: true }, 'verify', false);
    });
  cli
    .command('types <...globs>', 'Write the TypeScript declaration file beside every matching .ks (what unplugin-kernelscript writes), only when it changed')
    .option('--dts <form>', "Which file: 'd.ks.ts' (counter.d.ks.ts, allowArbitraryExtensions) or 'ks.d.ts' (counter.ks.d.ts)", { default: 'd.ks.ts' })
    .option('--quiet', 'Print only errors')
    .option('--force', 'Replace a declaration file that kernelscript did not write')
    .option('--btf <file>', 'BTF of the kernel to compile kernel types for (default: /sys/kernel/btf/vmlinux)')
    .example("kernelscript types 'src/**/*.ks'")
    .example('kernelscript types src --dts ks.d.ts')
    .action((globs: string[], options: { dts: string; quiet?: boolean; force?: boolean; btf?: string }) => {
      run = async () => (await import('./types-command.js')).typesCommand(globs, { dts: options.dts, quiet: options.quiet === true, force: options.force === true, btf: options.btf }, io);
    });
  cli
    .command('fmt [...files]', 'Rewrite .ks files (globs, directories) in the canonical layout')
    .option('--check', 'Write nothing; list the files that are not formatted and exit 1 if there are any')
    .option('--stdin', 'Format standard input to standard output (for editors)')
    .option('--quiet', 'Print only errors and, with --check, the unformatted files')
    .example('kernelscript fmt src')
    .example("kernelscript fmt --check 'src/**/*.ks'")
    .action((files: string[], options: { check?: boolean; stdin?: boolean; quiet?: boolean }) => {
      if (files.length === 0 && !options.stdin) throw new UsageError('fmt needs files, directories or globs (or --stdin)');
      if (files.length > 0 && options.stdin) throw new UsageError('fmt --stdin reads no files');
      run = async () => (await import('./fmt-command.js')).fmtCommand(files, { check: options.check === true, stdin: options.stdin === true, quiet: options.quiet === true }, { stdin: process.stdin, ...io });
    });
  cli
    .command('init [dir]', 'Create a starter project in DIR (default: the current directory): a .ks, its build set-up and a test')
    .option('--template <name>', 'xdp, tracepoint, vite or node', { default: 'xdp' })
    .example('kernelscript init my-filter')
    .example('kernelscript init my-app --template vite')
    .action((dir: string | undefined, options: { template: string }) => {
      run = async () => (await import('./init-command.js')).initCommand(dir ?? '.', options.template, io);
    });
  cli.help();
  cli.version(version);

  try {
    // cac hands its parser the camelCase name of a dashed boolean flag, so `--freeze-config FILE` would take FILE as the flag's value.
    const args = argv.map((arg) => (arg === '--freeze-config' ? '--freezeConfig' : arg));
    const parsed = cli.parse(['node', 'kernelscript', ...args], { run: false });
    if (parsed.options.help || parsed.options.version) return EXIT_OK;
    // `--` ends the options: cac puts what follows it aside; those are file arguments like the others.
    const afterDashes = parsed.options['--'] as string[] | undefined;
    if (afterDashes !== undefined && afterDashes.length > 0) (cli.args as string[]).push(...afterDashes.splice(0));
    if (!cli.matchedCommand) throw new UsageError(`unknown command '${argv[0]}'`);
    await cli.runMatchedCommand();
    commandRan = true;
    return await run!();
  } catch (error) {
    if (error instanceof UsageError || (error instanceof Error && error.name === 'CACError')) {
      io.stderr.write(`kernelscript: ${error.message}${dashedFileHint(argv, error)}\nRun 'kernelscript --help' for usage.\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

/** An unknown option that names a .ks file is most likely a file whose name starts with `-`. */
function dashedFileHint(argv: string[], error: Error): string {
  if (!/Unknown option/.test(error.message)) return '';
  const beforeDashes = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
  const dashed = beforeDashes.find((arg) => arg.startsWith('-') && arg.endsWith('.ks'));
  return dashed ? `\n(a file whose name starts with '-'? write: kernelscript -- ${dashed}  or  kernelscript ./${dashed})` : '';
}
