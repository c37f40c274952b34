// The plugin's `btf` option: a .ks that reads kernel structs is compiled
// against the named BTF (the repository's kernel fixture), through a real
// Rollup build, and a BTF file that cannot be read fails the build with the
// located error naming it.
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rollup, type OutputAsset } from 'rollup';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KERNEL_FIXTURE_BTF } from '../../../test/helpers/kernel-fixture.js';
import KernelScript from '../src/rollup.js';

const REPO = join(import.meta.dirname, '../../..');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ks-unplugin-btf-'));
  await cp(join(REPO, 'examples/tcpconnect.ks'), join(dir, 'tcpconnect.ks'));
  await writeFile(join(dir, 'entry.js'), "export { default as tcp } from './tcpconnect.ks';\n");
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function build(btf: string) {
  const bundle = await rollup({ input: join(dir, 'entry.js'), plugins: [KernelScript({ cacheDir: join(dir, 'cache'), root: dir, btf, dts: false, emitSources: true })] });
  try {
    return (await bundle.generate({ format: 'es' })).output;
  } finally {
    await bundle.close();
  }
}

describe('unplugin-kernelscript: the btf option', () => {
  it('compiles kernel types against the named BTF file', async () => {
    const output = await build(KERNEL_FIXTURE_BTF);
    const c = output.find((o): o is OutputAsset => o.type === 'asset' && o.fileName.endsWith('tcpconnect.ebpf.c'))!;
    // The fixture's layout of struct sock_common, CO-RE relocated at load.
    expect(String(c.source)).toContain('struct sock_common___ks {');
    expect(String(c.source)).toContain('BPF_CORE_READ(sk, __sk_common.skc_daddr)');
  });

  it('fails the build with the located error when the BTF file cannot be read', async () => {
    const missing = join(dir, 'missing.btf');
    await expect(build(missing)).rejects.toThrow(`cannot read BTF file '${missing}': ENOENT`);
  });
});
