// Inputs for the compile() fuzz test: every example mutated at three levels —
// bytes (flip, insert, delete), tokens (delete, duplicate, swap, or replace a
// number with a boundary value, a name with a C keyword or a libc/libbpf/kernel
// name, a string with hostile text) and grammar (statements and declarations
// moved between examples, bodies nested in each other) — plus the edge cases
// of edge-cases.ts. Deterministic: case `i` of seed `s` is always the same
// input, so a failure is reproduced from its numbers.
import { NESTING_SHAPES } from './edge-cases.js';

/** A small, fast, seedable PRNG (mulberry32). */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

type Random = () => number;
const pick = <T>(rng: Random, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;

const TOKEN = /[A-Za-z_][A-Za-z0-9_]*|0x[0-9a-fA-F]+|\d+|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|\/\/[^\n]*|\s+|::|->|[=!<>]=|&&|\|\||<<|>>|[+\-*/%&|^]=|./gsu;

const BOUNDARY_NUMBERS = ['0', '1', '-1', '255', '256', '65535', '2147483647', '2147483648', '4294967295', '4294967296', '9223372036854775807', '18446744073709551615', '18446744073709551616', '0x0', '0xffffffffffffffff', '99999999999999999999999999'];
/** Names C, libc, libbpf, the kernel headers or the generated code already use. */
export const RESERVED_NAMES = ['int', 'static', 'struct', 'return', 'if', 'char', 'void', 'const', 'volatile', 'sizeof', 'printf', 'errno', 'main', 'NULL', 'bool', 'true', 'u32', '__u32', 'u64', 'bpf_map_lookup_elem', 'bpf_printk', 'SEC', 'LICENSE', 'ctx', 'xdp_md', 'obj', 'err', 'ks_tail_calls', 'skel', 'signal', 'exit', 'memcpy', 'stdout', 'asm', 'inline', 'restrict', '_Bool', 'typeof'];
const HOSTILE_STRINGS = ['"\\n"', '"*/ int x; /*"', '"\\"); int x; (\\""', '"%s%s%s%n"', '"é✓\\u{1F600}"', '"??/"', '"/sys/fs/bpf/../../tmp/x"', '"/sys/fs/bpf/a\\0b"', '""', `"${'A'.repeat(5000)}"`];

function tokens(source: string): string[] {
  return source.match(TOKEN) ?? [];
}

function byteMutation(source: string, rng: Random): string {
  const bytes = Buffer.from(source, 'utf8');
  const out = [...bytes];
  for (let n = 1 + Math.floor(rng() * 4); n > 0; n--) {
    const at = Math.floor(rng() * (out.length + 1));
    const choice = rng();
    if (choice < 0.4) out[at] = Math.floor(rng() * 256);
    else if (choice < 0.7) out.splice(at, 1);
    else out.splice(at, 0, Math.floor(rng() * 256));
  }
  return Buffer.from(out).toString('utf8');
}

function tokenMutation(source: string, rng: Random): string {
  const list = tokens(source);
  const meaningful = list.map((token, index) => ({ token, index })).filter(({ token }) => !/^\s/.test(token) && !token.startsWith('//'));
  if (meaningful.length === 0) return source;
  for (let n = 1 + Math.floor(rng() * 3); n > 0; n--) {
    const { token, index } = pick(rng, meaningful);
    const choice = rng();
    if (/^\d|^0x/.test(token) && choice < 0.7) list[index] = pick(rng, BOUNDARY_NUMBERS);
    else if (/^[A-Za-z_]/.test(token) && choice < 0.6) list[index] = pick(rng, RESERVED_NAMES);
    else if (token.startsWith('"') && choice < 0.7) list[index] = pick(rng, HOSTILE_STRINGS);
    else if (choice < 0.8) list[index] = '';
    else if (choice < 0.9) list[index] = `${token} ${token}`;
    else list[index] = pick(rng, meaningful).token;
  }
  return list.join('');
}

/** Top-level items and statement lines: what the grammar level moves around. */
function pieces(source: string): { items: string[]; statements: string[] } {
  const items = source.split(/\n(?=\S)/).filter((item) => item.trim() !== '');
  const statements = source.split('\n').filter((line) => /^\s{4,}\S.*;\s*$/.test(line));
  return { items, statements };
}

function grammarMutation(source: string, corpus: readonly string[], rng: Random): string {
  const other = pieces(pick(rng, corpus));
  const own = pieces(source);
  const choice = rng();
  if (choice < 0.35 && other.statements.length > 0) {
    // A statement of another example into a body of this one: names and types may not fit.
    const lines = source.split('\n');
    const bodies = lines.map((line, index) => ({ line, index })).filter(({ line }) => /^\s{4,}\S.*;\s*$/.test(line));
    if (bodies.length === 0) return source;
    lines.splice(pick(rng, bodies).index, 0, pick(rng, other.statements));
    return lines.join('\n');
  }
  if (choice < 0.65 && other.items.length > 0) return [...own.items, pick(rng, other.items)].join('\n');
  if (choice < 0.8 && own.items.length > 1) {
    const items = [...own.items];
    items.splice(Math.floor(rng() * items.length), 1);
    return items.join('\n');
  }
  // A body wrapped in itself: blocks, loops and conditions nest one level more.
  const wrapper = pick(rng, ['if true { ', 'while false { ', '{ ', 'for i in 0..4 { ']);
  return source.replace(/(fn main\([^)]*\)[^{]*\{)([^]*?)(\n  \})/, (_m, head: string, body: string, tail: string) => `${head}\n    ${wrapper}${body}\n    }${tail}`);
}

/** Long lines, deep nesting and sizes near the limits: the shapes past which a compiler runs out of stack or time. */
export function edgeCases(): string[] {
  const cases: string[] = [];
  for (const shape of NESTING_SHAPES) for (const n of [shape.largest, shape.largest + 1, shape.largest * 4]) cases.push(shape.build(n));
  cases.push(`program p : xdp {\n  fn main(ctx: XdpContext) -> XdpAction {\n    let x = "${'A'.repeat(90_000)}" y;\n    return XDP_PASS;\n  }\n}\n`);
  cases.push(`${'const C = 1;\n'.repeat(7_000)}`);
  cases.push(`program p : xdp {\n  fn main(ctx: XdpContext) -> XdpAction {\n${'    let zz = 1;\n'.repeat(6_000)}    return XDP_PASS;\n  }\n}\n`);
  cases.push('program p : xdp {\n  fn main(ctx: XdpContext) -> XdpAction {\n    return XDP_PASS;\n  }\n}'.slice(0, -1));
  return cases;
}

/** Case `index` of `seed`: a mutation of one example (1 to 3 levels stacked). */
export function mutatedInput(corpus: readonly string[], seed: number, index: number): string {
  const rng = random(seed * 1_000_003 + index);
  let source = pick(rng, corpus);
  for (let n = 1 + Math.floor(rng() * 3); n > 0; n--) {
    const level = rng();
    source = level < 0.3 ? byteMutation(source, rng) : level < 0.7 ? tokenMutation(source, rng) : grammarMutation(source, corpus, rng);
  }
  return source;
}
