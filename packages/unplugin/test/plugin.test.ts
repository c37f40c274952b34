// The plugin core through a real in-process Rollup build: the module it
// produces, the asset, the declaration files, the cache, and the errors.
import childProcess from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { rollup, type OutputAsset, type OutputChunk } from 'rollup';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeKernel } from '../../../test/helpers/kernel.js';
import { clangInvocations, type Options } from '../src/index.js';
import KernelScript from '../src/rollup.js';

const REPO = join(import.meta.dirname, '../../..');
const COUNTER = join(REPO, 'examples/rollup-app/src/counter.ks');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ks-unplugin-'));
  await cp(COUNTER, join(dir, 'counter.ks'));
  await writeFile(join(dir, 'entry.js'), "export { default as counter } from './counter.ks';\n");
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function build(options: Options = {}, warnings: string[] = []) {
  const bundle = await rollup({
    input: join(dir, 'entry.js'),
    plugins: [KernelScript({ cacheDir: join(dir, 'cache'), root: dir, ...options })],
    onwarn: (warning) => warnings.push(warning.message),
  });
  try {
    const { output } = await bundle.generate({ format: 'es' });
    return {
      chunk: output.find((file): file is OutputChunk => file.type === 'chunk')!,
      assets: output.filter((file): file is OutputAsset => file.type === 'asset'),
    };
  } finally {
    await bundle.close();
  }
}

/** Every process started (through child_process, as execa does) while `body` runs. */
async function spawnedDuring(body: () => Promise<unknown>): Promise<{ file: string; args: string[] }[]> {
  const spawned: { file: string; args: string[] }[] = [];
  const original = { spawn: childProcess.spawn, execFile: childProcess.execFile, fork: childProcess.fork };
  childProcess.spawn = ((file: string, args: string[], ...rest: unknown[]) => {
    spawned.push({ file, args: [...(args ?? [])] });
    return (original.spawn as (...all: unknown[]) => unknown)(file, args, ...rest);
  }) as typeof childProcess.spawn;
  childProcess.execFile = ((file: string, ...rest: unknown[]) => {
    spawned.push({ file, args: [] });
    return (original.execFile as (...all: unknown[]) => unknown)(file, ...rest);
  }) as typeof childProcess.execFile;
  childProcess.fork = ((file: string, ...rest: unknown[]) => {
    spawned.push({ file, args: [] });
    return (original.fork as (...all: unknown[]) => unknown)(file, ...rest);
  }) as typeof childProcess.fork;
  // ES modules (execa among them) see the patched functions only after this.
  syncBuiltinESMExports();
  try {
    await body();
  } finally {
    Object.assign(childProcess, original);
    syncBuiltinESMExports();
  }
  return spawned;
}

describe('the module a .ks import becomes', () => {
  it('inlines the object that is also emitted as <name>-<hash>.bpf.o', async () => {
    const { chunk, assets } = await build();
    expect(assets.map((asset) => asset.fileName)).toEqual([expect.stringMatching(/^counter-[0-9a-f]{8}\.bpf\.o$/)]);
    const object = assets[0]!.source as Uint8Array;
    expect(Buffer.from(object.subarray(0, 4)).toString('latin1')).toBe('\x7fELF');
    expect(chunk.code).toContain(Buffer.from(object).toString('base64'));
    // BTF line info carries the .ks source text, which the verifier prints with its messages.
    expect(Buffer.from(object).toString('latin1')).toContain('packets[0] += 1;');
  });

  it('emits the generated C with emitSources', async () => {
    const { assets } = await build({ emitSources: true });
    expect(assets.map((asset) => asset.fileName).sort()).toEqual([
      expect.stringMatching(/^counter-[0-9a-f]{8}\.bpf\.o$/),
      'kernelscript/counter/Makefile',
      'kernelscript/counter/counter.c',
      'kernelscript/counter/counter.ebpf.c',
    ]);
  });
});

