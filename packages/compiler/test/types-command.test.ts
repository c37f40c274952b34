// `kernelscript types <glob...>`: the declaration files a bundler build would
// write, without a bundler — and a consumer's `tsc --noEmit` then accepts
// correct use and rejects a wrong key type, under both resolution modes.
import { cp, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const repoRoot = join(import.meta.dirname, '../../..');
const bin = join(repoRoot, 'packages/compiler/bin/kernelscript.js');
const tsc = join(repoRoot, 'node_modules/.bin/tsc');
const COUNTER = join(repoRoot, 'examples/rollup-app/src/counter.ks');
const TIMEOUT = 60_000;

let project: string;
beforeEach(async () => {
  project = await mkdtemp(join(tmpdir(), 'ks-types-'));
  await mkdir(join(project, 'src/net'), { recursive: true });
  await cp(COUNTER, join(project, 'src/net/counter.ks'));
  // The declarations import the handle types from @kernelscript/runtime, as in a real project.
  await mkdir(join(project, 'node_modules/@kernelscript'), { recursive: true });
  await symlink(join(repoRoot, 'packages/runtime'), join(project, 'node_modules/@kernelscript/runtime'));
});
afterEach(() => rm(project, { recursive: true, force: true }));

function kernelscript(args: string[]) {
  return execa(process.execPath, [bin, ...args], { cwd: project, reject: false, env: { NO_COLOR: '1' } });
}

/** `tsc --noEmit` over one consumer file that reads the `packets` map with `key`. */
async function typecheck(key: string, compilerOptions: Record<string, unknown>) {
  await writeFile(
    join(project, 'src/main.ts'),
    [
      "import { load } from '@kernelscript/runtime';",
      "import counter, { type Maps, type Totals } from './net/counter.ks';",
      'const system = load<Maps>(counter);',
      `export const packets: bigint | undefined = system.maps.packets.get(${key});`,
      'export const totals: Totals | undefined = system.maps.totals.get(0);',
      '',
    ].join('\n'),
  );
  await writeFile(
    join(project, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true, ...compilerOptions }, include: ['src'] }),
  );
  return execa(tsc, ['--noEmit', '-p', project], { cwd: project, reject: false });
}

const WRONG_KEY = "src/main.ts(4,68): error TS2345: Argument of type 'string' is not assignable to parameter of type 'number'.";

describe('kernelscript types', () => {
  it('writes counter.d.ks.ts for a glob; tsc (nodenext) accepts correct use and rejects a wrong key type', async () => {
    const run = await kernelscript(['types', 'src/**/*.ks']);
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe('wrote src/net/counter.d.ks.ts\nkernelscript types: 1 declaration file(s), 1 written, 0 unchanged');
    expect(await readFile(join(project, 'src/net/counter.d.ks.ts'), 'utf8')).toContain('packets: MapHandle<number, bigint>;');

    const nodenext = { module: 'NodeNext', moduleResolution: 'NodeNext', allowArbitraryExtensions: true };
    const correct = await typecheck('0', nodenext);
    expect(correct.stdout).toBe('');
    expect(correct.exitCode).toBe(0);
    const wrong = await typecheck("'0'", nodenext);
    expect(wrong.exitCode).not.toBe(0);
    expect(wrong.stdout).toContain(WRONG_KEY);
  }, TIMEOUT);

  it('writes counter.ks.d.ts with --dts ks.d.ts; tsc (bundler resolution, no flag) accepts and rejects the same', async () => {
    const run = await kernelscript(['types', 'src', '--dts', 'ks.d.ts']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('wrote src/net/counter.ks.d.ts\n');
    await expect(stat(join(project, 'src/net/counter.d.ks.ts'))).rejects.toThrow(/ENOENT/);

    const bundler = { module: 'ESNext', moduleResolution: 'bundler' };
    expect((await typecheck('0', bundler)).exitCode).toBe(0);
    const wrong = await typecheck("'0'", bundler);
    expect(wrong.exitCode).not.toBe(0);
    expect(wrong.stdout).toContain(WRONG_KEY);
  }, TIMEOUT);

  it('rewrites a declaration file only when its content changed', async () => {
    await kernelscript(['types', 'src/**/*.ks']);
    const path = join(project, 'src/net/counter.d.ks.ts');
    const before = (await stat(path)).mtimeMs;
    const again = await kernelscript(['types', 'src/**/*.ks']);
    expect(again.stdout).toBe('kernelscript types: 1 declaration file(s), 0 written, 1 unchanged');
    expect((await stat(path)).mtimeMs).toBe(before);
  }, TIMEOUT);

  it('fails with the located error of a .ks that does not compile, and writes the others', async () => {
    await writeFile(join(project, 'src/broken.ks'), 'program p : xdp {\n  fn main(ctx: XdpContext) -> XdpAction {\n    return nope;\n  }\n}\n');
    const run = await kernelscript(['types', 'src/**/*.ks']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/^src\/broken\.ks:3:12: error\[KS\d{4}\]: .*nope/m);
    expect(run.stderr).toContain('3 |     return nope;');
    expect(run.stdout).toContain('1 declaration file(s), 1 written, 0 unchanged; 1 file(s) did not compile');
  }, TIMEOUT);

  it('fails when nothing matches, and on an unknown --dts form', async () => {
    const none = await kernelscript(['types', 'lib/**/*.ks']);
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toBe("kernelscript types: no .ks file matches 'lib/**/*.ks'");
    const bad = await kernelscript(['types', 'src', '--dts', 'both']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("--dts must be one of d.ks.ts, ks.d.ts, got 'both'");
  }, TIMEOUT);
});
