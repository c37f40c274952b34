/**
 * esbuild plugin: `import KernelScript from 'unplugin-kernelscript/esbuild'`.
 * See the README's esbuild section for the config.
 */
import { KernelScript } from './index.js';

export default KernelScript.esbuild;
