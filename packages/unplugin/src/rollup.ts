/**
 * rollup plugin: `import KernelScript from 'unplugin-kernelscript/rollup'`.
 * See the README's rollup section for the config.
 */
import { KernelScript } from './index.js';

export default KernelScript.rollup;
