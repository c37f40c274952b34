// The plugin core through a real in-process Rollup build: the module it
// produces, the asset, the declaration files, the cache, and the errors.
import { cp, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rollup, type OutputAsset, type OutputChunk } from 'rollup';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clangInvocations, type Options } from '../src/index.js';
import KernelScript from '../src/rollup.js';

const COUNTER = join(import.meta.dirname, '../../../examples/rollup-app/src/counter.ks');

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
    plugins: [KernelScript({ cacheDir: join(dir, 'cache'), ...options })],
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

describe('the module a .ks import becomes', () => {
  it('inlines the object that is also emitted as <name>-<hash>.bpf.o', async () => {
    const { chunk, assets } = await build();
    expect(assets.map((asset) => asset.fileName)).toEqual([expect.stringMatching(/^counter-[0-9a-f]{8}\.bpf\.o$/)]);
    const object = assets[0]!.source as Uint8Array;
    expect(Buffer.from(object.subarray(0, 4)).toString('latin1')).toBe('\x7fELF');
    expect(chunk.code).toContain(Buffer.from(object).toString('base64'));
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

  it('rebuilds when an option that changes the object changes', async () => {
    await build();
    const before = clangInvocations();
    await build({ optimize: 1 });
    expect(clangInvocations() - before).toBe(1);
  });
});

describe('errors', () => {
  it('fails the build with the file, line, column and code frame in the message', async () => {
    await writeFile(join(dir, 'counter.ks'), 'map<u32, u64> packets : HashMap(64);\n\nprogram count : xdp {\n  fn main(ctx: XdpContext) -> XdpAction {\n    packetz[0] += 1;\n    return XDP_PASS;\n  }\n}\n');
    const error = await build().then(
      () => null,
      (caught: Error & { loc?: unknown }) => caught,
    );
    expect(error?.message).toMatch(/counter\.ks:5:5: error: .*packetz/);
    expect(error?.message).toContain('5 |     packetz[0] += 1;');
    expect(error?.message).toContain('  |     ^^^^^^^');
    expect(error?.loc).toEqual({ file: join(dir, 'counter.ks'), line: 5, column: 4 });
  });

  it('turns compiler warnings into located bundler warnings, or errors with failOnWarnings', async () => {
    await writeFile(join(dir, 'counter.ks'), 'program count : xdp {\n  fn main(ctx: XdpContext) -> XdpAction {\n    return 2;\n  }\n}\n');
    const warnings: string[] = [];
    await build({}, warnings);
    expect(warnings).toEqual([expect.stringMatching(/counter\.ks:3:12: warning: returning the integer 2; write XDP_PASS\n3 \| {5}return 2;/)]);
    await expect(build({ failOnWarnings: true })).rejects.toThrow(/counter\.ks:3:12: warning: .*\n[^]*failOnWarnings/);
  });

  it('says exactly what to install when clang is missing', async () => {
    await expect(build({ clang: 'kernelscript-no-such-clang' })).rejects.toThrow(
      "'kernelscript-no-such-clang' was not found. Install the toolchain (as root): apt-get install -y clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev",
    );
  });
});
