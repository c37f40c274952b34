// The packages as npm would publish them: every package packed, its manifest
// and files checked as the registry page and an installer see them, `npm
// publish --dry-run` and the release script's dry run without a warning, and
// the tarballs installed with npm and with pnpm into fresh copies of
// examples/vite-app and examples/node-counter outside the workspace, which
// type-check before their first build, build, and run (`--help`; in the kernel
// where it is usable). A runtime-only install is measured and printed.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/build.js';
import { kernelUsable } from '../helpers/kernel.js';
import { cleanEnv, copyTrackedFiles, installFromTarballs, packPackages, PACKAGES, type PackageManager, type Tarballs } from '../helpers/tarballs.js';

const TIMEOUT = 300_000;
const ROOT_MANIFEST = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8'));
/** `https://github.com/<owner>/<repo>`: where every package's metadata and README links point. */
const REPOSITORY = ROOT_MANIFEST.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
const LICENSE = await readFile(join(REPO_ROOT, 'LICENSE'), 'utf8');
/** npm reads the token only to know it could log in; a dry run sends nothing with it. */
const NPMRC = '//registry.npmjs.org/:_authToken=dry-run-placeholder\n';

let work: string;
let tarballs: Tarballs;
let npmrc: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ks-tarballs-'));
  tarballs = await packPackages(work);
  npmrc = join(work, '.npmrc');
  await writeFile(npmrc, NPMRC);
}, TIMEOUT);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** The tarball's file list, without the `package/` prefix. */
async function tarballFiles(tarball: string): Promise<string[]> {
  const { stdout } = await execa('tar', ['-tzf', tarball]);
  return stdout.split('\n').map((line) => line.replace(/^package\//, ''));
}

async function tarballText(tarball: string, file: string): Promise<string> {
  return (await execa('tar', ['-xzOf', tarball, `package/${file}`])).stdout;
}

/** The files an `exports` map names (its string leaves). */
function exportedFiles(exports: unknown): string[] {
  if (typeof exports === 'string') return [exports];
  return Object.values(exports as Record<string, unknown>).flatMap(exportedFiles);
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(markdown: string): Set<string> {
  const withoutCode = markdown.replace(/^```[\s\S]*?^```/gm, '');
  return new Set([...withoutCode.matchAll(/^#{1,6} (.+)$/gm)].map((match) => headingAnchor(match[1]!)));
}

describe.each(Object.entries(PACKAGES))('packages/%s, packed', (dir, name) => {
  let manifest: Record<string, any>;
  let files: string[];
  beforeAll(async () => {
    const tarball = tarballs[name];
    manifest = JSON.parse(await tarballText(tarball, 'package.json'));
    files = await tarballFiles(tarball);
  });

  it('declares caret ranges for every dependency, no workspace protocol', () => {
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
      for (const [dependency, range] of Object.entries<string>(manifest[field] ?? {})) {
        expect(range, `${field}.${dependency}`).toMatch(/^\^\d+\.\d+\.\d+$/);
      }
    }
    expect(JSON.stringify(manifest)).not.toContain('workspace:');
  });

  it('has the metadata popular packages have', () => {
    expect(manifest).toMatchObject({
      license: 'MIT',
      sideEffects: false,
      engines: { node: ROOT_MANIFEST.engines.node },
      repository: { type: 'git', url: `git+${REPOSITORY}.git`, directory: `packages/${dir}` },
      homepage: `${REPOSITORY}/tree/main/packages/${dir}#readme`,
      bugs: { url: `${REPOSITORY}/issues` },
    });
    expect(manifest.keywords.length).toBeGreaterThanOrEqual(3);
    expect(manifest.description.length).toBeGreaterThan(20);
    if (name === '@kernelscript/runtime') expect(manifest.os).toEqual(['linux']);
    if (name.startsWith('@')) expect(manifest.publishConfig).toEqual({ access: 'public' });
  });

  it('ships its README, the LICENSE, every exported file, and no source map', async () => {
    expect(files).toContain('README.md');
    expect(await tarballText(tarballs[name], 'LICENSE')).toBe(LICENSE.trimEnd());
    expect(files.filter((file) => file.endsWith('.map'))).toEqual([]);
    for (const path of [...exportedFiles(manifest.exports), ...Object.values<string>(manifest.bin ?? {})]) {
      expect(files, path).toContain(path.replace(/^\.\//, ''));
    }
  });

  it('has a README whose links work on the registry page', async () => {
    const readme = await tarballText(tarballs[name], 'README.md');
    const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!);
    for (const link of links) {
      if (link.startsWith('#')) {
        expect(anchorsOf(readme), link).toContain(link.slice(1));
        continue;
      }
      // Relative links resolve against the registry's page, not the repository: only absolute ones work there.
      expect(link, 'README link').toMatch(/^https:\/\//);
      const inRepository = new RegExp(`^${REPOSITORY}(?:/(?:blob|tree)/main/([^#]+))?(?:#(.+))?$`).exec(link);
      if (inRepository === null) continue;
      const [, path = '', anchor] = inRepository;
      expect(existsSync(join(REPO_ROOT, path!)), link).toBe(true);
      if (anchor !== undefined) {
        const target = (await stat(join(REPO_ROOT, path!))).isDirectory() ? join(REPO_ROOT, path!, 'README.md') : join(REPO_ROOT, path!);
        expect(anchorsOf(await readFile(target, 'utf8')), link).toContain(anchor);
      }
    }
  });

  it('passes `npm publish --dry-run` without a warning', async () => {
    const result = await execa('npm', ['publish', tarballs[name], '--dry-run', '--access', 'public', '--userconfig', npmrc], {
      env: cleanEnv(),
      extendEnv: false,
      all: true,
    });
    expect(result.all).toContain(`+ ${name}@${manifest.version}`);
    expect(result.all).not.toMatch(/npm warn/i);
  }, TIMEOUT);
});

it('publishes every package in the release script’s dry run, without a warning', async () => {
  const result = await execa('bash', ['scripts/release.sh', '--dry-run', '--no-git-checks'], {
    cwd: REPO_ROOT,
    env: { ...cleanEnv(), npm_config_userconfig: npmrc },
    extendEnv: false,
    all: true,
  });
  for (const name of Object.values(PACKAGES)) expect(result.all).toMatch(new RegExp(`\\+ ${name.replace('/', '\\/')}@\\d+\\.\\d+\\.\\d+`));
  expect(result.all).not.toMatch(/\bwarn/i);
}, TIMEOUT);

describe.each<PackageManager>(['npm', 'pnpm'])('installed with %s outside the workspace', (manager) => {
  let viteApp: string;
  let cliApp: string;
  const run = (project: string, script: string) =>
    execa(manager, ['run', script], { cwd: project, env: cleanEnv(), extendEnv: false, all: true, reject: false });

  beforeAll(async () => {
    viteApp = join(work, manager, 'vite-app');
    cliApp = join(work, manager, 'node-counter');
    await copyTrackedFiles('examples/vite-app', viteApp);
    await copyTrackedFiles('examples/node-counter', cliApp);
    await Promise.all([installFromTarballs(viteApp, tarballs, manager), installFromTarballs(cliApp, tarballs, manager)]);
  }, TIMEOUT);

  it('type-checks fresh copies of the apps before their first build', async () => {
    for (const app of [viteApp, cliApp]) {
      const result = await run(app, 'typecheck');
      expect(result.all).not.toMatch(/error TS/);
      expect(result.exitCode, result.all).toBe(0);
    }
  }, TIMEOUT);

  it('builds the Vite app: its module and the eBPF object', async () => {
    const result = await run(viteApp, 'build');
    expect(result.exitCode, result.all).toBe(0);
    const built = await readdir(join(viteApp, 'dist'));
    expect(built).toContain('main.js');
    expect(built.filter((file) => /^counter-[0-9a-f]{8}\.bpf\.o$/.test(file))).toHaveLength(1);
  }, TIMEOUT);

  it('bundles the Node CLI, whose --help needs neither privileges nor libbpf', async () => {
    expect((await run(cliApp, 'build')).exitCode).toBe(0);
    // A libbpf that cannot load proves the runtime loads it on first use, not at import.
    const help = await execa(process.execPath, ['dist/main.js', '--help'], { cwd: cliApp, env: { KERNELSCRIPT_LIBBPF: '/nonexistent/libbpf.so.1' } });
    expect(help.stdout).toMatch(/^usage: node-counter <interface> \[--seconds N\]\n/);
  }, TIMEOUT);

  it.runIf(kernelUsable().ok)('runs the built Vite app in the kernel through the installed runtime', async () => {
    const script = "const { countPackets } = await import('./dist/main.js'); console.log(countPackets([new Uint8Array(64), new Uint8Array(100)]).totals.bytes);";
    const result = await execa(process.execPath, ['--input-type=module', '-e', script], { cwd: viteApp });
    expect(result.stdout).toBe('164n');
  }, TIMEOUT);
});

it('installs the runtime alone without the compiler: a handful of packages, measured', async () => {
  const project = join(work, 'runtime-only');
  await copyTrackedFiles('examples/node-counter', project);
  const manifest = JSON.parse(await readFile(join(project, 'package.json'), 'utf8'));
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'runtime-only', private: true, dependencies: manifest.dependencies }));
  await installFromTarballs(project, tarballs, 'npm');
  const { stdout } = await execa('npm', ['ls', '--all', '--parseable'], { cwd: project });
  const installed = stdout.split('\n').slice(1).map((path) => path.slice(join(project, 'node_modules').length + 1));
  const bytes = await directoryBytes(join(project, 'node_modules'));
  console.log(`runtime-only install: ${installed.length} packages, ${bytes} bytes (${(bytes / 1e6).toFixed(1)} MB): ${installed.join(', ')}`);
  expect(installed).toEqual(expect.arrayContaining(['@kernelscript/runtime', '@kernelscript/shared', 'koffi']));
  expect(installed).not.toContain('@kernelscript/compiler');
  // The runtime, shared, koffi and koffi's prebuilt binary for this platform.
  expect(installed.length).toBeLessThanOrEqual(4);
}, TIMEOUT);

async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}
