// Writes the declaration file beside a `.ks` file. Only changed content is
// written, so editors and `tsc --watch` see no churn on unchanged builds.
import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { DtsForm } from './options.js';

/** `net/counter.ks` → `net/counter.d.ks.ts` (allowArbitraryExtensions) or `net/counter.ks.d.ts`. */
export function declarationPath(ksPath: string, form: DtsForm): string {
  const file = basename(ksPath);
  const extension = extname(file);
  const stem = file.slice(0, file.length - extension.length);
  return join(dirname(ksPath), form === 'd.ks.ts' ? `${stem}.d${extension}.ts` : `${file}.d.ts`);
}

/** Returns whether it (re)wrote the file. */
export async function writeDeclaration(ksPath: string, contents: string, form: DtsForm): Promise<boolean> {
  const path = declarationPath(ksPath, form);
  if ((await readFile(path, 'utf8').catch(() => null)) === contents) return false;
  await writeFile(path, contents);
  return true;
}
