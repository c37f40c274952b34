// Golden output of every example: the generated eBPF C, coordinator and
// metadata are user-visible, so a change to them must be intended. After an
// intended change, regenerate with
//   UPDATE_GOLDEN=1 pnpm vitest run packages/compiler/test/examples-golden.test.ts
// and read the diff. (multi_programs, the seed, has its own golden test with the Makefile.)
// Kernel types come from the committed kernel fixture, so the output is the same on every machine.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../src/compile.js';
import { fixtureKernelInputs } from '../../../test/helpers/kernel-fixture.js';

const repoRoot = join(import.meta.dirname, '../../..');
const goldenRoot = join(import.meta.dirname, 'golden/examples');
const examples = readdirSync(join(repoRoot, 'examples')).filter((f) => f.endsWith('.ks') && f !== 'multi_programs.ks').sort();

describe.each(examples)('%s', (example) => {
  const filename = `examples/${example}`;
  const result = compile(readFileSync(join(repoRoot, filename), 'utf8'), { filename, kernel: fixtureKernelInputs() });
  const outputs: [string, string][] = [
    ...result.files.filter((f) => f.path !== 'Makefile').map((f): [string, string] => [f.path, f.contents]),
    [`${result.name}.metadata.json`, `${JSON.stringify(result.metadata, (_key, value) => (typeof value === 'bigint' ? `${value}n` : value), 2)}\n`],
  ];

  it('compiles', () => expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]));

  it.each(outputs)('matches golden %s', (path, contents) => {
    const golden = join(goldenRoot, result.name, path);
    if (process.env.UPDATE_GOLDEN) {
      mkdirSync(join(goldenRoot, result.name), { recursive: true });
      writeFileSync(golden, contents);
    }
    expect(contents).toBe(readFileSync(golden, 'utf8'));
  });
});
