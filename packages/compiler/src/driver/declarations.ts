// The declaration file beside a `.ks` file: where it goes and how it is
// written. Shared by `kernelscript types` and unplugin-kernelscript, so CI's
// `tsc` sees exactly the files a bundler build would have written.
import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { SystemAnalysis } from '../phases/4-analyze/analysis.js';
import type { SystemMetadata } from '../metadata.js';
import { generateDts } from '../phases/6-codegen/dts.js';

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
): Promise<boolean> {
  const path = declarationPath(ksPath, form);
  const contents = generateDts(compiled);
  if ((await readFile(path, 'utf8').catch(() => null)) === contents) return false;
  await writeFile(path, contents);
  return true;
}
