// Bundles the CLI with esbuild; the plugin compiles src/counter.ks and
// writes its .bpf.o into dist/ beside main.js.
import { build } from 'esbuild';
import KernelScript from 'unplugin-kernelscript/esbuild';

await build({
  entryPoints: ['src/main.ts'],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outdir: 'dist',
  // Dependencies stay imports: the runtime loads libbpf through koffi's native module.
  packages: 'external',
  banner: { js: '#!/usr/bin/env node' },
  plugins: [KernelScript()],
});
