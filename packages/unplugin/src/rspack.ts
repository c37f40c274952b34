/**
 * rspack plugin: `import KernelScript from 'unplugin-kernelscript/rspack'`.
 * See the README's rspack section for the config.
 */
import { KernelScript } from './index.js';

export default KernelScript.rspack;
