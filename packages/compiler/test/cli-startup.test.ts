// How the `kernelscript` bin starts: the bundled CLI through a V8 code cache
// that is written where it may be, never read stale, and never able to break
// a run. Each test runs a private copy of the package (bin, bundle,
// package.json), so the caches it writes are its own.
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const packageRoot = join(import.meta.dirname, '..');
const seed = join(packageRoot, '../../examples/multi_programs.ks');
const asRoot = process.getuid?.() === 0;

let work: string;
let copy: string;
let bundleDir: string;
let userCache: string;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'ks-startup-'));
  copy = join(work, 'package');
  bundleDir = join(copy, 'dist/cli');
  userCache = join(work, 'user-cache');
  mkdirSync(bundleDir, { recursive: true });
  cpSync(join(packageRoot, 'bin'), join(copy, 'bin'), { recursive: true });
  cpSync(join(packageRoot, 'package.json'), join(copy, 'package.json'));
  cpSync(join(packageRoot, 'dist/cli/kernelscript.cjs'), join(bundleDir, 'kernelscript.cjs'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

/** Runs the copied bin; `readOnly` runs it in a mount namespace where the copy (and with `userCacheToo`, the user cache) is a read-only mount. */
function kernelscript(args: string[], { readOnly = false, userCacheToo = false, nodeArgs = [] as string[] } = {}) {
  const command = [process.execPath, ...nodeArgs, join(copy, 'bin/kernelscript.js'), ...args];
  const env = { NO_COLOR: '1', XDG_CACHE_HOME: userCache };
  if (!readOnly) return execa(command[0]!, command.slice(1), { cwd: work, env, reject: false });
  const readOnlyDirs = userCacheToo ? [copy, userCache] : [copy];
  const mounts = readOnlyDirs.map((dir) => `mount --bind ${dir} ${dir} && mount -o remount,bind,ro ${dir} && `).join('');
  return execa('unshare', ['--mount', 'sh', '-c', `${mounts}exec "$@"`, 'sh', ...command], { cwd: work, env, reject: false });
}

const cachesIn = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.v8cache')) : []);

describe('the CLI code cache', () => {
  it('is written next to the bundle after the first compile and read by the next run', async () => {
    expect((await kernelscript([seed, '-o', 'out', '--quiet'])).exitCode).toBe(0);
    const [cache] = cachesIn(bundleDir);
    expect(cache).toMatch(/^kernelscript-[0-9a-f]{32}-\d+-\d+-v\d+\.\d+\.\d+-\w+\.v8cache$/);
    const written = readFileSync(join(bundleDir, cache!));
    const second = await kernelscript([seed, '-o', 'out2', '--quiet']);
    expect(second.exitCode).toBe(0);
    // Accepted, so not written again.
    expect(readFileSync(join(bundleDir, cache!)).equals(written)).toBe(true);
    expect(readFileSync(join(work, 'out2/multi_programs.ebpf.c'), 'utf8')).toBe(readFileSync(join(work, 'out/multi_programs.ebpf.c'), 'utf8'));
  });

  it('is not written by a run that only prints the version or the help', async () => {
    const version = await kernelscript(['--version']);
    expect(version.exitCode).toBe(0);
    expect(version.stdout).toMatch(/^kernelscript\/\d+\.\d+\.\d+ /);
    expect((await kernelscript(['--help'])).stdout).toContain('build <...files>');
    expect(cachesIn(bundleDir)).toEqual([]);
    expect(cachesIn(join(userCache, 'kernelscript'))).toEqual([]);
  });

  it('is replaced when the bundle changes, and the stale one removed', async () => {
    await kernelscript([seed, '-o', 'out', '--quiet']);
    const [before] = cachesIn(bundleDir);
    appendFileSync(join(bundleDir, 'kernelscript.cjs'), '\n// edited\n');
    expect((await kernelscript([seed, '-o', 'out', '--quiet'])).exitCode).toBe(0);
    const after = cachesIn(bundleDir);
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before);
  });

  it('a corrupt cache is rejected, the run still succeeds, and a good cache replaces it', async () => {
    await kernelscript([seed, '-o', 'out', '--quiet']);
    const [cache] = cachesIn(bundleDir);
    writeFileSync(join(bundleDir, cache!), Buffer.alloc(4096, 0x5a));
    const run = await kernelscript([seed, '-o', 'out2', '--quiet']);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe('');
    expect(existsSync(join(work, 'out2/multi_programs.ebpf.c'))).toBe(true);
    expect(readFileSync(join(bundleDir, cache!)).subarray(0, 16).equals(Buffer.alloc(16, 0x5a))).toBe(false);
  });

  it.runIf(asRoot)('goes to the user cache directory when the bundle directory is read-only', async () => {
    const run = await kernelscript([seed, '-o', 'out', '--quiet'], { readOnly: true });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(cachesIn(bundleDir)).toEqual([]);
    expect(cachesIn(join(userCache, 'kernelscript'))).toHaveLength(1);
    expect((await kernelscript([seed, '-o', 'out2', '--quiet'], { readOnly: true })).exitCode).toBe(0);
  });

  it.runIf(asRoot)('is skipped, without a word, when no cache directory is writable', async () => {
    mkdirSync(userCache);
    const run = await kernelscript([seed, '-o', 'out'], { readOnly: true, userCacheToo: true });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain('Programs analyzed: 2');
    expect(cachesIn(bundleDir)).toEqual([]);
    expect(cachesIn(join(userCache, 'kernelscript'))).toEqual([]);
    expect(readdirSync(bundleDir)).toEqual(['kernelscript.cjs']);
  });
});

describe('what a compile loads', () => {
  it('never the toolchain: no child_process, which execa needs', async () => {
    const probe = join(work, 'loaded-modules.cjs');
    writeFileSync(probe, "process.on('exit', () => process.stderr.write(JSON.stringify(process.moduleLoadList)));\n");
    const compile = await kernelscript([seed, '-o', 'out', '--quiet'], { nodeArgs: ['--require', probe] });
    expect(compile.exitCode).toBe(0);
    const loaded = JSON.parse(compile.stderr) as string[];
    expect(loaded).toContain('NativeModule vm');
    expect(loaded.filter((name) => name.includes('child_process'))).toEqual([]);
    // The probe does see it where it is loaded: a build runs clang.
    const build = await kernelscript(['build', seed, '-o', 'built', '--quiet'], { nodeArgs: ['--require', probe] });
    expect(build.exitCode).toBe(0);
    expect(JSON.parse(build.stderr)).toContain('NativeModule child_process');
  });
});
