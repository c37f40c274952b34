// Bundles each entry (index and the six adapters) with its dependencies into
// dist/bundle/, one file each, so each adapter takes only its own part of
// unplugin. A bundler config imports the plugin on every
// run; through the ES module loader that meant ~25 files (unplugin's chunks,
// its source-map and glob libraries, @rollup/pluginutils, ours), and the
// loader's per-file cost was most of the import. The compiler stays external:
// it is imported when the first .ks is compiled.
//
// unplugin finds its webpack and rspack loaders, and requires
// webpack-virtual-modules, relative to its own files (import.meta.dirname,
// import.meta.url); in the bundle those now name unplugin's installed files,
// so the loaders are the package's own (it stays a dependency).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const ENTRIES = ['index', 'vite', 'rollup', 'esbuild', 'webpack', 'rspack', 'rolldown'];

/** Points unplugin's own import.meta at unplugin's installed files instead of the bundle. */
const unpluginLocation = {
  name: 'unplugin-location',
  setup(build) {
    build.onLoad({ filter: /[\\/]unplugin[\\/]dist[\\/][^\\/]+\.mjs$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('import.meta')) return undefined;
      const prelude = [
        "import { createRequire as __ksCreateRequire } from 'node:module';",
        "import { dirname as __ksDirname } from 'node:path';",
        "import { pathToFileURL as __ksPathToFileURL } from 'node:url';",
        "const __ksUnpluginFile = __ksCreateRequire(import.meta.url).resolve('unplugin');",
        '',
      ].join('\n');
      const contents = source.replaceAll('import.meta.dirname', '__ksDirname(__ksUnpluginFile)').replaceAll('import.meta.url', '__ksPathToFileURL(__ksUnpluginFile).href');
      // The prelude's own import.meta.url is the bundle's: resolving 'unplugin' from unplugin-kernelscript finds its dependency.
      return { contents: prelude + contents, loader: 'js' };
    });
  },
};

/**
 * What stays a module of its own: what is imported lazily (bundled, the compiler it imports
 * would be imported up front), and what the bundles share with those lazy modules and must
 * exist once (the counters; the error class, for instanceof).
 */
const ownModules = {
  name: 'own-modules',
  setup(build) {
    build.onResolve({ filter: /^\.\/core\/(compile-module|declare-project|verify|counters|errors)\.js$/ }, (args) => {
      const file = join(args.resolveDir, args.path);
      return { path: `../${file.slice(join(root, 'dist').length + 1)}`, external: true };
    });
  },
};

await build({
  entryPoints: ENTRIES.map((entry) => join(root, 'dist', `${entry}.js`)),
  outdir: join(root, 'dist/bundle'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['@kernelscript/compiler', '@kernelscript/compiler/*'],
  plugins: [ownModules, unpluginLocation],
  // Chunks of dependencies need `require` for their CommonJS parts (picomatch).
  banner: { js: "import { createRequire as __ksRequire } from 'node:module'; const require = __ksRequire(import.meta.url);" },
  logLevel: 'warning',
});
