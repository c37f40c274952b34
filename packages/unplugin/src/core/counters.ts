// How often this process compiled a `.ks` module and ran clang: tests and the
// bench prove with these that the caches skip the work. A module of its own so
// that importing the plugin does not import the compiler to reach them.

let compilations = 0;
let clangRuns = 0;

/** How many times this process has compiled a `.ks` module (KernelScript to C, cached object or not). */
export function moduleCompilations(): number {
  return compilations;
}

/** How many times this process has run clang for an eBPF object. */
export function clangInvocations(): number {
  return clangRuns;
}

export function countCompilation(): void {
  compilations++;
}

export function countClangRun(): void {
  clangRuns++;
}
