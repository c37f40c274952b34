// The language services' incremental check must say exactly what compile()
// says: same syntax tree, same diagnostics in the same order, after every edit.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import { parse } from '../../src/phases/1-parse/parse.js';
import { splitChunks } from '../../src/services/chunks.js';
import { DocumentSession } from '../../src/services/document.js';

const examplesDir = join(import.meta.dirname, '../../../../examples');
const examples = readdirSync(examplesDir).filter((f) => f.endsWith('.ks')).sort();
const read = (file: string) => readFileSync(join(examplesDir, file), 'utf8');

/** A small deterministic PRNG (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function expectSameAsCompile(session: DocumentSession, source: string): void {
  const check = session.update(source);
  const reference = compile(source, { filename: session.filename });
  expect(check.diagnostics).toEqual(reference.diagnostics);
  let ast: unknown = null;
  try {
    ast = parse(source);
  } catch {
    // a syntax error: the check has no tree either
  }
  expect(check.ast).toEqual(ast);
}

/** Two programs whose stacks are near the limit, so edits push one over it and back. */
const STACKS = `struct Big { a: [u64; 20] }
map<u32, Big> big : HashMap(4);

program first : xdp {
  fn main(ctx: XdpContext) -> XdpAction {
    let x: [u64; 30] = [0; 30];
    x[1] = 1;
    big[x[1] as u32] = Big { a: [0; 20] };
    return XDP_PASS;
  }
}

fn helper(v: u32) -> u32 {
  let scratch: [u32; 40] = [0; 40];
  scratch[v % 40] = v;
  return scratch[1];
}

program second : tc {
  fn main(ctx: TcContext) -> TcAction {
    let y: [u64; 20] = [0; 20];
    y[2] = helper(ctx.len) as u64;
    return TC_ACT_OK;
  }
}
`;

describe('DocumentSession', () => {
  it('cuts a file into chunks that are whole top-level items', () => {
    const chunks = splitChunks(read('multi_programs.ks'));
    expect(chunks.map((c) => c.text.trimStart().split(/[\s<]/)[0])).toEqual(['map', 'program', 'program', 'userspace']);
    expect(chunks.map((c) => c.text).join('')).toBe(read('multi_programs.ks'));
    expect(chunks[1]!.start.column).toBe(1);
  });

  it.each(examples)('checks %s as compile() does', (file) => {
    expectSameAsCompile(new DocumentSession(`examples/${file}`), read(file));
  });

  it('agrees with compile() after each of 250 random one-character edits', () => {
    const next = random(13);
    const alphabet = ['x', '1', ';', '{', '}', ' ', '\n', '/', '*', '"', 'a', '=', '0'];
    const sources = ['multi_programs.ks', 'flow_table.ks', 'packet_classifier.ks', 'map_admin.ks'].map(read).concat(STACKS);
    for (const [n, original] of sources.entries()) {
      const session = new DocumentSession(`edit${n}.ks`);
      let source = original;
      for (let i = 0; i < 50; i++) {
        const at = Math.floor(next() * (source.length + 1));
        // Mostly edits that undo themselves soon, so the file is valid for part of the run.
        if (i % 3 === 2) source = original;
        else if (next() < 0.5 && at < source.length) source = source.slice(0, at) + source.slice(at + 1);
        else source = source.slice(0, at) + alphabet[Math.floor(next() * alphabet.length)] + source.slice(at);
        expectSameAsCompile(session, source);
      }
    }
  });

  it('reports a stack overflow in the program that was edited, and forgets it when undone', () => {
    const session = new DocumentSession('stacks.ks');
    expectSameAsCompile(session, STACKS);
    expect(session.update(STACKS).diagnostics).toEqual([]);
    const grown = STACKS.replace('[u64; 20] = [0; 20]', '[u64; 60] = [0; 60]');
    expectSameAsCompile(session, grown);
    expect(session.update(grown).diagnostics.map((d) => d.message)).toEqual(["program 'second' needs 640 bytes of stack; eBPF allows 512"]);
    const helperGrown = STACKS.replace('[u32; 40] = [0; 40]', '[u32; 120] = [0; 120]').replace('% 40', '% 120');
    expectSameAsCompile(session, helperGrown);
    expectSameAsCompile(session, STACKS);
  });

  it('keeps the items of chunks that parse when another has a syntax error', () => {
    const broken = read('multi_programs.ks').replace('return XDP_PASS;', 'return XDP_PASS');
    const check = new DocumentSession('broken.ks').update(broken);
    expect(check.ast).toBeNull();
    expect(check.diagnostics.map((d) => d.message)).toEqual(["expected ';'"]);
    expect(check.items.map((item) => item.kind)).toEqual(['MapDecl', 'ProgramDecl', 'UserspaceBlock']);
  });
});
