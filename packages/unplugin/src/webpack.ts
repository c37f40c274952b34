/**
 * webpack plugin: `import KernelScript from 'unplugin-kernelscript/webpack'`.
 * See the README's webpack section for the config.
 */
import { createWebpackPlugin } from 'unplugin';
import { unpluginFactory } from './factory.js';

export default createWebpackPlugin(unpluginFactory);
