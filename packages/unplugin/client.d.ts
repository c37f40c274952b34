// Ambient fallback for projects that turn the plugin's `dts` option off:
// reference it with `/// <reference types="unplugin-kernelscript/client" />`
// or `"types": ["unplugin-kernelscript/client"]`. Every `.ks` import is then
// typed by the general metadata shapes instead of the file's exact ones.
declare module '*.ks' {
  import type { SystemMetadata } from '@kernelscript/runtime';

  export const metadata: SystemMetadata;
  export const programs: SystemMetadata['programs'];
  export const maps: SystemMetadata['maps'];
  export const config: SystemMetadata['config'];
  /** The compiler's analysis (the SystemAnalysis schema of `kernelscript --json`). */
  export const analysis: unknown;
  /** The compiled eBPF object (ELF bytes). */
  export const object: Uint8Array;
  const system: {
    readonly metadata: typeof metadata;
    readonly programs: typeof programs;
    readonly maps: typeof maps;
    readonly config: typeof config;
    readonly analysis: typeof analysis;
    readonly object: typeof object;
  };
  export default system;
}
