// `kernelscript build` of many files, and the build cache it shares with
// unplugin-kernelscript: unchanged files run no tool, edited ones rebuild.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLimit } from '../src/driver/concurrency.js';

const repoRoot = join(import.meta.dirname, '../../..');
const bin = join(repoRoot, 'packages/compiler/bin/kernelscript.js');
const example = (name: string) => join(repoRoot, 'examples', `${name}.ks`);

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'ks-build-files-'));
  mkdirSync(join(work, 'src/net'), { recursive: true });
  mkdirSync(join(work, 'src/trace'), { recursive: true });
  cpSync(example('multi_programs'), join(work, 'src/net/multi_programs.ks'));
  cpSync(example('rate_limiter'), join(work, 'src/net/rate_limiter.ks'));
  // The same name in another directory: each project goes beside its own file.
  cpSync(example('size_filter'), join(work, 'src/trace/multi_programs.ks'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

function kernelscript(args: string[]) {
  return execa(process.execPath, [bin, ...args, '--cache-dir', join(work, 'cache')], { cwd: work, reject: false, env: { NO_COLOR: '1' } });
}

/** The progress lines, by file, in whatever order the files finished. */
function progress(stdout: string): Map<string, string> {
  return new Map(stdout.split('\n').flatMap((line) => (/^✓ (\S+) → (\S+) \((.+)\)$/.exec(line) ? [[RegExp.$1, `${RegExp.$2} ${RegExp.$3}`] as const] : [])));
}

describe("kernelscript build 'src/**/*.ks'", () => {
  it('builds every file beside it with one progress line each, then only what changed', async () => {
    const cold = await kernelscript(['build', 'src/**/*.ks']);
    expect(cold.exitCode, cold.stderr).toBe(0);
    expect(progress(cold.stdout)).toEqual(
      new Map([
        ['src/net/multi_programs.ks', 'src/net/multi_programs/ built: clang, gcc'],
        ['src/net/rate_limiter.ks', 'src/net/rate_limiter/ built: clang, gcc'],
        ['src/trace/multi_programs.ks', 'src/trace/multi_programs/ built: clang, gcc'],
      ]),
    );
    expect(cold.stdout).toContain('kernelscript build: 3 file(s): 3 built, 0 unchanged, 0 failed');
    for (const project of ['src/net/multi_programs', 'src/net/rate_limiter', 'src/trace/multi_programs']) {
      const name = project.split('/').pop()!;
      expect(existsSync(join(work, project, `${name}.ebpf.o`)), project).toBe(true);
      // The coordinator comes out runnable, from the cache as from gcc.
      expect(statSync(join(work, project, name)).mode & 0o111, project).not.toBe(0);
    }
    const object = readFileSync(join(work, 'src/net/rate_limiter/rate_limiter.ebpf.o'));

    const warm = await kernelscript(['build', 'src/**/*.ks']);
    expect(warm.exitCode, warm.stderr).toBe(0);
    expect([...progress(warm.stdout).values()].map((line) => line.split(' ').pop())).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(warm.stdout).toContain('3 file(s): 0 built, 3 unchanged, 0 failed');
    expect(readFileSync(join(work, 'src/net/rate_limiter/rate_limiter.ebpf.o')).equals(object)).toBe(true);

    writeFileSync(join(work, 'src/net/rate_limiter.ks'), readFileSync(join(work, 'src/net/rate_limiter.ks'), 'utf8').replace('burst: u64 = 10', 'burst: u64 = 20'));
    const edited = await kernelscript(['build', 'src/**/*.ks']);
    expect(edited.exitCode, edited.stderr).toBe(0);
    expect(progress(edited.stdout).get('src/net/rate_limiter.ks')).toBe('src/net/rate_limiter/ built: clang, gcc');
    expect(edited.stdout).toContain('3 file(s): 1 built, 2 unchanged, 0 failed');
  });

  it('puts the projects under -o DIR at the same relative paths', async () => {
    const run = await kernelscript(['build', 'src', '-o', 'out', '--quiet']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
    expect(existsSync(join(work, 'out/src/trace/multi_programs/multi_programs.ebpf.o'))).toBe(true);
  });

  it('reports a file that does not compile, builds the others, and exits 1', async () => {
    writeFileSync(join(work, 'src/net/broken.ks'), 'program p : xdp {\n  fn main(ctx: XdpContext) -> XdpAction {\n    return TC_ACT_OK;\n  }\n}\n');
    const run = await kernelscript(['build', 'src/**/*.ks']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/src\/net\/broken.ks:3:12: error\[KS\d{4}\]:/);
    expect(run.stderr).toContain('✗ src/net/broken.ks: 1 error(s); nothing was written');
    expect(run.stdout).toContain('4 file(s): 3 built, 0 unchanged, 1 failed');
    expect(existsSync(join(work, 'src/net/broken'))).toBe(false);
  });

  it('fails when nothing matches', async () => {
    const run = await kernelscript(['build', 'nowhere/**/*.ks']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("kernelscript build: no .ks file matches 'nowhere/**/*.ks'");
  });
});

describe('the build cache', () => {
  it('builds a file named with `..`, carrying its source text into the object', async () => {
    mkdirSync(join(work, 'deep/er'), { recursive: true });
    const run = await execa(process.execPath, [bin, 'build', '../../src/net/rate_limiter.ks', '-o', 'out', '--cache-dir', join(work, 'cache')], { cwd: join(work, 'deep/er'), reject: false });
    expect(run.exitCode, run.stderr).toBe(0);
    const object = readFileSync(join(work, 'deep/er/out/rate_limiter.ebpf.o'));
    // BTF line info holds the .ks statements (what the verifier prints).
    expect(object.includes(Buffer.from('if bucket.tokens == 0 {'))).toBe(true);
  });
});

describe('createLimit', () => {
  it('runs at most `concurrency` tasks at a time, and all of them', async () => {
    const limit = createLimit(2);
    let running = 0;
    let peak = 0;
    const task = async (n: number) => {
      peak = Math.max(peak, ++running);
      await new Promise((resolve) => setTimeout(resolve, 10));
      running--;
      return n;
    };
    expect(await Promise.all([1, 2, 3, 4, 5, 6].map((n) => limit(() => task(n))))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(peak).toBe(2);
  });
});
