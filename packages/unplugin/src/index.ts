// unplugin-kernelscript: `import system from './counter.ks'` in any bundler
// unplugin supports. The factory is in factory.ts; src/<bundler>.ts each
// build their bundler's plugin from it.
import { createUnplugin, type UnpluginInstance } from 'unplugin';
import { unpluginFactory } from './factory.js';
import type { Options } from './core/options.js';

export { unpluginFactory };
export const KernelScript: UnpluginInstance<Options | undefined, false> = createUnplugin(unpluginFactory);
export default KernelScript;

export type { DtsForm, Options } from './core/options.js';
export { KernelScriptError } from './core/errors.js';
export { clangInvocations, moduleCompilations } from './core/counters.js';
