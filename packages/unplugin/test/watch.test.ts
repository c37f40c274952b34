// Watch mode: editing one `.ks` recompiles that module only (counted through
// the plugin's own instrumentation), and the rebuilt output — a Rollup watch
// bundle, or a Vite dev server's ssrLoadModule — reflects the edit.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { watch, type RollupWatcher, type RollupWatcherEvent } from 'rollup';
import { createServer } from 'vite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clangInvocations, KernelScript, moduleCompilations } from '../src/index.js';

const COUNTER = join(import.meta.dirname, '../../../examples/rollup-app/src/counter.ks');
const TIMEOUT = 60_000;

interface Built {
  first: { maps: Record<string, { maxEntries: number }> };
  second: { maps: Record<string, { maxEntries: number }> };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ks-watch-'));
  await cp(COUNTER, join(dir, 'first.ks'));
  await cp(COUNTER, join(dir, 'second.ks'));
  await writeFile(join(dir, 'entry.js'), "export { default as first } from './first.ks';\nexport { default as second } from './second.ks';\n");
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** Rewrites `packets`' capacity in a copy of the counter: a change to the metadata and to the object. */
async function setCapacity(file: string, entries: number): Promise<void> {
  const source = await readFile(join(dir, file), 'utf8');
  await writeFile(join(dir, file), source.replace(/HashMap\(\d+\)/, `HashMap(${entries})`));
}

/** Resolves at the end of the watcher's next build; rejects on a build error. */
function nextBuild(watcher: RollupWatcher): Promise<void> {
  return new Promise((resolve, reject) => {
    const onEvent = (event: RollupWatcherEvent) => {
      if (event.code === 'BUNDLE_END') void event.result.close();
      if (event.code !== 'END' && event.code !== 'ERROR') return;
      watcher.off('event', onEvent);
      if (event.code === 'ERROR') reject(event.error);
      else resolve();
    };
    watcher.on('event', onEvent);
  });
}

describe('Rollup watch', () => {
  it('recompiles only the edited .ks, and the rebuilt bundle carries the edit', async () => {
    const out = join(dir, 'dist');
    const watcher = watch({
      input: join(dir, 'entry.js'),
      plugins: [KernelScript.rollup({ cacheDir: join(dir, 'cache'), root: dir })],
      output: { dir: out, format: 'es' },
      watch: { buildDelay: 50 },
    });
    try {
      const importBuilt = async (): Promise<Built> => import(`${pathToFileURL(join(out, 'entry.js')).href}?t=${Date.now()}`);
      const compiles = moduleCompilations();
      await nextBuild(watcher);
      expect(moduleCompilations() - compiles).toBe(2);

      const beforeEdit = { compiles: moduleCompilations(), clang: clangInvocations() };
      const rebuilt = nextBuild(watcher);
      await setCapacity('second.ks', 128);
      await rebuilt;
      expect(moduleCompilations() - beforeEdit.compiles).toBe(1);
      expect(clangInvocations() - beforeEdit.clang).toBe(1);
      const built = await importBuilt();
      expect(built.second.maps.packets!.maxEntries).toBe(128);
      expect(built.first.maps.packets!.maxEntries).toBe(64);
    } finally {
      await watcher.close();
    }
  }, TIMEOUT);
});

describe('Vite dev server (SSR)', () => {
  it('ssrLoadModule sees an edit to the .ks, recompiling only that module', async () => {
    const server = await createServer({
      root: dir,
      configFile: false,
      logLevel: 'silent',
      appType: 'custom',
      server: { middlewareMode: true, hmr: false },
      plugins: [KernelScript.vite({ cacheDir: join(dir, 'cache') })],
    });
    try {
      const load = async () => (await server.ssrLoadModule('/entry.js')) as Built;
      expect((await load()).second.maps.packets!.maxEntries).toBe(64);
      const compiles = moduleCompilations();
      await setCapacity('second.ks', 256);
      // The server's watcher invalidates the module when it sees the write; poll until it has.
      const deadline = Date.now() + 10_000;
      let built = await load();
      while (built.second.maps.packets!.maxEntries !== 256 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        built = await load();
      }
      expect(built.second.maps.packets!.maxEntries).toBe(256);
      expect(built.first.maps.packets!.maxEntries).toBe(64);
      expect(moduleCompilations() - compiles).toBe(1);
    } finally {
      await server.close();
    }
  }, TIMEOUT);
});
