import KernelScript from 'unplugin-kernelscript/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  // Bundler resolution without allowArbitraryExtensions: the counter.ks.d.ts form.
  plugins: [KernelScript({ dts: 'ks.d.ts' })],
  // A Node library build: the runtime (libbpf through koffi) stays an import.
  ssr: { external: ['@kernelscript/runtime'] },
  // SSR builds emit no assets unless asked; the .bpf.o is this build's product.
  build: { ssr: 'src/main.ts', outDir: 'dist', ssrEmitAssets: true },
});
