// Every example app built by its real bundler (`pnpm run build`): the .bpf.o
// asset exists and passes the kernel verifier, the built output exports the
// typed module and runs it through @kernelscript/runtime, and `tsc` accepts
// the consumer and rejects a wrong key type.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeKernel, loadAll, withPinDir } from '../../../test/helpers/kernel.js';

const EXAMPLES = join(import.meta.dirname, '../../../examples');
const BUNDLERS = ['vite', 'rollup', 'esbuild', 'webpack', 'rspack', 'rolldown'] as const;
const TIMEOUT = 120_000;

interface BuiltApp {
  countPackets(packets: Uint8Array[], pinRoot?: string): { packets: bigint; totals: { packets: bigint; bytes: bigint } };
  counter: {
    metadata: { name: string };
    maps: Record<string, { kind: string; key: unknown; value: unknown }>;
    programs: Record<string, { kind: string; section: string }>;
    analysis: { programs: { name: string; maps: string[] }[] };
    object: Uint8Array;
  };
}

beforeAll(async () => {
  // The apps import the plugin's published entries (dist), so build them from the current source.
  await execa('pnpm', ['--filter', 'unplugin-kernelscript', 'run', 'build'], { cwd: EXAMPLES });
}, TIMEOUT);

async function objectAsset(app: string): Promise<string> {
  const objects = (await readdir(join(app, 'dist'))).filter((name) => name.endsWith('.bpf.o'));
  expect(objects).toEqual([expect.stringMatching(/^counter-[0-9a-f]{8}\.bpf\.o$/)]);
  return join(app, 'dist', objects[0]!);
}

describe.each(BUNDLERS)('examples/%s-app', (bundler) => {
  const app = join(EXAMPLES, `${bundler}-app`);
  let built: BuiltApp;

  beforeAll(async () => {
    await rm(join(app, 'dist'), { recursive: true, force: true });
    await execa('pnpm', ['run', 'build'], { cwd: app });
    built = await import(`${pathToFileURL(join(app, 'dist/main.js')).href}?t=${Date.now()}`);
  }, TIMEOUT);

  it('writes the eBPF object into the output as <name>-<hash>.bpf.o, the same bytes the module carries', async () => {
    const asset = await objectAsset(app);
    expect(new Uint8Array(await readFile(asset))).toEqual(built.counter.object);
  });

  it('exports the typed module: maps, programs, analysis', () => {
    const { counter } = built;
    expect(counter.metadata.name).toBe('counter');
    expect(counter.programs.count).toMatchObject({ kind: 'xdp', section: 'xdp' });
    expect(counter.maps.packets).toMatchObject({ kind: 'hash_map', key: { name: 'u32' }, value: { name: 'u64' } });
    expect(counter.maps.totals).toMatchObject({ kind: 'array', value: { kind: 'struct', name: 'Totals', size: 16 } });
    expect(counter.analysis.programs).toEqual([expect.objectContaining({ name: 'count', maps: ['packets', 'totals'] })]);
  });

  it('type-checks the consumer', async () => {
    const result = await execa('pnpm', ['exec', 'tsc', '--noEmit', '-p', 'tsconfig.json'], { cwd: app, reject: false });
    expect(result.stdout).toBe('');
    expect(result.exitCode).toBe(0);
  }, TIMEOUT);

  it('rejects a wrong key type with TS2345', async () => {
    const dir = join(app, '.type-test-wrong-key');
    await mkdir(dir, { recursive: true });
    try {
      await writeFile(
        join(dir, 'wrong-key.ts'),
        [
          "import { load } from '@kernelscript/runtime';",
          "import counter, { type Maps } from '../src/counter.ks';",
          'const system = load<Maps>(counter);',
          "export const wrong = system.maps.packets.get('0');",
          '',
        ].join('\n'),
      );
      await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ extends: '../tsconfig.json', include: ['wrong-key.ts'] }));
      const result = await execa('pnpm', ['exec', 'tsc', '--noEmit', '-p', dir], { cwd: app, reject: false });
      expect(result.exitCode).not.toBe(0);
      expect(result.stdout).toContain(
        "wrong-key.ts(4,46): error TS2345: Argument of type 'string' is not assignable to parameter of type 'number'.",
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, TIMEOUT);

  describeKernel('in the kernel', () => {
    it('passes the verifier', async () => {
      const asset = await objectAsset(app);
      await withPinDir(async (pinDir) => {
        const loaded = await loadAll(asset, pinDir);
        expect(Object.keys(loaded.programs)).toEqual(['count']);
      });
    });

    it('runs through @kernelscript/runtime from the built output, with typed map reads', async () => {
      await withPinDir(async (pinDir) => {
        const result = built.countPackets([new Uint8Array(64), new Uint8Array(100)], pinDir);
        expect(result).toEqual({ packets: 2n, totals: { packets: 2n, bytes: 164n } });
      });
    });
  });
});
