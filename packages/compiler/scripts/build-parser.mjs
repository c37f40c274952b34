// Generates the peggy parser as an ES module next to the grammar, so the
// compiler core imports a plain function and never runs peggy at run time.
//
// The expression rule is memoized. Several alternatives of the grammar begin
// with an expression (an assignment or an expression statement, a block's
// last statement or its value, `[v; n]` or `[a, b]`, a call with type
// arguments or a comparison); when the first fails, the next parses the same
// expression again, and nested, that doubles per level — exponential time.
// With each expression parsed at most once per position, parse time stays
// linear whatever the input. Peggy's own `cache` option memoizes every rule
// and measured 2-3x slower with 5x the memory, so only this one rule is.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import peggy from 'peggy';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const grammarPath = join(root, 'src/phases/1-parse/grammar.peggy');
const outPath = join(root, 'src/phases/1-parse/parser.generated.js');
const generated = peggy.generate(readFileSync(grammarPath, 'utf8'), {
  output: 'source',
  format: 'es',
  grammarSource: 'grammar.peggy',
});

const MEMOIZED_RULE = 'Expr';
const declaration = `function peg$parse${MEMOIZED_RULE}() {`;
if (generated.split(declaration).length !== 2) throw new Error(`build-parser: expected one '${declaration}' in peggy's output`);
const source = generated.replace(
  declaration,
  `const peg$memo${MEMOIZED_RULE} = new Map();
  function peg$parse${MEMOIZED_RULE}() {
    const start = peg$currPos;
    const known = peg$memo${MEMOIZED_RULE}.get(start);
    if (known !== undefined) {
      peg$currPos = known.end;
      return known.result;
    }
    const result = peg$parse${MEMOIZED_RULE}$once();
    peg$memo${MEMOIZED_RULE}.set(start, { end: peg$currPos, result });
    return result;
  }

  function peg$parse${MEMOIZED_RULE}$once() {`,
);
// `_` (whitespace and comments) runs between every two tokens, and peggy's
// code for it builds an array of every character it skips: a third of a
// parse's time and garbage. It is scanned by hand instead, exactly as the
// grammar's rule reads it. The rule never fails and records no expectations
// (it is named, so what fails inside it is silent), and nothing reads its value.
const WHITESPACE_RULE = /\n {2}function peg\$parse_\(\) \{\n[\s\S]*?\n {2}\}\n/;
if (!WHITESPACE_RULE.test(source)) throw new Error("build-parser: expected peggy's function for the rule _");
const scanned = source.replace(
  WHITESPACE_RULE,
  `
  const peg$skipped = [];
  function peg$parse_() {
    for (;;) {
      const char = input.charCodeAt(peg$currPos);
      if (char === 32 || char === 9 || char === 13 || char === 10) {
        peg$currPos++;
      } else if (char === 47 && input.charCodeAt(peg$currPos + 1) === 47) {
        const end = input.indexOf('\\n', peg$currPos + 2);
        peg$currPos = end === -1 ? input.length : end;
      } else if (char === 47 && input.charCodeAt(peg$currPos + 1) === 42) {
        const end = input.indexOf('*/', peg$currPos + 2);
        if (end === -1) return peg$skipped; // not a comment: the rule stops before it
        peg$currPos = end + 2;
      } else {
        return peg$skipped;
      }
    }
  }
`,
);
mkdirSync(dirname(outPath), { recursive: true });
writeFileSync(outPath, `// Generated from grammar.peggy by scripts/build-parser.mjs. Do not edit.\n${scanned}`);
