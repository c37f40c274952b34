// docs/diagnostics.md cannot drift: it documents exactly the codes of
// diagnostics/codes.ts, every code is emitted somewhere in the compiler, and
// every example prints what the page says it prints.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import { DIAGNOSTIC_CODES } from '../../src/diagnostics/codes.js';
import { formatDiagnostic } from '../../src/diagnostics/format.js';
import { fixtureKernelInputs } from '../../../../test/helpers/kernel-fixture.js';

const root = join(import.meta.dirname, '../../../..');
const SRC = join(root, 'packages/compiler/src');
const PAGE = join(root, 'docs/diagnostics.md');
const page = readFileSync(PAGE, 'utf8');
// UPDATE_DIAGNOSTICS_DOC=1 writes what each example prints into the page instead of comparing.
const update = process.env.UPDATE_DIAGNOSTICS_DOC === '1';

interface Section {
  code: string;
  title: string;
  notCompiled: boolean;
  source: string | null;
  output: string | null;
}

function sections(): Section[] {
  return page
    .split(/^### /m)
    .slice(1)
    .map((text) => {
      const [, code, title] = /^(KS\d{4}): (.*)$/m.exec(text) ?? [];
      return {
        code: code ?? text.split('\n')[0]!,
        title: title ?? '',
        notCompiled: text.includes('<!-- not compiled:'),
        source: /```ks\n([\s\S]*?)```/.exec(text)?.[1] ?? null,
        output: /```text\n([\s\S]*?)\n```/.exec(text)?.[1] ?? null,
      };
    });
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|peggy)$/.test(entry.name) && !entry.name.endsWith('.generated.js') ? [path] : [];
  });
}

describe('docs/diagnostics.md', () => {
  it('documents every code of the table once, under its title, in order', () => {
    expect(sections().map((s) => `${s.code}: ${s.title}`)).toEqual(Object.entries(DIAGNOSTIC_CODES).map(([code, title]) => `${code}: ${title}`));
  });

  it('every code in the table is emitted by the compiler, and every code emitted is in the table', () => {
    const emitted = new Set<string>();
    for (const file of sourceFiles(SRC)) {
      if (file.endsWith(join('diagnostics', 'codes.ts'))) continue;
      // Quoted: a code in code, not in a comment (the grammar's `error()` messages start with theirs).
      for (const [, code] of readFileSync(file, 'utf8').matchAll(/['"`](KS\d{4})\b/g)) emitted.add(code!);
    }
    expect([...emitted].sort()).toEqual(Object.keys(DIAGNOSTIC_CODES).sort());
  });

  it('only diagnostics that need the kernel verifier, another kernel, a huge file or a compiler bug go without a compiled example', () => {
    expect(sections().filter((s) => s.notCompiled).map((s) => s.code)).toEqual([
      'KS1006', 'KS1007', 'KS5001', 'KS6001', 'KS6002', 'KS6005', 'KS6012', 'KS6013', 'KS6014', 'KS6020', 'KS6021', 'KS9001', 'KS9002',
    ]);
  });

  const printed = new Map<Section, string>();
  for (const section of sections().filter((s) => !s.notCompiled)) {
    it(`${section.code}: the example prints what the page shows`, () => {
      expect(section.source, 'a ```ks example').not.toBeNull();
      const result = compile(section.source!, { filename: 'example.ks', kernel: fixtureKernelInputs() });
      const diagnostic = result.diagnostics.find((d) => d.code === section.code);
      expect(diagnostic, `compiling the example reports ${section.code}; it reported ${result.diagnostics.map((d) => d.code).join(', ') || 'nothing'}`).toBeDefined();
      const text = formatDiagnostic(diagnostic!, 'example.ks', section.source!);
      if (update) printed.set(section, text);
      else expect(text).toBe(section.output);
    });
  }

  if (update) {
    afterAll(() => {
      let text = page;
      for (const [section, output] of printed) {
        const start = text.indexOf(`### ${section.code}:`);
        const block = /```text\n[\s\S]*?\n```/.exec(text.slice(start))!;
        text = text.slice(0, start + block.index) + '```text\n' + output + '\n```' + text.slice(start + block.index + block[0].length);
      }
      writeFileSync(PAGE, text);
    });
  }
});
