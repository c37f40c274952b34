// The declaration file beside a `.ks` file: where it goes and how it is
// written. Shared by `kernelscript types` and unplugin-kernelscript, so CI's
// `tsc` sees exactly the files a bundler build would have written.
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { SystemAnalysis } from '../phases/4-analyze/analysis.js';
import type { SystemMetadata } from '../metadata.js';
import { DTS_HEADER, generateDts } from '../phases/6-codegen/dts.js';
import { OutputError } from './output-error.js';

/**
 * `d.ks.ts`: `counter.d.ks.ts`, TypeScript's `allowArbitraryExtensions` form (nodenext and bundler resolution).
 * `ks.d.ts`: `counter.ks.d.ts`, found by `bundler` resolution without that flag.
 */
export type DtsForm = 'd.ks.ts' | 'ks.d.ts';
export const DTS_FORMS: readonly DtsForm[] = ['d.ks.ts', 'ks.d.ts'];

/** `net/counter.ks` → `net/counter.d.ks.ts` or `net/counter.ks.d.ts`. */
export function declarationPath(ksPath: string, form: DtsForm): string {
  const file = basename(ksPath);
  const extension = extname(file);
  const stem = file.slice(0, file.length - extension.length);
  return join(dirname(ksPath), form === 'd.ks.ts' ? `${stem}.d${extension}.ts` : `${file}.d.ts`);
}

/**
 * Writes the declarations of a compiled `.ks` beside it, only when their content
 * changed (no churn for editors and `tsc --watch`). Returns whether it wrote.
 */
export async function writeDeclaration(
  ksPath: string,
  compiled: { filename: string; metadata: SystemMetadata; analysis: SystemAnalysis },
  form: DtsForm,
  options: { force?: boolean } = {},
): Promise<boolean> {
  const path = declarationPath(ksPath, form);
  const contents = generateDts(compiled);
  const existing = await readFile(path, 'utf8').catch(() => null);
  if (existing === contents) return false;
  // Ours carry the generated header; a file of the same name without it is the user's.
  if (existing !== null && !existing.startsWith(DTS_HEADER) && options.force !== true) {
    throw new OutputError(`refusing to replace '${path}': kernelscript did not write it (it does not start with "${DTS_HEADER}"); move it away, or pass --force to replace it`);
  }
  // Through a temporary name, so a reader (tsc, an editor) never sees half a file.
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, contents);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new OutputError(`cannot write '${path}': ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return true;
}
