import { build } from 'esbuild';
import KernelScript from 'unplugin-kernelscript/esbuild';

await build({
  entryPoints: ['src/main.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  // Lowers `using`, which Node 20 cannot parse.
  target: 'node20',
  // The plugin writes the .bpf.o asset into `outdir` (esbuild has no asset API for `outfile` builds).
  outdir: 'dist',
  packages: 'external',
  // Bundler resolution without allowArbitraryExtensions: the counter.ks.d.ts form.
  plugins: [KernelScript({ dts: 'ks.d.ts' })],
});
