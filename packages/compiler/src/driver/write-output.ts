// Writes an output directory all or nothing, and only over files kernelscript
// wrote itself.
//
// Everything is generated (and built) in a staging directory first; only when
// all of it is ready is it moved into place — the whole directory in one
// rename when the target is new, file by file with the replaced files kept
// aside until the end (and put back if a move fails) when it exists. So a
// compile, toolchain or file-system failure leaves the target as it was.
//
// A manifest in the output directory (.kernelscript-output.json) records what
// kernelscript wrote there, with a hash of each generated file. A file it
// would replace must be one of those, unchanged since, or something its
// Makefile builds; anything else — the user's own Makefile, a file they
// edited, a directory of the same name — is refused with the reason, and
// `--force` replaces files (never directories). Other files in the directory
// are left alone.
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { lstat, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, parse, resolve } from 'node:path';
import type { GeneratedFile } from '../compile.js';
import { OutputError } from './output-error.js';
import { withTemporaryDirectory } from './temporary-directory.js';

export const MANIFEST_NAME = '.kernelscript-output.json';


interface Manifest {
  generator: 'kernelscript';
  /** Generated text files: name → SHA-256 of what was written, to tell an untouched file from an edited one. */
  files: Record<string, string>;
  /** What the generated Makefile builds (the object, the coordinator): replaced whatever they hold now. */
  built: string[];
}

export interface OutputOptions {
  /** Names the build step adds to the staging directory (or the Makefile builds, when there is no build step). */
  built: string[];
  /** Runs the toolchain in the staging directory, where the generated files already are. */
  build?: (staging: string) => Promise<unknown>;
  /** Replace files kernelscript did not write (or that were changed since). */
  force?: boolean;
}

