import { resolve } from 'node:path';
import KernelScript from 'unplugin-kernelscript/rspack';

export default {
  mode: 'production',
  target: 'node20',
  entry: './src/main.ts',
  output: { path: resolve('dist'), filename: 'main.js', module: true, library: { type: 'module' }, clean: true },
  experiments: { outputModule: true },
  externalsType: 'module',
  externals: { '@kernelscript/runtime': '@kernelscript/runtime' },
  module: { rules: [{ test: /\.ts$/, loader: 'builtin:swc-loader', options: { jsc: { parser: { syntax: 'typescript' } } } }] },
  optimization: { minimize: false },
  plugins: [KernelScript()],
};