describe('declaration files', () => {
  it('writes the allowArbitraryExtensions form beside the .ks by default, and rewrites it only when changed', async () => {
    await build();
    const path = join(dir, 'counter.d.ks.ts');
    expect(await readFile(path, 'utf8')).toContain('packets: MapHandle<number, bigint>;');
    await expect(stat(join(dir, 'counter.ks.d.ts'))).rejects.toThrow(/ENOENT/);
    const before = (await stat(path)).mtimeMs;
    await build();
    expect((await stat(path)).mtimeMs).toBe(before);
  });

  it('writes the other form on request, or none', async () => {
    await build({ dts: 'ks.d.ts' });
    expect(await readFile(join(dir, 'counter.ks.d.ts'), 'utf8')).toContain('export interface Totals {');
    await expect(stat(join(dir, 'counter.d.ks.ts'))).rejects.toThrow(/ENOENT/);
    await rm(join(dir, 'counter.ks.d.ts'));
    await build({ dts: false });
    await expect(stat(join(dir, 'counter.ks.d.ts'))).rejects.toThrow(/ENOENT/);
  });
});

describe('declaration files at build start', () => {
  it('declares every .ks the filter matches, imported or not, skipping node_modules and broken files', async () => {
    const source = await readFile(COUNTER, 'utf8');
    await mkdir(join(dir, 'src/excluded'), { recursive: true });
    await mkdir(join(dir, 'node_modules/dependency'), { recursive: true });
    await writeFile(join(dir, 'src/later.ks'), source.replace('HashMap(64)', 'HashMap(32)'));
    await writeFile(join(dir, 'src/excluded/other.ks'), source);
    await writeFile(join(dir, 'node_modules/dependency/theirs.ks'), source);
    await writeFile(join(dir, 'src/broken.ks'), 'program broken : xdp {');
    await build({ exclude: '**/excluded/**' });
    expect(await readFile(join(dir, 'src/later.d.ks.ts'), 'utf8')).toContain('readonly maxEntries: 32;');
    for (const file of ['src/excluded/other.d.ks.ts', 'node_modules/dependency/theirs.d.ks.ts', 'src/broken.d.ks.ts']) {
      expect(existsSync(join(dir, file)), file).toBe(false);
    }
    // The same file the import writes (and `kernelscript types`): only the imported one's was written twice, unchanged.
    await rm(join(dir, 'src/later.d.ks.ts'));
    await execa(process.execPath, [join(REPO, 'packages/compiler/bin/kernelscript.js'), 'types', 'src/later.ks'], { cwd: dir });
    const fromTypes = await readFile(join(dir, 'src/later.d.ks.ts'), 'utf8');
    await rm(join(dir, 'src/later.d.ks.ts'));
    await build({ exclude: '**/excluded/**' });
    expect(await readFile(join(dir, 'src/later.d.ks.ts'), 'utf8')).toBe(fromTypes);
  });
});

describe('declaration files, without a bundler', () => {
  it('`kernelscript types` writes exactly the file the plugin writes', async () => {
    await build();
    const path = join(dir, 'counter.d.ks.ts');
    const fromPlugin = await readFile(path, 'utf8');
    await rm(path);
    const run = await execa(process.execPath, [join(REPO, 'packages/compiler/bin/kernelscript.js'), 'types', '*.ks'], { cwd: dir });
    expect(run.stdout).toContain('wrote counter.d.ks.ts');
    expect(await readFile(path, 'utf8')).toBe(fromPlugin);
  });
});

describe('the ambient fallback, for dts: false', () => {
  it('types every .ks import through unplugin-kernelscript/client', async () => {
    await mkdir(join(dir, 'node_modules/@kernelscript'), { recursive: true });
    await symlink(join(REPO, 'packages/runtime'), join(dir, 'node_modules/@kernelscript/runtime'));
    await symlink(join(REPO, 'packages/unplugin'), join(dir, 'node_modules/unplugin-kernelscript'));
    await writeFile(
      join(dir, 'main.ts'),
      [
        "import { load } from '@kernelscript/runtime';",
        "import counter, { programs } from './counter.ks';",
        'export const kind: string = programs.count!.kind;',
        'export const system = load(counter);',
        '',
      ].join('\n'),
    );
    const tsc = (types: string[]) =>
      writeFile(
        join(dir, 'tsconfig.json'),
        JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types }, files: ['main.ts'] }),
      ).then(() => execa(join(REPO, 'node_modules/.bin/tsc'), ['--noEmit', '-p', dir], { cwd: dir, reject: false }));
    const withFallback = await tsc(['unplugin-kernelscript/client']);
    expect(withFallback.stdout).toBe('');
    expect(withFallback.exitCode).toBe(0);
    // Without it (and without a declaration file) the import has no type at all.
    expect((await tsc([])).stdout).toContain("main.ts(2,35): error TS2307: Cannot find module './counter.ks'");
  }, 60_000);
});

