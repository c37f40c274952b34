// One `.ks` file → everything the bundler needs: the ES module text, its
// declarations, and the eBPF object (from the cache, or built with clang).
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { isAbsolute, relative } from 'node:path';
import { compile, generateJsModule, type CompileResult, type GeneratedFile, type SystemAnalysis, type SystemMetadata } from '@kernelscript/compiler';
import { cachedBpfObject } from '@kernelscript/compiler/driver/build-cache';
import { kernelInputs } from '@kernelscript/compiler/driver/kernel-inputs';
import { countClangRun, countCompilation } from './counters.js';
import { compileError, formatWarnings } from './diagnostics.js';
import { KernelScriptError } from './errors.js';
import type { ResolvedOptions } from './options.js';

export interface CompiledModule {
  /** The system's name (`counter` for `counter.ks`). */
  name: string;
  /** The `.ks` path as diagnostics name it: relative to the project when inside it. */
  filename: string;
  /** The ES module the import becomes. */
  code: string;
  metadata: SystemMetadata;
  analysis: SystemAnalysis;
  object: Uint8Array;
  /** `<name>-<hash>.bpf.o`: the asset name, changing whenever the object does. */
  objectFileName: string;
  /** The generated C and Makefile (for `emitSources`). */
  sources: GeneratedFile[];
  /** Formatted warnings, location and code frame included. */
  warnings: string[];
}

/** KernelScript → C and metadata, with the file named as diagnostics show it; the same for modules and declarations. */
export function compileSource(id: string, source: string, options: ResolvedOptions): { displayName: string; result: CompileResult } {
  // Diagnostics and #line directives name the file relative to the project, as the user sees it.
  const fromProject = relative(process.cwd(), id);
  const displayName = fromProject.startsWith('..') || isAbsolute(fromProject) ? id : fromProject;
  return { displayName, result: compile(source, { filename: displayName, cpus: availableParallelism(), optimize: options.optimize, kernel: kernelInputs({ btf: options.btf }) }) };
}

export async function compileModule(id: string, source: string, options: ResolvedOptions): Promise<CompiledModule> {
  countCompilation();
  const { displayName, result } = compileSource(id, source, options);
  if (!result.ok || result.metadata === null || result.analysis === null) throw compileError(id, displayName, source, result.diagnostics, options.framework);
  const warnings = formatWarnings(displayName, source, result.diagnostics);
  if (options.failOnWarnings && warnings.length > 0) {
    throw new KernelScriptError(`${warnings.join('\n\n')}\n(failOnWarnings is set)`, id, undefined);
  }

  const cSource = result.files.find((file) => file.path === `${result.name}.ebpf.c`)!.contents;
  const { bytes: object, built } = await cachedBpfObject({
    name: result.name,
    cSource,
    ks: { path: displayName, text: source },
    clang: options.clang,
    cflags: options.cflags,
    cacheDir: options.cacheDir,
  });
  if (built) countClangRun();

  const input = { filename: displayName, metadata: result.metadata, analysis: result.analysis };
  const objectSha256 = createHash('sha256').update(object).digest('hex');
  return {
    name: result.name,
    filename: displayName,
    code: generateJsModule({ ...input, object, objectSha256 }),
    metadata: result.metadata,
    analysis: result.analysis,
    object,
    objectFileName: `${result.name}-${objectSha256.slice(0, 8)}.bpf.o`,
    sources: result.files,
    warnings,
  };
}
