// Bundles the CLI into one CommonJS file, dist/cli/kernelscript.cjs, which
// bin/kernelscript.js compiles with a V8 code cache. One file instead of the
// ~100 the ES module loader would resolve, read and link one by one; the
// commands the CLI imports dynamically (build, verify, types: the toolchain,
// execa, globbing) become modules in the bundle that initialise on first use.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const outfile = join(root, 'dist/cli/kernelscript.cjs');
const result = await build({
  entryPoints: [join(root, 'dist/driver/cli.js')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // The sources find package.json through import.meta.url; in the bundle it is the bundle's own URL.
  define: { 'import.meta.url': 'bundleUrl' },
  banner: { js: "const bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
  // Less text to read and smaller cached code to deserialize on every run; names are kept
  // because code checks them (cac's CACError) and internal errors should stay readable.
  minify: true,
  keepNames: true,
  metafile: true,
});
const output = Object.values(result.metafile.outputs)[0];
// A dynamic import esbuild could not resolve would stay an import() call, which a vm.Script cannot run.
if (Object.values(output.imports ?? []).some((entry) => entry.kind === 'dynamic-import' && entry.external)) {
  throw new Error('the CLI bundle kept a dynamic import of a file outside it');
}
// The content hash names the bin's code cache; written here once, so no run needs to load crypto and hash ~1 MB.
const bundled = readFileSync(outfile, 'utf8');
writeFileSync(outfile, `// kernelscript CLI bundle ${createHash('sha256').update(bundled).digest('hex')}\n${bundled}`);
