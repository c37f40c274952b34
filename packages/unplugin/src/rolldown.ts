/**
 * rolldown plugin: `import KernelScript from 'unplugin-kernelscript/rolldown'`.
 * See the README's rolldown section for the config.
 */
import { KernelScript } from './index.js';

export default KernelScript.rolldown;
