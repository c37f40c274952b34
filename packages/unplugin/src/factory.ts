// The plugin itself, one factory for every bundler unplugin supports. It
// lives apart from index.ts so that each adapter entry (vite.ts, ...) takes
// only unplugin's adapter for its own bundler.
//
// A bundler config imports the plugin for every command, most of which never
// touch a `.ks` file: the compiler, the declaration writer and the verifier
// are imported when the first `.ks` module is compiled, not before.
import { readFile } from 'node:fs/promises';
import type { UnpluginFactory } from 'unplugin';
import type { CompiledModule } from './core/compile-module.js';
import { ModuleMemo } from './core/module-memo.js';
import { resolveOptions, type Options } from './core/options.js';

export const unpluginFactory: UnpluginFactory<Options | undefined, false> = (rawOptions, meta) => {
  const options = resolveOptions(rawOptions, meta.framework);
  const memo = new ModuleMemo();
  // Vite's dev server has no output directory to emit assets into.
  let viteDevServer = false;
  let root = options.root ?? process.cwd();
  /** `.ks` path → the source whose declarations this instance wrote at build start. */
  const declared = new Map<string, string>();

  /** Compiles, verifies and declares a `.ks` whose content this build has not seen yet. */
  async function compileChanged(path: string, source: string, warn: (message: string) => void): Promise<CompiledModule> {
    const { compileModule } = await import('./core/compile-module.js');
    const module = await compileModule(path, source, options);
    if (options.verify) {
      const { verifyInKernel } = await import('./core/verify.js');
      const skipped = await verifyInKernel(path, source, module, options.framework);
      if (skipped !== null) warn(`kernelscript: verify skipped for ${module.name}: ${skipped}`);
    }
    if (options.dtsForm !== null) {
      const { writeDeclaration } = await import('@kernelscript/compiler/driver/declarations');
      await writeDeclaration(path, module, options.dtsForm);
    }
    memo.set(path, source, module);
    return module;
  }

  return {
    name: 'unplugin-kernelscript',
    enforce: 'pre',
    async buildStart() {
      const { dtsForm } = options;
      if (dtsForm === null) return;
      const { declareProject } = await import('./core/declare-project.js');
      await declareProject(root, { ...options, dtsForm }, declared);
    },
    loadInclude: (id) => options.filter(stripQuery(id)),
    async load(id) {
      const path = stripQuery(id);
      // Rollup and Vite watch a loaded id already; webpack, rspack and esbuild learn of the file here.
      this.addWatchFile(path);
      const source = await readFile(path, 'utf8');
      const module = memo.get(path, source) ?? (await compileChanged(path, source, (message) => this.warn(message)));
      for (const warning of module.warnings) this.warn(warning);
      if (!viteDevServer) {
        this.emitFile({ type: 'asset', fileName: module.objectFileName, source: module.object });
        if (options.emitSources) {
          for (const file of module.sources) {
            this.emitFile({ type: 'asset', fileName: `kernelscript/${module.name}/${file.path}`, source: file.contents });
          }
        }
      }
      return module.code;
    },
    vite: {
      configResolved(config) {
        viteDevServer = config.command === 'serve';
        root = options.root ?? config.root;
      },
    },
  };
};

/** Vite and webpack may append `?query` to module ids; the file is what precedes it. */
function stripQuery(id: string): string {
  const query = id.indexOf('?');
  return query === -1 ? id : id.slice(0, query);
}
