// The packages as users get them: `pnpm pack` tarballs (pnpm turns
// `workspace:^` into caret ranges), installed with npm or pnpm into projects
// outside the workspace. Until the packages are on the registry, a tarball's
// siblings (`@kernelscript/shared` for the runtime, …) cannot be fetched by
// name, so the projects point every KernelScript name at its tarball through
// `overrides` (npm) and `pnpm.overrides` (pnpm), as one tries an unreleased
// build; everything else comes from the npm registry.
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { REPO_ROOT } from './build.js';

/** Package directory under packages/ → package name. */
export const PACKAGES = {
  shared: '@kernelscript/shared',
  compiler: '@kernelscript/compiler',
  runtime: '@kernelscript/runtime',
  unplugin: 'unplugin-kernelscript',
  'language-server': '@kernelscript/language-server',
} as const;

export type PackageName = (typeof PACKAGES)[keyof typeof PACKAGES];
export type Tarballs = Record<PackageName, string>;
export type PackageManager = 'npm' | 'pnpm';

/** Packs every package (from its current build) into `destination`; returns name → tarball path. */
export async function packPackages(destination: string): Promise<Tarballs> {
  const entries = await Promise.all(
    Object.entries(PACKAGES).map(async ([dir, name]) => {
      const { stdout } = await execa('pnpm', ['pack', '--pack-destination', destination], { cwd: join(REPO_ROOT, 'packages', dir) });
      return [name, stdout.trim().split('\n').at(-1)!] as const;
    }),
  );
  return Object.fromEntries(entries) as Tarballs;
}

/** The files of `dir` that git tracks: a fresh clone's copy, without builds or generated declarations. */
export async function copyTrackedFiles(dir: string, destination: string): Promise<void> {
  const { stdout } = await execa('git', ['ls-files', '-z', dir], { cwd: REPO_ROOT });
  for (const file of stdout.split('\0').filter(Boolean)) {
    const relativePath = file.slice(dir.length + 1);
    await mkdir(join(destination, relativePath, '..'), { recursive: true });
    await cp(join(REPO_ROOT, file), join(destination, relativePath));
  }
}

/**
 * Points the project's KernelScript dependencies (written `workspace:*` in the
 * examples, or added by name) at the tarballs, and their siblings through
 * overrides, then installs with `manager`.
 */
export async function installFromTarballs(project: string, tarballs: Tarballs, manager: PackageManager): Promise<void> {
  const manifestPath = join(project, 'package.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
  const files = Object.fromEntries(Object.entries(tarballs).map(([name, path]) => [name, `file:${path}`]));
  for (const field of ['dependencies', 'devDependencies']) {
    for (const name of Object.keys(manifest[field] ?? {})) if (name in files) manifest[field][name] = files[name];
  }
  if (manager === 'npm') manifest.overrides = files;
  // pnpm runs no dependency's install script unless allowed; koffi and esbuild ship prebuilt binaries either way.
  else manifest.pnpm = { overrides: files, onlyBuiltDependencies: ['esbuild', 'koffi'] };
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  const args = manager === 'npm' ? ['install', '--prefer-offline', '--no-audit', '--no-fund'] : ['install', '--prefer-offline'];
  await execa(manager, args, { cwd: project, env: cleanEnv(), extendEnv: false });
}

/**
 * This process's environment without the `npm_*` variables a `pnpm test` run
 * sets (npm warns about the pnpm-only ones): what a user's shell has.
 */
export function cleanEnv(): Record<string, string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name))) as Record<string, string>;
  return { ...env, npm_config_update_notifier: 'false' };
}
