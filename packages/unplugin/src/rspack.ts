/**
 * rspack plugin: `import KernelScript from 'unplugin-kernelscript/rspack'`.
 * See the README's rspack section for the config.
 */
import { createRspackPlugin } from 'unplugin';
import { unpluginFactory } from './factory.js';

export default createRspackPlugin(unpluginFactory);
