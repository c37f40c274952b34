// At build start, the declaration file of every `.ks` the plugin would
// compile, imported yet or not: `tsc`, editors and a first `tsc && vite build`
// then know each `.ks` module's types without waiting for its import to be built.
import { readFile } from 'node:fs/promises';
import { glob } from 'tinyglobby';
import type { ResolvedOptions } from './options.js';

/**
 * Declares every `.ks` under `root` that the include/exclude filter matches
 * (node_modules and dot-directories skipped), each once per content: `declared`
 * remembers what this plugin instance already declared, for watch rebuilds.
 * A file that does not compile is skipped: its errors fail the build where it
 * is imported (unplugin's build-start context has no warnings to report them).
 */
export async function declareProject(
  root: string,
  options: ResolvedOptions & { dtsForm: NonNullable<ResolvedOptions['dtsForm']> },
  declared: Map<string, string>,
): Promise<void> {
  const files = (await glob('**/*.ks', { cwd: root, absolute: true, ignore: ['**/node_modules/**', '**/.*/**'] })).filter(options.filter);
  if (files.length === 0) return;
  // The compiler is imported only when there is a `.ks` to declare.
  const [{ compileSource }, { writeDeclaration }] = await Promise.all([
    import('./compile-module.js'),
    import('@kernelscript/compiler/driver/declarations'),
  ]);
  await Promise.all(
    files.map(async (path) => {
      const source = await readFile(path, 'utf8');
      if (declared.get(path) === source) return;
      const { displayName, result } = compileSource(path, source, options);
      if (!result.ok || result.metadata === null || result.analysis === null) return;
      await writeDeclaration(path, { filename: displayName, metadata: result.metadata, analysis: result.analysis }, options.dtsForm);
      declared.set(path, source);
    }),
  );
}
