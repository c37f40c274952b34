// clang for the eBPF object, through the compiler's driver (argument arrays
// via execa, the project's BPF flags), at most one per CPU at a time. Counts
// its runs so tests can prove the cache skips them. The driver's toolchain
// (and execa with it) is imported on the first clang run: a warm build never
// loads it.
import { constants, realpathSync, statSync } from 'node:fs';
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { missingToolError } from '@kernelscript/compiler/driver/toolchain-error';
import { createLimit } from './concurrency.js';
import { countClangRun } from './counters.js';
import type { ResolvedOptions } from './options.js';

const limit = createLimit();

/**
 * Identifies the clang that will run — its resolved path, size and mtime —
 * without starting it, so a warm build spawns no process at all. A missing
 * clang fails here, with the install hint.
 */
export async function clangIdentity(clang: string): Promise<string> {
  const path = clang.includes('/') ? clang : await onPath(clang);
  // Synchronous: two metadata syscalls, where the promise forms cost a thread-pool round trip each on every module.
  const real = path === null ? null : realpathOrNull(path);
  if (real === null) throw missingToolError(clang, `${clang} (eBPF object)`);
  const info = statSync(real);
  return `${real}:${info.size}:${info.mtimeMs}`;
}

function realpathOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

/**
 * PATH lookups, once per command and PATH: probing every PATH directory was most
 * of a warm module's cost. The realpath and stat above still run every time, so
 * an upgraded clang changes the cache key even in a long watch session.
 */
const pathLookups = new Map<string, string>();

async function onPath(command: string): Promise<string | null> {
  const key = `${command}\0${process.env.PATH ?? ''}`;
  const known = pathLookups.get(key);
  if (known !== undefined) return known;
  const found = await findOnPath(command);
  // A missing command is looked up again next time: it may be installed while a watch session runs.
  if (found !== null) pathLookups.set(key, found);
  return found;
}

async function findOnPath(command: string): Promise<string | null> {
  for (const directory of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(directory, command);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/** The flags that decide the object's bytes beyond the C source: part of the cache key. */
export function objectFlags(options: ResolvedOptions): string[] {
  return options.cflags;
}

/** Compiles generated eBPF C to an object and returns its bytes. */
export async function buildObject(name: string, cSource: string, ks: { path: string; text: string }, options: ResolvedOptions): Promise<Uint8Array> {
  return limit(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kernelscript-'));
    try {
      await writeFile(join(dir, `${name}.ebpf.c`), cSource);
      // clang reads the file each `#line` names to put its source text into BTF line
      // info, which the verifier prints: place the .ks where its relative path resolves.
      if (!isAbsolute(ks.path)) {
        await mkdir(dirname(join(dir, ks.path)), { recursive: true });
        await writeFile(join(dir, ks.path), ks.text);
      }
      const { buildBpfObject } = await import('@kernelscript/compiler/driver/toolchain');
      countClangRun();
      // Relative paths and the prefix map keep the random build directory out of the
      // object's debug info, so the same source always gives the same bytes.
      const cflags = [`-fdebug-prefix-map=${dir}=.`, ...objectFlags(options)];
      await buildBpfObject(`${name}.ebpf.c`, `${name}.ebpf.o`, { clang: options.clang, cflags, cwd: dir });
      return new Uint8Array(await readFile(join(dir, `${name}.ebpf.o`)));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}
