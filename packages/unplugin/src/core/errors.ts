// The error the plugin fails a build with. Apart from its formatting
// (diagnostics.ts), which needs the compiler: importing the plugin must not.

/** A `.ks` file failed to compile. `id` and `loc` are what Rollup, Vite and Rolldown read. */
export class KernelScriptError extends Error {
  override readonly name = 'KernelScriptError';
  readonly plugin = 'kernelscript';

  constructor(
    message: string,
    readonly id: string,
    readonly loc: { file: string; line: number; column: number } | undefined,
  ) {
    super(message);
  }
}
