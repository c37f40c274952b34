// `kernelscript types <glob...>`: writes the declaration file beside every
// matching `.ks` — the same file unplugin-kernelscript writes — so a project
// can run `tsc --noEmit` in CI without running its bundler first.
import { readFile } from 'node:fs/promises';
import { kernelInputs } from './kernel-inputs.js';
import { availableParallelism } from 'node:os';
import { compile } from '../compile.js';
import { formatDiagnostic } from '../diagnostics/format.js';
import { UsageError } from './command.js';
import { OutputError } from './output-error.js';
import { declarationPath, DTS_FORMS, writeDeclaration, type DtsForm } from './declarations.js';
import { findKsFiles, noMatchMessage } from './ks-files.js';

export interface TypesOptions {
  /** `--dts`: one of DTS_FORMS. */
  dts: string;
  /** Print only errors. */
  quiet: boolean;
  /** Replace a declaration file kernelscript did not write. */
  force?: boolean;
  /** `--btf`: the kernel BTF to compile kernel types against (default: the running kernel's). */
  btf?: string;
}

/** Returns the exit code: 0 when every file compiled, 1 when one did not or nothing matched. */
export async function typesCommand(patterns: string[], options: TypesOptions, io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number> {
  if (!DTS_FORMS.includes(options.dts as DtsForm)) throw new UsageError(`--dts must be one of ${DTS_FORMS.join(', ')}, got '${options.dts}'`);
  const form = options.dts as DtsForm;
  const files = await findKsFiles(patterns);
  if (files.length === 0) {
    io.stderr.write(noMatchMessage('types', patterns));
    return 1;
  }
  let failed = 0;
  let written = 0;
  for (const file of files) {
    const source = await readFile(file, 'utf8');
    const result = compile(source, { filename: file, cpus: availableParallelism(), kernel: kernelInputs({ btf: options.btf }) });
    for (const diagnostic of result.diagnostics) {
      if (options.quiet && diagnostic.severity !== 'error') continue;
      io.stderr.write(`${formatDiagnostic(diagnostic, file, source)}\n`);
    }
    if (!result.ok || result.metadata === null || result.analysis === null) {
      failed++;
      continue;
    }
    let wrote: boolean;
    try {
      wrote = await writeDeclaration(file, { filename: file, metadata: result.metadata, analysis: result.analysis }, form, { force: options.force === true });
    } catch (error) {
      if (!(error instanceof OutputError)) throw error;
      io.stderr.write(`kernelscript types: ${error.message}\n`);
      failed++;
      continue;
    }
    if (wrote) {
      written++;
      if (!options.quiet) io.stdout.write(`wrote ${declarationPath(file, form)}\n`);
    }
  }
  if (!options.quiet) {
    io.stdout.write(`kernelscript types: ${files.length - failed} declaration file(s), ${written} written, ${files.length - failed - written} unchanged${failed > 0 ? `; ${failed} file(s) did not compile` : ''}\n`);
  }
  return failed > 0 ? 1 : 0;
}
