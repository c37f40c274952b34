import { resolve } from 'node:path';
import KernelScript from 'unplugin-kernelscript/webpack';

export default {
  mode: 'production',
  target: 'node20',
  entry: './src/main.ts',
  output: { path: resolve('dist'), filename: 'main.js', module: true, library: { type: 'module' }, clean: true },
  experiments: { outputModule: true },
  externalsType: 'module',
  externals: { '@kernelscript/runtime': '@kernelscript/runtime' },
  module: { rules: [{ test: /\.ts$/, loader: 'esbuild-loader', options: { target: 'node20' } }] },
  optimization: { minimize: false },
  plugins: [KernelScript()],
};