describe('the object cache', () => {
  it('runs clang once for a cold build and zero times for a warm one', async () => {
    const cold = clangInvocations();
    const first = await build();
    expect(clangInvocations() - cold).toBe(1);
    const warm = clangInvocations();
    const second = await build();
    expect(clangInvocations() - warm).toBe(0);
    expect(second.assets[0]!.fileName).toBe(first.assets[0]!.fileName);
  });

  it('spawns only clang for a cold build (never gcc) and no process at all for a warm one', async () => {
    // A clang path this process has not used yet, so the cold build also asks it for the multiarch directory.
    const options = { clang: '/usr/bin/clang' };
    const cold = await spawnedDuring(() => build(options));
    expect(cold.length).toBeGreaterThan(0);
    expect(cold.map((command) => command.file)).toEqual(cold.map(() => '/usr/bin/clang'));
    expect(cold.map((command) => command.args)).toContainEqual(['-print-multiarch']);
    expect(await spawnedDuring(() => build(options))).toEqual([]);
  });

  it('is the one kernelscript build uses: an object the plugin built is not rebuilt by the CLI', async () => {
    await build();
    // The plugin names a .ks outside the working directory by its absolute path (in #line too), so the CLI is given that path.
    const run = await execa(process.execPath, [join(REPO, 'packages/compiler/bin/kernelscript.js'), 'build', join(dir, 'counter.ks'), '-o', 'project', '--cache-dir', join(dir, 'cache')], { cwd: dir, env: { NO_COLOR: '1' } });
    expect(run.stdout).toContain('→ clang: counter.ebpf.c → counter.ebpf.o (unchanged: from the build cache)');
    expect(run.stdout).toContain('→ gcc: counter.c → counter\n');
  });

  it('rebuilds when an option that changes the object changes', async () => {
    await build();
    const before = clangInvocations();
    await build({ cflags: ['-Werror'] });
    expect(clangInvocations() - before).toBe(1);
  });

  it('optimize runs the compiler\'s optimiser: the counter map becomes per-CPU', async () => {
    const plain = await build();
    expect(plain.chunk.code).toContain('BPF_MAP_TYPE_HASH');
    expect(plain.chunk.code).not.toContain('BPF_MAP_TYPE_PERCPU_HASH');
    const before = clangInvocations();
    const optimized = await build({ optimize: true });
    expect(optimized.chunk.code).toContain('BPF_MAP_TYPE_PERCPU_HASH');
    expect(clangInvocations() - before).toBe(1);
  });
});

