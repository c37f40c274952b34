// The plugin's options, their defaults, and the resolved form the core uses.
import { resolve } from 'node:path';
import { createFilter, type FilterPattern } from '@rollup/pluginutils';
import type { DtsForm } from '@kernelscript/compiler/driver/declarations';

export type { DtsForm };

export interface Options {
  /** Files to compile. Default `**\/*.ks`. */
  include?: FilterPattern;
  /** Files to leave alone. Default none. */
  exclude?: FilterPattern;
  /** The clang that builds the eBPF object. Default `clang` from PATH. */
  clang?: string;
  /** Extra clang flags for the eBPF object, after the project's own (e.g. `['-Werror']`). */
  cflags?: string[];
  /** Run the compiler's optimiser (`kernelscript --optimize`): per-CPU counters, constant folding, dead branches. Default false. */
  optimize?: boolean;
  /**
   * Write a declaration file beside every `.ks` file (only when its content changed).
   * `true` (default) = `'d.ks.ts'`: `x.d.ks.ts`, TypeScript's `allowArbitraryExtensions`
   * form, which works under `nodenext` and `bundler` resolution with that flag set.
   * `'ks.d.ts'`: `x.ks.d.ts`, for `bundler` resolution without the flag (do not write both:
   * with both present, `bundler` resolution picks `x.d.ks.ts` and then demands the flag).
   * `false`: none (use the ambient `unplugin-kernelscript/client` types).
   */
  dts?: boolean | DtsForm;
  /**
   * Where the build looks, when it starts, for `.ks` files to declare (with `dts`): every file
   * under it that `include`/`exclude` match gets its declaration file, imported yet or not.
   * Default: Vite's `root`, else the working directory.
   */
  root?: string;
  /** Where built objects are cached across builds. Default `node_modules/.cache/kernelscript`. */
  cacheDir?: string;
  /** Also emit the generated C and Makefile as assets under `kernelscript/<name>/`. Default false. */
  emitSources?: boolean;
  /**
   * Load every program of each built object into the kernel verifier at build time. A refusal fails
   * the build with the `.ks` line it traces to. Needs root; otherwise a warning says it was skipped. Default false.
   */
  verify?: boolean;
  /** Treat KernelScript warnings as errors. Default false. */
  failOnWarnings?: boolean;
  /**
   * The BTF of the kernel the programs are built for: kernel structs (`*task_struct`),
   * typed probes and tracepoints are compiled against it (CO-RE relocates them on other
   * kernels). Read only by modules that use kernel types. Default `/sys/kernel/btf/vmlinux`.
   */
  btf?: string;
}

export interface ResolvedOptions {
  filter: (id: string) => boolean;
  /** The bundler (unplugin's `meta.framework`): how it shows a located error. */
  framework: string;
  clang: string;
  cflags: string[];
  optimize: boolean;
  dtsForm: DtsForm | null;
  root: string | undefined;
  cacheDir: string;
  emitSources: boolean;
  verify: boolean;
  failOnWarnings: boolean;
  /** Absolute path of the BTF file; undefined for the running kernel's. */
  btf: string | undefined;
}

export function resolveOptions(options: Options = {}, framework = 'rollup'): ResolvedOptions {
  const dts = options.dts ?? true;
  return {
    filter: createFilter(options.include ?? '**/*.ks', options.exclude),
    framework,
    clang: options.clang ?? 'clang',
    cflags: options.cflags ?? [],
    optimize: options.optimize ?? false,
    dtsForm: dts === true ? 'd.ks.ts' : dts === false ? null : dts,
    root: options.root === undefined ? undefined : resolve(options.root),
    cacheDir: resolve(options.cacheDir ?? 'node_modules/.cache/kernelscript'),
    emitSources: options.emitSources ?? false,
    verify: options.verify ?? false,
    failOnWarnings: options.failOnWarnings ?? false,
    btf: options.btf === undefined ? undefined : resolve(options.btf),
  };
}
