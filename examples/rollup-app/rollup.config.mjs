import esbuild from 'rollup-plugin-esbuild';
import KernelScript from 'unplugin-kernelscript/rollup';

export default {
  input: 'src/main.ts',
  output: { dir: 'dist', format: 'es' },
  external: ['@kernelscript/runtime'],
  plugins: [KernelScript(), esbuild({ target: 'node20' })],
};