describe('errors', () => {
  const BROKEN = 'map<u32, u64> packets : HashMap(64);\n\nprogram count : xdp {\n  fn main(ctx: XdpContext) -> XdpAction {\n    packetz[0] += 1;\n    return XDP_PASS;\n  }\n}\n';
  const FRAME = "5 |     packetz[0] += 1;\n  |     ^^^^^^^\n  = help: did you mean 'packets'?";
  type LocatedError = Error & { loc?: unknown; frame?: string; plugin?: string };

  it('fails a Rollup build as a located error: loc (Rollup counts columns from 0), frame, and no plugin stack', async () => {
    await writeFile(join(dir, 'counter.ks'), BROKEN);
    const error = await build().then(() => null, (caught: LocatedError) => caught);
    expect(error?.message).toMatch(/counter\.ks:5:5: error\[KS3001\]: unknown name 'packetz'$/);
    expect(error?.frame).toBe(FRAME);
    expect(error?.loc).toEqual({ file: join(dir, 'counter.ks'), line: 5, column: 4 });
    expect(error?.stack ?? '').not.toMatch(/\n\s+at /);
  });

  it('fails a Vite build with the same column in its header as in the message, the frame, and no plugin stack', async () => {
    await writeFile(join(dir, 'counter.ks'), BROKEN);
    const [{ build: viteBuild }, { default: viteKernelScript }] = await Promise.all([import('vite'), import('../src/vite.js')]);
    const error = await viteBuild({
      root: dir,
      configFile: false,
      logLevel: 'silent',
      plugins: [viteKernelScript({ cacheDir: join(dir, 'cache'), root: dir })],
      build: { ssr: join(dir, 'entry.js'), write: false },
    }).then(() => null, (caught: LocatedError & { errors?: LocatedError[] }) => caught.errors?.[0] ?? caught);
    // Vite prints `file:LINE:COLUMN` from loc as given: 1-based, as the message says.
    expect(error?.loc).toEqual({ file: join(dir, 'counter.ks'), line: 5, column: 5 });
    expect(error?.message).toContain("counter.ks:5:5: error[KS3001]: unknown name 'packetz'");
    expect(error?.frame).toBe(FRAME);
    expect(error?.message).not.toMatch(/at compileError|diagnostics\.js/);
  }, 60_000);

  it('keeps the location and frame in the message text for bundlers that show only text', async () => {
    const { compileError } = await import('../src/core/diagnostics.js');
    const { compile } = await import('@kernelscript/compiler');
    const diagnostics = compile(BROKEN, { filename: 'counter.ks' }).diagnostics;
    for (const framework of ['webpack', 'rspack', 'esbuild']) {
      const error = compileError('/p/counter.ks', 'counter.ks', BROKEN, diagnostics, framework);
      expect(error.message).toBe(`counter.ks:5:5: error[KS3001]: unknown name 'packetz'\n${FRAME}`);
      expect(error.stack).toBe('');
    }
  });

  it('turns compiler warnings into located bundler warnings, or errors with failOnWarnings', async () => {
    await writeFile(join(dir, 'counter.ks'), 'program count : xdp {\n  fn main(ctx: XdpContext) -> XdpAction {\n    return 2;\n  }\n}\n');
    const warnings: string[] = [];
    await build({}, warnings);
    expect(warnings).toEqual([expect.stringMatching(/counter\.ks:3:12: warning\[KS3903\]: returning the integer 2; write XDP_PASS\n3 \| {5}return 2;/)]);
    await expect(build({ failOnWarnings: true })).rejects.toThrow(/counter\.ks:3:12: warning\[KS3903\]: .*\n[^]*failOnWarnings/);
  });

  it('says exactly what to install when clang is missing', async () => {
    await expect(build({ clang: 'kernelscript-no-such-clang' })).rejects.toThrow(
      "'kernelscript-no-such-clang' was not found. Install the toolchain (as root): apt-get install -y clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev",
    );
  });
});

describeKernel('verify: the kernel verifier at build time', () => {
  it('passes an object the verifier accepts, without a warning', async () => {
    const warnings: string[] = [];
    await build({ verify: true }, warnings);
    expect(warnings).toEqual([]);
  });

  it('fails the build with the located refusal when the verifier refuses the object', async () => {
    // A loop bounded by a map value: the verifier gives up after 1M instructions, somewhere in the loop (lines 10-12).
    await cp(join(REPO, 'test/analysis/fixtures/unprovable_loop.ks'), join(dir, 'counter.ks'));
    const error = await build({ verify: true }).then(
      () => null,
      (caught: Error & { loc?: { line: number }; frame?: string }) => caught,
    );
    expect(error?.message).toMatch(/counter\.ks:1[0-2]:\d+: error\[KS5001\]: the kernel verifier refused program 'spin': BPF program is too large/);
    expect(error?.frame).toMatch(/^1[0-2] \| {4,6}\S/);
    expect(error?.frame).toContain('help: the verifier could not prove the loop ends');
    expect(error?.loc).toMatchObject({ file: join(dir, 'counter.ks'), line: expect.any(Number) });
    expect(error?.loc?.line).toBeGreaterThanOrEqual(10);
    expect(error?.loc?.line).toBeLessThanOrEqual(12);
  }, 60_000);
});
