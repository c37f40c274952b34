/**
 * vite plugin: `import KernelScript from 'unplugin-kernelscript/vite'`.
 * See the README's vite section for the config.
 */
import { createVitePlugin } from 'unplugin';
import { unpluginFactory } from './factory.js';

export default createVitePlugin(unpluginFactory);
