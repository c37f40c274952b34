// The TextMate grammar, run by vscode-textmate with the oniguruma VS Code
// uses: every example tokenises to the end with its comments, strings,
// numbers and keywords scoped as the compiler's own lexer sees them, and the
// scopes of each construct are kept in a snapshot.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';
import { tokenize } from '../../compiler/src/format/tokens.js';
import { vocabulary } from '../../compiler/src/services/vocabulary.js';
// @ts-expect-error: a plain ES module script without declarations
import { grammar as generatedGrammar, GRAMMAR_PATH } from '../scripts/build-grammar.mjs';

const repoRoot = join(import.meta.dirname, '../../..');
const examples = readdirSync(join(repoRoot, 'examples'))
  .filter((f) => f.endsWith('.ks'))
  .map((f) => join(repoRoot, 'examples', f))
  .concat(join(repoRoot, 'test/language/programs/constructs.ks'));

let grammar: textmate.IGrammar;

beforeAll(async () => {
  const wasm = readFileSync(createRequire(import.meta.url).resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns), createOnigString: (text) => new oniguruma.OnigString(text) }),
    loadGrammar: async (scopeName) => (scopeName === 'source.kernelscript' ? textmate.parseRawGrammar(readFileSync(GRAMMAR_PATH, 'utf8'), GRAMMAR_PATH) : null),
  });
  grammar = (await registry.loadGrammar('source.kernelscript'))!;
});

interface Scoped {
  text: string;
  /** Line (0-based) and column of its start. */
  line: number;
  start: number;
  scopes: string[];
}

function tokenizeText(text: string): { tokens: Scoped[]; endState: textmate.StateStack } {
  let state = textmate.INITIAL;
  const tokens: Scoped[] = [];
  text.split('\n').forEach((line, lineNumber) => {
    const result = grammar.tokenizeLine(line, state);
    for (const token of result.tokens) tokens.push({ text: line.slice(token.startIndex, token.endIndex), line: lineNumber, start: token.startIndex, scopes: token.scopes.slice(1) });
    state = result.ruleStack;
  });
  return { tokens, endState: state };
}

describe('the committed grammar', () => {
  it('is what scripts/build-grammar.mjs writes from the compiler\'s tables', () => {
    expect(JSON.parse(readFileSync(GRAMMAR_PATH, 'utf8'))).toEqual(generatedGrammar());
  });
});

describe.each(examples.map((path) => ({ name: path.slice(repoRoot.length + 1), path })))('tokenising $name', ({ path }) => {
  const source = readFileSync(path, 'utf8');

  it('ends where it started (no comment, string or declaration left open)', () => {
    const atStart = grammar.tokenizeLine('', textmate.INITIAL).ruleStack;
    expect(tokenizeText(source).endState.equals(atStart)).toBe(true);
  });

  it('scopes every comment, string, number and keyword the compiler\'s lexer finds', () => {
    const { tokens } = tokenizeText(source);
    const lineStarts = [0];
    for (let i = 0; i < source.length; i++) if (source[i] === '\n') lineStarts.push(i + 1);
    const scopesAt = (offset: number) => {
      let line = lineStarts.length - 1;
      while (lineStarts[line]! > offset) line--;
      const column = offset - lineStarts[line]!;
      return tokens.find((t) => t.line === line && t.start <= column && column < t.start + t.text.length)?.scopes.join(' ') ?? '';
    };
    const v = vocabulary();
    const expected = (token: ReturnType<typeof tokenize>[number], next: string | undefined, previous: string | undefined): RegExp | null => {
      // After `.`, a keyword is a field name (`icmp.type`).
      if (previous === '.' && token.kind === 'identifier') return /\bvariable\.other\.property\b|\bentity\.name\.function\.member\b/;
      switch (token.kind) {
        case 'line-comment':
        case 'block-comment':
          return /\bcomment\./;
        case 'string':
          return /\bstring\.quoted\.double\b/;
        case 'char':
          return /\bstring\.quoted\.single\b/;
        case 'number':
          return /\bconstant\.numeric\b/;
        case 'identifier':
          if (v.controlKeywords.includes(token.text)) return /\bkeyword\.control\b/;
          if (v.declarationKeywords.includes(token.text) && token.text !== 'mut' && !(token.text === 'config' && next === '.')) return /\bstorage\.type\b/;
          if (v.literals.includes(token.text)) return /\bconstant\.language\b/;
          if (v.primitiveTypes.includes(token.text)) return /\bsupport\.type\.primitive\b/;
          if (v.builtinFunctions.includes(token.text) && next === '(') return /\bsupport\.function\b/;
          if (v.actionConstants.includes(token.text)) return /\bsupport\.constant\.action\b/;
          return /^(?!.*invalid)/;
        default:
          return null;
      }
    };
    const lexed = tokenize(source);
    const wrong = lexed.flatMap((token, i) => {
      const pattern = expected(token, lexed[i + 1]?.text, lexed[i - 1]?.text);
      const scopes = scopesAt(token.start);
      return pattern && !pattern.test(scopes) ? [`${token.text} at ${token.start}: '${scopes}'`] : [];
    });
    expect(wrong).toEqual([]);
  });
});

