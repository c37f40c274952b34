// Writes an output directory only once everything in it is ready: files are
// generated (and built) in a staging directory beside the target and moved in
// at the end, so a compile or toolchain failure never leaves half an output.
// Other files already in the target directory are left alone.
import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { GeneratedFile } from '../compile.js';

export async function writeOutputDirectory(directory: string, files: GeneratedFile[], build?: (staging: string) => Promise<unknown>): Promise<void> {
  const target = resolve(directory);
  await mkdir(dirname(target), { recursive: true });
  const staging = await mkdtemp(join(dirname(target), `.${basename(target)}.tmp-`));
  try {
    await Promise.all(files.map((file) => writeFile(join(staging, file.path), file.contents)));
    if (build) await build(staging);
    await mkdir(target, { recursive: true });
    for (const name of await readdir(staging)) await rename(join(staging, name), join(target, name));
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
