import esbuild from 'rollup-plugin-esbuild';
import KernelScript from 'unplugin-kernelscript/rollup';

export default {
  input: 'src/main.ts',
  output: { dir: 'dist', format: 'es', banner: '#!/usr/bin/env node' },
  // The runtime loads libbpf through koffi's native module: it stays a run-time dependency.
  external: ['@kernelscript/runtime', /^node:/],
  plugins: [KernelScript(), esbuild({ target: 'node20' })],
};
