// `kernelscript init`: every template creates a project that installs,
// builds, type-checks and passes its own tests (which load the programs into
// this kernel). The only change made to the generated project is that the
// three KernelScript packages are linked from this repository instead of
// fetched from npm, since they are what is being tested.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/build.js';
import { describeKernel, execInNetns, withNetns } from '../helpers/kernel.js';

const bin = join(REPO_ROOT, 'packages/compiler/bin/kernelscript.js');
const work = mkdtempSync(join(tmpdir(), 'ks-init-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const WORKSPACE_PACKAGES: Record<string, string> = {
  '@kernelscript/compiler': 'packages/compiler',
  '@kernelscript/runtime': 'packages/runtime',
  'unplugin-kernelscript': 'packages/unplugin',
};

function kernelscript(args: string[], cwd = work) {
  return execa(process.execPath, [bin, ...args], { cwd, reject: false, env: { NO_COLOR: '1' } });
}

/** Links this repository's packages in place of the published ones. */
function linkWorkspace(project: string): void {
  const path = join(project, 'package.json');
  const pkg = JSON.parse(readFileSync(path, 'utf8')) as Record<string, Record<string, string> | undefined>;
  for (const field of ['dependencies', 'devDependencies']) {
    for (const name of Object.keys(pkg[field] ?? {})) {
      if (WORKSPACE_PACKAGES[name]) pkg[field]![name] = `link:${join(REPO_ROOT, WORKSPACE_PACKAGES[name])}`;
    }
  }
  writeFileSync(path, JSON.stringify(pkg, null, 2));
}

async function pnpm(project: string, args: string[]) {
  const run = await execa('pnpm', args, { cwd: project, reject: false, env: { NO_COLOR: '1', CI: '1' } });
  expect(run.exitCode, `pnpm ${args.join(' ')}:\n${run.stdout}\n${run.stderr}`).toBe(0);
  return run;
}

describe('kernelscript init', () => {
  it('writes the xdp template by default and names the project after the directory', async () => {
    const run = await kernelscript(['init', 'My Filter']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('Created my-filter (xdp)');
    const project = join(work, 'My Filter');
    expect(readdirSync(project).sort()).toEqual(['.gitignore', 'README.md', 'package.json', 'src', 'test', 'tsconfig.json', 'vitest.config.ts']);
    expect(JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')).name).toBe('my-filter');
  });

  it('never overwrites a file, and writes nothing then', async () => {
    const project = join(work, 'taken');
    await kernelscript(['init', 'taken']);
    writeFileSync(join(project, 'src/counter.ks'), '// mine\n');
    rmSync(join(project, 'README.md'));
    const run = await kernelscript(['init', 'taken']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('already has');
    expect(readFileSync(join(project, 'src/counter.ks'), 'utf8')).toBe('// mine\n');
    expect(existsSync(join(project, 'README.md'))).toBe(false);
  });

  it('refuses an unknown template as a usage error', async () => {
    const run = await kernelscript(['init', 'x', '--template', 'kprobe']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('--template must be one of xdp, tracepoint, vite, node');
  });
});

describeKernel('kernelscript init projects build and pass their tests', () => {
  it.each([
    { template: 'xdp', built: ['build/counter.ebpf.o', 'build/counter'] },
    { template: 'tracepoint', built: ['build/getppid.ebpf.o', 'build/getppid'] },
    { template: 'vite', built: ['dist/main.js'] },
    { template: 'node', built: ['dist/main.js'] },
  ])('$template', async ({ template, built }) => {
    const name = `starter-${template}`;
    expect((await kernelscript(['init', name, '--template', template])).exitCode).toBe(0);
    const project = join(work, name);
    linkWorkspace(project);
    await pnpm(project, ['install', '--prefer-offline']);
    await pnpm(project, ['build']);
    for (const file of built) expect(existsSync(join(project, file)), file).toBe(true);
    if (template === 'vite' || template === 'node') expect(readdirSync(join(project, 'dist')).some((f) => f.endsWith('.bpf.o'))).toBe(true);
    const tests = await pnpm(project, ['test']);
    expect(tests.stdout).toMatch(/Tests\s+\d+ passed/);
    expect(tests.stdout).not.toMatch(/skipped/);
    await pnpm(project, ['typecheck']);
    await pnpm(project, ['exec', 'kernelscript', 'fmt', '--check', 'src']);
    if (template === 'node') {
      // The bundled CLI, attached to the loopback interface of a namespace of its own for one second.
      await withNetns(async (ns) => {
        const run = await execInNetns(ns, process.execPath, [join(project, 'dist/main.js'), 'lo', '1']);
        expect(run.stdout).toMatch(/^tcp \d+ {2}udp \d+ {2}icmp \d+$/m);
      });
    }
  }, 240_000);
});
