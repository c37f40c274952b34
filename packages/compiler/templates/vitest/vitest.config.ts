// Vitest runs on Vite: the plugin compiles each imported .ks file (clang builds the object).
import KernelScript from 'unplugin-kernelscript/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [KernelScript()],
  test: { testTimeout: 60_000 },
});
