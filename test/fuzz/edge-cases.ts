// Inputs at and beyond the documented limits (docs/limits.md): every way the
// language nests, long lines and large files. Each shape is a function of its
// size so tests can build it exactly at a limit and one step past it.
import { MAX_BRACKET_DEPTH, MAX_NESTING_DEPTH } from '../../packages/compiler/src/phases/1-parse/limits.js';

/** A program whose `main` holds `body`; `main`'s and the program's braces are two brackets deep. */
export const inMain = (body: string): string =>
  `program p : xdp {\n  fn main(ctx: XdpContext) -> XdpAction {\n    let a: u32 = 1;\n    ${body}\n    return XDP_PASS;\n  }\n}\n`;

export interface NestingShape {
  name: string;
  /** Which limit the shape runs into. */
  limit: 'brackets' | 'nesting';
  /** The source at size `n`. */
  build(n: number): string;
  /** The largest size within the limit. */
  largest: number;
}

const brackets = MAX_BRACKET_DEPTH - 2;
const repeat = (text: string, n: number) => text.repeat(Math.max(0, n));
const list = (n: number, item: (i: number) => string, separator: string) => Array.from({ length: n }, (_, i) => item(i)).join(separator);

export const NESTING_SHAPES: NestingShape[] = [
  { name: 'parentheses', limit: 'brackets', largest: brackets, build: (n) => inMain(`let x: u32 = ${repeat('(', n)}a${repeat(')', n)};`) },
  { name: 'nested ifs', limit: 'brackets', largest: brackets, build: (n) => inMain(`${repeat('if a == 1 { ', n)}a = 2;${repeat(' }', n)}`) },
  { name: 'nested blocks', limit: 'brackets', largest: brackets, build: (n) => inMain(`${repeat('{ ', n)}a = 2;${repeat(' }', n)}`) },
  { name: 'nested while loops', limit: 'brackets', largest: brackets, build: (n) => inMain(`${repeat('while a < 1 { ', n)}a = 2;${repeat(' }', n)}`) },
  { name: 'nested array literals', limit: 'brackets', largest: brackets, build: (n) => inMain(`let x = ${repeat('[', n)}a${repeat(']', n)};`) },
  { name: 'nested repeat literals', limit: 'brackets', largest: brackets, build: (n) => inMain(`let x = ${repeat('[', n)}a${repeat('; 1]', n)};`) },
  { name: 'nested calls', limit: 'brackets', largest: brackets, build: (n) => inMain(`let x = ${repeat('min(a, ', n)}a${repeat(')', n)};`) },
  { name: 'nested indexing', limit: 'brackets', largest: brackets, build: (n) => inMain(`let v = [a; 4];\n    let x = v${repeat('[v', n - 1)}[0${repeat(']', n)};`) },
  {
    name: 'nested match expressions',
    limit: 'brackets',
    largest: (brackets / 2) | 0,
    build: (n) => inMain(`let x: u32 = ${repeat('match a { 0 -> 1, _ -> (', n)}a${repeat(') }', n)};`),
  },
  { name: 'parenthesised operators', limit: 'brackets', largest: brackets, build: (n) => inMain(`let x: u32 = ${repeat('a * (a + ', n)}a${repeat(')', n)};`) },
  { name: 'sum', limit: 'nesting', largest: MAX_NESTING_DEPTH - 3, build: (n) => inMain(`let x: u32 = ${list(n, () => 'a', ' + ')};`) },
  { name: 'logical chain', limit: 'nesting', largest: MAX_NESTING_DEPTH - 4, build: (n) => inMain(`let x: bool = ${list(n, () => 'a == 1', ' || ')};`) },
  { name: 'cast chain', limit: 'nesting', largest: MAX_NESTING_DEPTH - 4, build: (n) => inMain(`let x = a${repeat(' as u32', n)};`) },
  { name: 'unary chain', limit: 'nesting', largest: MAX_NESTING_DEPTH - 4, build: (n) => inMain(`let x: u32 = ${repeat('~', n)}a;`) },
  { name: 'else-if chain', limit: 'nesting', largest: MAX_NESTING_DEPTH - 4, build: (n) => inMain(list(n, (i) => `if a == ${i} { a = 2; }`, ' else ')) },
  { name: 'match arms', limit: 'nesting', largest: MAX_NESTING_DEPTH - 6, build: (n) => inMain(`match a { ${list(n, (i) => `${i} -> { a = 1; }`, ' ')} _ -> {} }`) },
  { name: 'pointer type', limit: 'nesting', largest: MAX_NESTING_DEPTH - 3, build: (n) => `fn f(p: ${repeat('*', n)}u32) -> u32 { return 0; }\n` },
];
