// The `.ks` files that command-line patterns name: globs, files and
// directories (which stand for every .ks under them), outside node_modules.
import { glob } from 'tinyglobby';

export async function findKsFiles(patterns: string[]): Promise<string[]> {
  // Dependencies' .ks files are not the project's to rewrite or write beside.
  return (await glob(patterns, { onlyFiles: true, ignore: ['**/node_modules/**'] })).filter((file) => file.endsWith('.ks')).sort();
}

export function noMatchMessage(command: string, patterns: string[]): string {
  return `kernelscript ${command}: no .ks file matches ${patterns.map((pattern) => `'${pattern}'`).join(' ')}\n`;
}
