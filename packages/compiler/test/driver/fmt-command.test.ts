// `kernelscript fmt` as users run it (the built bin).
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '../../bin/kernelscript.js');
const work = mkdtempSync(join(tmpdir(), 'ks-fmt-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const kernelscript = (args: string[], input?: string) => execa(process.execPath, [bin, ...args], { cwd: work, reject: false, input, env: { NO_COLOR: '1' } });

const CRAMPED = 'const A:u32=1;// one\nfn f(x:u32)->u32{return x+A;}\n';
const CANONICAL = 'const A: u32 = 1; // one\nfn f(x: u32) -> u32 {\n  return x + A;\n}\n';

describe('kernelscript fmt', () => {
  it('rewrites files and directories in place, keeping the file mode', async () => {
    mkdirSync(join(work, 'src/nested'), { recursive: true });
    writeFileSync(join(work, 'src/a.ks'), CRAMPED);
    writeFileSync(join(work, 'src/nested/b.ks'), CANONICAL);
    chmodSync(join(work, 'src/a.ks'), 0o640);
    const run = await kernelscript(['fmt', 'src']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('kernelscript fmt: 2 file(s), 1 reformatted');
    expect(readFileSync(join(work, 'src/a.ks'), 'utf8')).toBe(CANONICAL);
    expect(statSync(join(work, 'src/a.ks')).mode & 0o777).toBe(0o640);
  });

  it('--check lists unformatted files, writes nothing and exits 1', async () => {
    writeFileSync(join(work, 'check.ks'), CRAMPED);
    const run = await kernelscript(['fmt', '--check', 'check.ks']);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('check.ks: not formatted');
    expect(readFileSync(join(work, 'check.ks'), 'utf8')).toBe(CRAMPED);
    writeFileSync(join(work, 'check.ks'), CANONICAL);
    expect((await kernelscript(['fmt', '--check', 'check.ks'])).exitCode).toBe(0);
  });

  it('leaves a file with a syntax error as it is and prints the located error', async () => {
    const broken = 'fn f() -> u32 { return 1 }\n';
    writeFileSync(join(work, 'broken.ks'), broken);
    const run = await kernelscript(['fmt', 'broken.ks']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("broken.ks:1:25: error[KS1002]: expected ';'");
    expect(run.stderr).toContain('1 | fn f() -> u32 { return 1 }');
    expect(readFileSync(join(work, 'broken.ks'), 'utf8')).toBe(broken);
  });

  it('formats standard input to standard output with --stdin', async () => {
    const run = await kernelscript(['fmt', '--stdin'], CRAMPED);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe(CANONICAL.trimEnd());
  });

  it('says so when nothing matches', async () => {
    const run = await kernelscript(['fmt', 'nothing/*.ks']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("kernelscript fmt: no .ks file matches 'nothing/*.ks'");
  });
});
