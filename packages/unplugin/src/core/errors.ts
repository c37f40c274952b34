// The error the plugin fails a build with. Apart from its formatting
// (diagnostics.ts), which needs the compiler: importing the plugin must not.

/**
 * A `.ks` file failed to compile. `id`, `loc` and `frame` are what Rollup,
 * Vite and Rolldown show as a located error. It has no stack: the plugin's
 * call frames say nothing about the user's `.ks`.
 */
export class KernelScriptError extends Error {
  override readonly name = 'KernelScriptError';
  readonly plugin = 'kernelscript';

  constructor(
    message: string,
    readonly id: string,
    readonly loc: { file: string; line: number; column: number } | undefined,
    readonly frame?: string,
  ) {
    super(message);
    this.stack = '';
  }
}
