/**
 * vite plugin: `import KernelScript from 'unplugin-kernelscript/vite'`.
 * See the README's vite section for the config.
 */
import { KernelScript } from './index.js';

export default KernelScript.vite;
