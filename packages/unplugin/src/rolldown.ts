/**
 * rolldown plugin: `import KernelScript from 'unplugin-kernelscript/rolldown'`.
 * See the README's rolldown section for the config.
 */
import { createRolldownPlugin } from 'unplugin';
import { unpluginFactory } from './factory.js';

export default createRolldownPlugin(unpluginFactory);
