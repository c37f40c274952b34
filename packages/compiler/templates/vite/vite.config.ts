/// <reference types="vitest/config" />
// A Node library build of src/main.ts with the .ks it imports; Vitest uses this file too.
import KernelScript from 'unplugin-kernelscript/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [KernelScript()],
  // The runtime loads libbpf through koffi's native module: it stays an import.
  ssr: { external: ['@kernelscript/runtime'] },
  // SSR builds emit no assets unless asked; the .bpf.o is this build's product.
  build: { ssr: 'src/main.ts', outDir: 'dist', ssrEmitAssets: true },
  test: { testTimeout: 60_000 },
});