/** One snippet per construct; the snapshot records the scopes of each of its tokens. */
const CONSTRUCTS: Record<string, string> = {
  comments: '// a line comment\n/* a block\n   comment */ let x = 1; // trailing',
  'map declaration': 'map<u32, FlowStats> flows : LruHash(1024) {\n  pinned: "/sys/fs/bpf/flows",\n};',
  'ring buffer': 'map<Event> events : RingBuffer(4096);',
  'program declaration': 'program classify : tc("egress") {\n  fn main(ctx: TcContext) -> TcAction {\n    return TC_ACT_OK;\n  }\n}',
  'unknown program kind': 'program p : xpd {',
  'function declaration': 'fn ttl_bucket(ttl: u8, limit: *Ipv4Hdr) -> u32 {',
  'struct and enum': 'struct Key { saddr: u32, port: u16 }\nenum Proto { Tcp = 0, Udp, Icmp }\ntype Port = u16;',
  'let, const and casts': 'let mut n: u64 = (ip.ihl as u32) * 4;\nconst LIMIT: u32 = 1_000;',
  'numbers': 'let a = 0xff_ff; let b = 0o17; let c = 0b1010; let d = 42;',
  'strings and chars': 'print("%-16s %llu\\n", e.comm, e.pid); let c = \'\\x41\'; let q = \'a\';',
  'packet view': 'let eth = ctx.header<EthHdr>(0);\nif eth == null { return XDP_PASS; }\nif eth.h_proto != htons(ETH_P_IP) { return XDP_DROP; }',
  'map access': 'flows[key].packets += 1;\ndelete flows[key];\nif flows[key] == null { counts[0] = counts[0] + 1; }',
  'match': 'let class = match port {\n  22 -> TrafficClass::Interactive,\n  80 | 443 => TrafficClass::Web,\n  _ -> TrafficClass::Bulk,\n};',
  'loops': 'for i in 0..8 { if i > n { break; } }\nwhile i < 3 { i += 1; continue; }\nfor (key, value) in flows { print("%u\\n", value); }',
  'operators': 'x = (a << 2) | (b >> 1) & ~c ^ d;\nok = a <= b && !(c >= d) || e != f and not g or h;\nx %= 3; x <<= 1; x ^= y;',
  'tail calls and config': 'return tail_call(ctx, parse_ipv4) else XDP_ABORTED;\nconfig { max_size: u32 = 1500 }\nif len > config.max_size { return XDP_DROP; }',
  'built-ins': 'let now = bpf_ktime_get_ns(); let pid = bpf_get_current_pid_tgid() >> 32; sleep(1000); attach(count, "eth0");',
  'userspace': 'userspace {\n  fn main(argc: u32, argv: u64) -> i32 {\n    events.poll(100, on_event);\n    return 0;\n  }\n}',
};

describe('scopes per construct', () => {
  it.each(Object.keys(CONSTRUCTS))('%s', (construct) => {
    const { tokens } = tokenizeText(CONSTRUCTS[construct]!);
    const lines = tokens.filter((t) => t.text.trim() !== '').map((t) => `${t.text.trim().padEnd(24)} ${t.scopes.join(' ') || '-'}`);
    expect(lines.join('\n')).toMatchSnapshot();
  });
});

describe('language-configuration.json', () => {
  const configuration = JSON.parse(readFileSync(join(import.meta.dirname, '../language-configuration.json'), 'utf8'));
  const regex = (pattern: string) => new RegExp(pattern);

  it('comments with // and /* */, and pairs every bracket', () => {
    expect(configuration.comments).toEqual({ lineComment: '//', blockComment: ['/*', '*/'] });
    expect(configuration.brackets).toEqual([['{', '}'], ['[', ']'], ['(', ')']]);
  });

  it('indents after an opening brace and outdents at a closing one', () => {
    const increase = regex(configuration.indentationRules.increaseIndentPattern);
    const decrease = regex(configuration.indentationRules.decreaseIndentPattern);
    expect(increase.test('  fn main(ctx: XdpContext) -> XdpAction {')).toBe(true);
    expect(increase.test('    let key = FlowKey {')).toBe(true);
    expect(increase.test('    if eth == null { return XDP_PASS; }')).toBe(false);
    expect(increase.test('    // a comment {')).toBe(false);
    expect(decrease.test('  }')).toBe(true);
    expect(decrease.test('  };')).toBe(true);
    expect(decrease.test('  return 0;')).toBe(false);
  });

  it('folds // region markers and takes identifiers and integer literals as words', () => {
    expect(regex(configuration.folding.markers.start).test('  // region parsing')).toBe(true);
    expect(regex(configuration.folding.markers.end).test('  // endregion')).toBe(true);
    const word = regex(`^(?:${configuration.wordPattern})$`);
    for (const text of ['flow_table', '_x1', '0x1f_ff', '0b1010', '1_000']) expect(word.test(text), text).toBe(true);
  });
});