export async function writeOutputDirectory(directory: string, files: GeneratedFile[], options: OutputOptions): Promise<void> {
  const target = resolve(directory);
  if (parse(target).root === target) throw new OutputError(`refusing to write into '${directory}', the root of the file system`);
  const written = [...files.map((file) => file.path), ...(options.build ? options.built : [])];
  const existing = await existingDirectory(target, directory);
  const previous = existing ? await checkReplaceable(target, directory, written, options.force === true) : null;

  const parent = existing ? target : dirname(target);
  const createdParent = existing ? undefined : await failing(`cannot create '${dirname(directory)}'`, () => mkdir(parent, { recursive: true }));
  try {
    await withTemporaryDirectory(parent, existing ? '.kernelscript-staging-' : `.${basename(target)}.kernelscript-staging-`, async (staging) => {
      await failing(`cannot write the output in '${parent}'`, () => Promise.all(files.map((file) => writeFile(join(staging, file.path), file.contents))));
      if (options.build) await options.build(staging);
      const manifest = await nextManifest(previous, files, options.built, options.build !== undefined, existing ? target : null);
      await failing(`cannot write the output in '${parent}'`, () => writeFile(join(staging, MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`));
      if (!existing) {
        await failing(`cannot create '${directory}'`, () => rename(staging, target));
        return;
      }
      // The build may have taken a while: check again right before replacing anything.
      await checkReplaceable(target, directory, written, options.force === true);
      await moveInto(staging, target, directory, [...written, MANIFEST_NAME]);
    });
  } catch (error) {
    if (createdParent !== undefined) await rm(createdParent, { recursive: true, force: true });
    throw error;
  }
}

/** Whether `target` exists as a directory; a file there is refused. */
async function existingDirectory(target: string, shown: string): Promise<boolean> {
  const info = await stat(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw new OutputError(`cannot use '${shown}' as the output directory: ${describe(error)}`);
  });
  if (info === null) return false;
  if (!info.isDirectory()) throw new OutputError(`cannot use '${shown}' as the output directory: it exists and is not a directory`);
  return true;
}

/**
 * Refuses when one of `names` in `target` may not be replaced: a directory,
 * or a file kernelscript did not write (unless `force`). Returns the manifest
 * read, or null when there is none.
 */
async function checkReplaceable(target: string, shown: string, names: string[], force: boolean): Promise<Manifest | null> {
  const manifest = await readManifest(target);
  const refused: string[] = [];
  for (const name of [...names, MANIFEST_NAME].sort()) {
    const path = join(target, name);
    const info: Stats | null = await lstat(path).catch(() => null);
    if (info === null) continue;
    if (info.isDirectory()) throw new OutputError(`cannot write '${join(shown, name)}': a directory of that name is in the way`);
    if (force) continue;
    const reason = await foreignReason(path, name, info, manifest);
    if (reason !== null) refused.push(`${name} (${reason})`);
  }
  if (refused.length > 0) {
    throw new OutputError(`refusing to replace files in '${shown}' that kernelscript did not write: ${refused.join(', ')}; move them away, or pass --force to replace them`);
  }
  return manifest;
}

/** Why the existing file at `path` is not kernelscript's to replace, or null when it is. */
async function foreignReason(path: string, name: string, info: Stats, manifest: Manifest | null): Promise<string | null> {
  if (name === MANIFEST_NAME) return manifest === null ? 'not a kernelscript manifest' : null;
  if (manifest === null) return 'no kernelscript manifest here';
  if (manifest.built.includes(name)) return null;
  const hash = manifest.files[name];
  if (hash === undefined || !info.isFile()) return 'not written by kernelscript';
  return (await sha256File(path)) === hash ? null : 'changed since kernelscript wrote it';
}

async function readManifest(target: string): Promise<Manifest | null> {
  const text = await readFile(join(target, MANIFEST_NAME), 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as Partial<Manifest>;
    const files = value.files;
    if (value.generator !== 'kernelscript' || typeof files !== 'object' || files === null || !Array.isArray(value.built)) return null;
    if (!Object.values(files).every((hash) => typeof hash === 'string') || !value.built.every((name) => typeof name === 'string')) return null;
    return { generator: 'kernelscript', files: { ...files }, built: [...value.built] };
  } catch {
    return null;
  }
}

/**
 * The manifest after this write: what the previous one recorded and still
 * exists, plus the files written now. A built name is claimed only when it is
 * built now, was claimed before, or does not exist yet (so the Makefile will
 * make it): never a file of the user's that happens to share the name.
 */
async function nextManifest(previous: Manifest | null, files: GeneratedFile[], built: string[], builtNow: boolean, target: string | null): Promise<Manifest> {
  const present = async (name: string) => target !== null && (await lstat(join(target, name)).catch(() => null)) !== null;
  const kept: Record<string, string> = {};
  for (const [name, hash] of Object.entries(previous?.files ?? {})) if (await present(name)) kept[name] = hash;
  for (const file of files) kept[file.path] = sha256(file.contents);
  const claimed = new Set(previous?.built ?? []);
  for (const name of built) if (builtNow || !(await present(name))) claimed.add(name);
  return {
    generator: 'kernelscript',
    files: Object.fromEntries(Object.entries(kept).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    built: [...claimed].sort(),
  };
}

/**
 * Moves `names` from `staging` into `target`. A file being replaced is first
 * moved aside into `staging`; if any move fails, every file moved in is taken
 * out again and every file moved aside is put back.
 */
async function moveInto(staging: string, target: string, shown: string, names: string[]): Promise<void> {
  const aside = join(staging, '.replaced');
  await failing(`cannot write the output in '${shown}'`, () => mkdir(aside));
  const movedAside: string[] = [];
  const movedIn: string[] = [];
  try {
    for (const name of names) {
      if ((await lstat(join(staging, name)).catch(() => null)) === null) continue;
      if ((await lstat(join(target, name)).catch(() => null)) !== null) {
        await failing(`cannot replace '${join(shown, name)}'`, () => rename(join(target, name), join(aside, name)));
        movedAside.push(name);
      }
      await failing(`cannot write '${join(shown, name)}'`, () => rename(join(staging, name), join(target, name)));
      movedIn.push(name);
    }
  } catch (error) {
    for (const name of movedIn) await rm(join(target, name), { force: true });
    for (const name of movedAside) await rename(join(aside, name), join(target, name));
    throw error;
  }
}

/** Runs a file-system step; its failure becomes an OutputError naming what could not be done. */
async function failing<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof OutputError) throw error;
    throw new OutputError(`${what}: ${describe(error as NodeJS.ErrnoException)}`);
  }
}

function describe(error: NodeJS.ErrnoException): string {
  const reasons: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
    EEXIST: 'a file is in the way',
    ENOTDIR: 'a file is in the way of a directory',
    EISDIR: 'a directory is in the way',
  };
  return error.code ? `${reasons[error.code] ?? error.code.toLowerCase()} (${error.code})` : error.message;
}

function sha256(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

async function sha256File(path: string): Promise<string | null> {
  return readFile(path).then(sha256, () => null);
}
