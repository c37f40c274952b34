/**
 * rollup plugin: `import KernelScript from 'unplugin-kernelscript/rollup'`.
 * See the README's rollup section for the config.
 */
import { createRollupPlugin } from 'unplugin';
import { unpluginFactory } from './factory.js';

export default createRollupPlugin(unpluginFactory);
