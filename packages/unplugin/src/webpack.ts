/**
 * webpack plugin: `import KernelScript from 'unplugin-kernelscript/webpack'`.
 * See the README's webpack section for the config.
 */
import { KernelScript } from './index.js';

export default KernelScript.webpack;
