// Generates the peggy parser as an ES module next to the grammar, so the
// compiler core imports a plain function and never runs peggy at run time.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import peggy from 'peggy';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const grammarPath = join(root, 'src/phases/1-parse/grammar.peggy');
const outPath = join(root, 'src/phases/1-parse/parser.generated.js');
const source = peggy.generate(readFileSync(grammarPath, 'utf8'), {
  output: 'source',
  format: 'es',
  grammarSource: 'grammar.peggy',
});
mkdirSync(dirname(outPath), { recursive: true });
writeFileSync(outPath, `// Generated from grammar.peggy by scripts/build-parser.mjs. Do not edit.\n${source}`);
