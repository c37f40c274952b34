// Built artifacts on disk by content hash — eBPF objects and coordinator
// binaries — so an unchanged `.ks` never runs clang or gcc again, across
// builds, processes, watch rebuilds, and between the CLI and the bundler
// plugin, which share this cache and the way objects are built.
//
// A key holds everything that decides the artifact's bytes: the generated C,
// the `.ks` text (clang puts it into BTF line info), the tool's identity (its
// resolved path, size and mtime, found without starting it, so a warm build
// spawns nothing) and the flags. Objects are built in a private directory with
// relative paths and a debug prefix map, so the same input always gives the
// same bytes. The toolchain (execa) is imported only when something is built.
import { createHash, randomBytes } from 'node:crypto';
import { constants, readFileSync, realpathSync, statSync } from 'node:fs';
import { access, chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { BPF_CC, CC, CFLAGS, LIBS } from '../toolchain-flags.js';
import { createLimit } from './concurrency.js';
import { withTemporaryDirectory } from './temporary-directory.js';
import { missingToolError } from './toolchain-error.js';

/**
 * Where builds are cached by default: the project's `node_modules/.cache/kernelscript`
 * (the plugin's default, so both share it) when `cwd` has a node_modules, else the user's cache directory.
 */
export function defaultCacheDir(cwd = process.cwd()): string {
  let isProject = false;
  try {
    isProject = statSync(join(cwd, 'node_modules')).isDirectory();
  } catch {
    // not a JavaScript project
  }
  return isProject ? join(cwd, 'node_modules/.cache/kernelscript') : join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'kernelscript', 'builds');
}

export class BuildCache {
  constructor(readonly directory: string) {}

  /** A key from everything that decides an artifact's bytes. */
  static key(parts: (string | Uint8Array)[]): string {
    const hash = createHash('sha256');
    for (const part of parts) hash.update(part).update('\0');
    return hash.digest('hex');
  }

  /** Synchronous: a small local file, read on every warm module, where the promise form costs four thread-pool round trips. */
  get(key: string, suffix: string): Uint8Array | null {
    try {
      return new Uint8Array(readFileSync(this.path(key, suffix)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  /** Writes through a temporary name so a concurrent build never reads half an artifact. */
  async set(key: string, suffix: string, bytes: Uint8Array): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    const temporary = `${this.path(key, suffix)}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temporary, bytes);
    await rename(temporary, this.path(key, suffix));
  }

  private path(key: string, suffix: string): string {
    return join(this.directory, `${key}${suffix}`);
  }
}

/** At most one tool process per CPU: bundlers and `build` of many files start every file at once. */
const limit = createLimit();

export interface CachedBuild {
  bytes: Uint8Array;
  /** False when the cache answered and no tool ran. */
  built: boolean;
}

export interface BpfObjectInput {
  /** The system's name: `<name>.ebpf.c`. */
  name: string;
  cSource: string;
  /** The `.ks` as `#line` names it (relative to the project, or absolute) and its text. */
  ks: { path: string; text: string };
  clang?: string;
  /** Extra clang flags, after the project's. */
  cflags?: string[];
  cacheDir: string;
}

/** The eBPF object of generated C, from the cache or built with clang. */
export async function cachedBpfObject(input: BpfObjectInput): Promise<CachedBuild> {
  const clang = input.clang ?? BPF_CC;
  const cflags = input.cflags ?? [];
  const cache = new BuildCache(input.cacheDir);
  const key = BuildCache.key([input.cSource, input.ks.text, await toolIdentity(clang, `${clang} (eBPF object)`), ...cflags]);
  const cached = cache.get(key, '.bpf.o');
  if (cached !== null) return { bytes: cached, built: false };
  const bytes = await inBuildDirectory(async (root) => {
    // clang reads the file each `#line` names to put its source text into BTF line info,
    // which the verifier prints: the .ks goes where its relative path resolves from the
    // directory clang runs in, which sits deep enough for a path that climbs with `..`.
    const climbs = isAbsolute(input.ks.path) ? 0 : normalize(input.ks.path).split(sep).findIndex((part) => part !== '..');
    const dir = join(root, ...Array<string>(Math.max(climbs, 0)).fill('build'));
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `${input.name}.ebpf.c`), input.cSource);
    if (!isAbsolute(input.ks.path)) {
      await mkdir(dirname(join(dir, input.ks.path)), { recursive: true });
      await writeFile(join(dir, input.ks.path), input.ks.text);
    }
    const { buildBpfObject } = await import('./toolchain.js');
    // Relative paths and the prefix map keep the random build directory out of the object's debug info.
    await buildBpfObject(`${input.name}.ebpf.c`, `${input.name}.ebpf.o`, { clang, cflags: [`-fdebug-prefix-map=${dir}=.`, ...cflags], cwd: dir });
    return new Uint8Array(await readFile(join(dir, `${input.name}.ebpf.o`)));
  });
  await cache.set(key, '.bpf.o', bytes);
  return { bytes, built: true };
}

/** The userspace coordinator of generated C with its eBPF object embedded, from the cache or built with gcc (and linked against libbpf). */
export async function cachedCoordinator(input: { name: string; cSource: string; object: Uint8Array; cc?: string; cacheDir: string }): Promise<CachedBuild> {
  const cc = input.cc ?? CC;
  const cache = new BuildCache(input.cacheDir);
  const key = BuildCache.key([input.cSource, input.object, await toolIdentity(cc, `${cc} (coordinator)`), ...CFLAGS, ...LIBS]);
  const cached = cache.get(key, '.coordinator');
  if (cached !== null) return { bytes: cached, built: false };
  const bytes = await inBuildDirectory(async (dir) => {
    await writeFile(join(dir, `${input.name}.c`), input.cSource);
    // The assembler's .incbin reads the object from the directory gcc runs in.
    await writeFile(join(dir, `${input.name}.ebpf.o`), input.object);
    const { buildCoordinator } = await import('./toolchain.js');
    await buildCoordinator(`${input.name}.c`, input.name, { cc, cflags: [`-fdebug-prefix-map=${dir}=.`], cwd: dir });
    return new Uint8Array(await readFile(join(dir, input.name)));
  });
  await cache.set(key, '.coordinator', bytes);
  return { bytes, built: true };
}

/** Writes a cached coordinator out as the runnable program it is. */
export async function writeExecutable(path: string, bytes: Uint8Array): Promise<void> {
  await writeFile(path, bytes);
  await chmod(path, 0o755);
}

async function inBuildDirectory<T>(body: (dir: string) => Promise<T>): Promise<T> {
  return limit(() => withTemporaryDirectory(tmpdir(), 'kernelscript-', body));
}

/**
 * Identifies the tool that will run — its resolved path, size and mtime —
 * without starting it. A missing tool fails here, with the install hint.
 */
export async function toolIdentity(tool: string, step: string): Promise<string> {
  const path = tool.includes('/') ? tool : await onPath(tool);
  // Synchronous: two metadata syscalls, where the promise forms cost a thread-pool round trip each on every module.
  const real = path === null ? null : realpathOrNull(path);
  if (real === null) throw missingToolError(tool, step);
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
 * an upgraded tool changes the cache key even in a long watch session.
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
