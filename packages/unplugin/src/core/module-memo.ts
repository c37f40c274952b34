// The last compiled module of each `.ks` file, keyed on its content. Watch
// rebuilds (Rollup, Rolldown, webpack, esbuild contexts) call `load` for every
// module again; an unchanged `.ks` is answered from here without compiling,
// so editing one file recompiles only that file.
import { createHash } from 'node:crypto';
import type { CompiledModule } from './compile-module.js';

export class ModuleMemo {
  private readonly entries = new Map<string, { hash: string; module: CompiledModule }>();

  get(path: string, source: string): CompiledModule | null {
    const entry = this.entries.get(path);
    return entry !== undefined && entry.hash === hash(source) ? entry.module : null;
  }

  set(path: string, source: string, module: CompiledModule): void {
    this.entries.set(path, { hash: hash(source), module });
  }
}

function hash(source: string): string {
  return createHash('sha256').update(source).digest('hex');
}
