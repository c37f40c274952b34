/**
 * esbuild plugin: `import KernelScript from 'unplugin-kernelscript/esbuild'`.
 * See the README's esbuild section for the config.
 */
import { createEsbuildPlugin } from 'unplugin';
import { unpluginFactory } from './factory.js';

export default createEsbuildPlugin(unpluginFactory);
