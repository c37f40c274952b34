import { defineConfig } from 'rolldown';
import KernelScript from 'unplugin-kernelscript/rolldown';

export default defineConfig({
  input: 'src/main.ts',
  platform: 'node',
  // Lowers `using`, which Node 20 cannot parse.
  transform: { target: 'node20' },
  output: { dir: 'dist', format: 'es' },
  external: ['@kernelscript/runtime'],
  // Bundler resolution without allowArbitraryExtensions: the counter.ks.d.ts form.
  plugins: [KernelScript({ dts: 'ks.d.ts' })],
});
