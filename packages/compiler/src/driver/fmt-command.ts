// `kernelscript fmt [--check] <files...>`: rewrites `.ks` files in the
// canonical layout (docs/formatting.md). `--stdin` formats standard input to
// standard output, for editors that pipe a buffer through a formatter.
import { chmod, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { formatDiagnostic } from '../diagnostics/format.js';
import { format } from '../format/index.js';
import { findKsFiles, noMatchMessage } from './ks-files.js';

export interface FmtOptions {
  /** Write nothing; list the files that are not formatted and exit 1 if there are any. */
  check: boolean;
  /** Format standard input to standard output instead of files. */
  stdin: boolean;
  quiet: boolean;
}

export interface FmtIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Exit code: 0 done (or, with --check, all formatted); 1 a file did not parse, or --check found one to reformat. */
export async function fmtCommand(patterns: string[], options: FmtOptions, io: FmtIo): Promise<number> {
  if (options.stdin) return formatStdin(io);
  const files = await findKsFiles(patterns);
  if (files.length === 0) {
    io.stderr.write(noMatchMessage('fmt', patterns));
    return 1;
  }
  let failed = 0;
  const changed: string[] = [];
  for (const file of files) {
    const source = await readFile(file, 'utf8');
    const result = format(source);
    if (!result.ok) {
      io.stderr.write(`${formatDiagnostic(result.diagnostic, file, source)}\n`);
      failed++;
      continue;
    }
    if (result.text === source) continue;
    changed.push(file);
    if (options.check) io.stdout.write(`${file}: not formatted\n`);
    else await replaceFile(file, result.text);
  }
  if (!options.quiet) {
    const verb = options.check ? 'would reformat' : 'reformatted';
    io.stdout.write(`kernelscript fmt: ${files.length} file(s), ${changed.length} ${verb}${failed > 0 ? `, ${failed} with syntax errors (left as they are)` : ''}\n`);
  }
  return failed > 0 || (options.check && changed.length > 0) ? 1 : 0;
}

async function formatStdin(io: FmtIo): Promise<number> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk as Buffer));
  const source = Buffer.concat(chunks).toString('utf8');
  const result = format(source);
  if (!result.ok) {
    io.stderr.write(`${formatDiagnostic(result.diagnostic, '<stdin>', source)}\n`);
    return 1;
  }
  io.stdout.write(result.text);
  return 0;
}

/** Writes beside the file and renames over it, so an interrupted run never leaves half a file; the mode is kept. */
async function replaceFile(file: string, contents: string): Promise<void> {
  const temporary = join(dirname(file), `.${basename(file)}.fmt-${process.pid}`);
  try {
    await writeFile(temporary, contents);
    await chmod(temporary, (await stat(file)).mode);
    await rename(temporary, file);
  } finally {
    await rm(temporary, { force: true });
  }
}
