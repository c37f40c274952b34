// `kernelscript build 'src/**/*.ks'`: builds every matching file, several at
// a time (one per CPU: clang and gcc are the long part), with one progress
// line per file as it finishes. Each file's project goes beside it —
// `src/net/counter.ks` → `src/net/counter/` — or under `-o DIR` at the same
// relative path, so files of the same name in different directories never
// meet. Unchanged files take their object and coordinator from the build
// cache and run no tool.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { glob } from 'tinyglobby';
import { compile } from '../compile.js';
import { formatDiagnostic } from '../diagnostics/format.js';
import { defaultCacheDir } from './build-cache.js';
import { buildAndMeasure } from './build-command.js';
import { colorsFor } from './colors.js';
import { EXIT_COMPILE_ERROR, EXIT_OK, UsageError, type CommandIo } from './command.js';
import { compileOptionsOf, type CompileCommandOptions } from './compile-command.js';
import { createLimit } from './concurrency.js';
import { ToolchainError } from './toolchain-error.js';
import { OutputError } from './output-error.js';
import { writeOutputDirectory } from './write-output.js';

/** A single `.ks` path, as opposed to a glob or a directory that stands for the files under it. */
export function isSingleFile(patterns: string[]): boolean {
  return patterns.length === 1 && patterns[0]!.endsWith('.ks') && !/[*?[\]{}]/.test(patterns[0]!);
}

/** Builds every `.ks` the patterns match; returns 0 when all built, 1 when one did not or nothing matched. */
export async function buildFilesCommand(patterns: string[], options: CompileCommandOptions, io: CommandIo): Promise<number> {
  if (options.json) throw new UsageError('--json reports one file: build the files one at a time');
  const files = (await glob(patterns, { onlyFiles: true, ignore: ['**/node_modules/**'] })).filter((file) => file.endsWith('.ks')).sort();
  if (files.length === 0) {
    io.stderr.write(`kernelscript build: no .ks file matches ${patterns.map((pattern) => `'${pattern}'`).join(' ')}\n`);
    return EXIT_COMPILE_ERROR;
  }
  const out = colorsFor(io.stdout, options.color !== false);
  const err = colorsFor(io.stderr, options.color !== false);
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const limit = createLimit();
  const counts = { built: 0, unchanged: 0, failed: 0 };

  const buildFile = async (file: string) => {
    const source = await readFile(file, 'utf8');
    const compileOptions = compileOptionsOf(file, options);
    const result = compile(source, compileOptions);
    const shown = result.diagnostics.filter((d) => !options.quiet || d.severity === 'error');
    if (shown.length > 0) io.stderr.write(`${shown.map((d) => formatDiagnostic(d, file, source)).join('\n')}\n`);
    if (!result.ok) {
      counts.failed++;
      io.stderr.write(`${err.red('✗')} ${file}: ${result.diagnostics.filter((d) => d.severity === 'error').length} error(s); nothing was written\n`);
      return;
    }
    const directory = join(options.output ?? '.', projectDirectory(file), result.name);
    let toolsRun: string[] = [];
    let refused = 0;
    try {
      const build = async (staging: string) => {
        const outcome = await buildAndMeasure(result, staging, options.verify === true, { file, source, compileOptions, cacheDir }, () => {});
        toolsRun = outcome.toolsRun;
        refused = outcome.figures.verification?.programs.filter((verdict) => !verdict.accepted).length ?? 0;
      };
      await writeOutputDirectory(directory, result.files, { built: [`${result.name}.ebpf.o`, result.name], build, force: options.force === true });
    } catch (error) {
      if (error instanceof OutputError) {
        counts.failed++;
        io.stderr.write(`${err.red('✗')} ${file}: ${error.message}\n`);
        return;
      }
      if (!(error instanceof ToolchainError)) throw error;
      counts.failed++;
      io.stderr.write(`${err.red('✗')} ${file}: build failed: ${error.message}\n`);
      return;
    }
    if (refused > 0) {
      counts.failed++;
      io.stderr.write(`${err.red('✗')} ${file}: the verifier refused ${refused} program(s) (kernelscript verify ${file} shows where)\n`);
      return;
    }
    counts[toolsRun.length > 0 ? 'built' : 'unchanged']++;
    if (!options.quiet) io.stdout.write(`${out.green('✓')} ${file} → ${directory}/ ${out.dim(toolsRun.length > 0 ? `(built: ${toolsRun.join(', ')})` : '(unchanged)')}\n`);
  };

  await Promise.all(files.map((file) => limit(() => buildFile(file))));
  if (!options.quiet) {
    io.stdout.write(`kernelscript build: ${files.length} file(s): ${counts.built} built, ${counts.unchanged} unchanged, ${counts.failed} failed\n`);
  }
  return counts.failed > 0 ? EXIT_COMPILE_ERROR : EXIT_OK;
}

/** Where a file's project goes, relative to the output root: its own directory, as seen from here. */
function projectDirectory(file: string): string {
  const fromHere = relative(process.cwd(), dirname(file));
  return fromHere.startsWith('..') || isAbsolute(fromHere) ? '' : fromHere;
}
