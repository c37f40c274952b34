// The main README's "Use it in your project", followed from an empty
// directory: its shell commands run as written, its files are written as
// given, then `npm run typecheck`, `npm run build`, and the program runs on a
// veth in a network namespace (never on the machine's own interfaces). The
// packages are not on the registry yet, so the test's `npm install` installs
// the KernelScript names from their packed tarballs (with overrides for their
// siblings) and the other names at the versions the workspace pins.
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/build.js';
import { kernelUsable, withNetns } from '../helpers/kernel.js';
import { cleanEnv, packPackages, type Tarballs } from '../helpers/tarballs.js';

const TIMEOUT = 300_000;
const README = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
const SECTION = /^## Use it in your project\n([\s\S]*?)^## /m.exec(README)![1]!;
const BLOCKS = [...SECTION.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)].map(([, language, code]) => ({ language: language!, code: code! }));

/** `npm install` as the README says it, with names resolved to the tarballs or the workspace's pinned versions. */
const NPM_WRAPPER = `
npm() {
  if [ "$1" != install ]; then command npm "$@"; return; fi
  shift
  node "$KS_HELPER" prepare "$@"
  local specs=()
  for spec in "$@"; do
    case "$spec" in -*) specs+=("$spec") ;; *) specs+=("$(node "$KS_HELPER" resolve "$spec")") ;; esac
  done
  command npm install --prefer-offline --no-audit --no-fund "\${specs[@]}"
}
set -euo pipefail
`;

const HELPER = `
import { readFileSync, writeFileSync } from 'node:fs';
const specs = JSON.parse(process.env.KS_SPECS);
const [command, ...names] = process.argv.slice(2);
if (command === 'resolve') console.log(specs[names[0]] ?? names[0]);
else {
  // Overrides for the siblings only: npm refuses one for a direct dependency.
  const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
  const direct = new Set([...names, ...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})]);
  manifest.overrides = Object.fromEntries(Object.entries(specs).filter(([name, spec]) => spec.startsWith('file:') && !direct.has(name)));
  writeFileSync('package.json', JSON.stringify(manifest, null, 2));
}
`;

describe('README.md: Use it in your project, from an empty directory', () => {
  let work: string;
  let project: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'ks-use-'));
    const tarballs: Tarballs = await packPackages(work);
    const pinned = JSON.parse(await readFile(join(REPO_ROOT, 'examples/node-counter/package.json'), 'utf8')).devDependencies;
    const vite = JSON.parse(await readFile(join(REPO_ROOT, 'examples/vite-app/package.json'), 'utf8')).devDependencies.vite;
    const specs = {
      ...Object.fromEntries(['typescript', '@types/node'].map((name) => [name, `${name}@${pinned[name]}`])),
      vite: `vite@${vite}`,
      ...Object.fromEntries(Object.entries(tarballs).map(([name, path]) => [name, `file:${path}`])),
    };
    await writeFile(join(work, 'helper.mjs'), HELPER);
    env = { ...cleanEnv(), KS_HELPER: join(work, 'helper.mjs'), KS_SPECS: JSON.stringify(specs) };
  }, TIMEOUT);
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('has the steps: commands, four files, then type-check, build and run', () => {
    expect(BLOCKS.map((block) => block.language)).toEqual(['bash', 'kernelscript', 'ts', 'ts', 'jsonc', 'bash']);
  });

  it('creates and installs the project with the commands as written', async () => {
    const setup = BLOCKS[0]!.code;
    const directory = /^mkdir (\S+) && cd \1$/m.exec(setup)![1]!;
    await execa('bash', ['-c', `${NPM_WRAPPER}\n${setup}`], { cwd: work, env, extendEnv: false });
    project = join(work, directory);
    const manifest = JSON.parse(await readFile(join(project, 'package.json'), 'utf8'));
    expect(Object.keys(manifest.dependencies)).toEqual(['@kernelscript/runtime']);
    expect(Object.keys(manifest.devDependencies).sort()).toEqual(['@kernelscript/compiler', '@types/node', 'typescript', 'unplugin-kernelscript', 'vite']);
  }, TIMEOUT);

  it('type-checks before the first build, and builds the module and the eBPF object', async () => {
    for (const block of BLOCKS.slice(1, 5)) {
      const path = /^\/\/ (\S+)\n/.exec(block.code)![1]!;
      await mkdir(dirname(join(project, path)), { recursive: true });
      await writeFile(join(project, path), block.code);
    }
    const [typecheck, build] = BLOCKS[5]!.code.trim().split('\n');
    for (const command of [typecheck!, build!]) {
      const result = await execa('bash', ['-c', command], { cwd: project, env, extendEnv: false, reject: false, all: true });
      expect(result.exitCode, `${command}\n${result.all}`).toBe(0);
    }
    const built = (await execa('ls', ['dist'], { cwd: project })).stdout.split('\n');
    expect(built).toContain('main.js');
    expect(built.filter((file) => /^counter-[0-9a-f]{8}\.bpf\.o$/.test(file))).toHaveLength(1);
  }, TIMEOUT);

  it.runIf(kernelUsable().ok)('runs: counts the packets of an interface (a veth in a namespace, not eth0)', async () => {
    const run = BLOCKS[5]!.code.trim().split('\n')[2]!;
    const [, program, , seconds] = /^sudo (node dist\/main\.js) (\S+) (\d+)$/.exec(run)!;
    expect(Number(seconds)).toBeGreaterThan(0);
    await withNetns(async (ns) => {
      const result = await execa('ip', ['netns', 'exec', ns.name, process.execPath, program!.split(' ')[1]!, 'veth0', '1'], { cwd: project });
      expect(result.stdout).toMatch(/^\d+ packets on veth0$/);
    });
  }, 60_000);
});
