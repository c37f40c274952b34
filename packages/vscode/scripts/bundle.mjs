// Bundles the extension and its language server (with the compiler) into
// dist/, so the .vsix needs no node_modules and nothing from the network.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node18', logLevel: 'warning', legalComments: 'none' };

await Promise.all([
  // VS Code provides `vscode` at run time.
  build({ ...common, entryPoints: [join(root, 'src/extension.ts')], outfile: join(root, 'dist/extension.cjs'), external: ['vscode'] }),
  build({ ...common, entryPoints: [join(root, 'src/server.ts')], outfile: join(root, 'dist/server.cjs'), define: { EXTENSION_VERSION: JSON.stringify(version) } }),
]);
