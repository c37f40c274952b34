// LANGUAGE.md §16 "Completeness", as the type checker sees it: exhaustive
// matches over bool and enums, enum keys of array maps, and names that
// resolve file-wide (a map or struct naming a struct declared later).
import { describe, expect, it } from 'vitest';
import { compile } from '../src/compile.js';
import { formatDiagnostic } from '../src/diagnostics/format.js';

const FILE = 'prog.ks';
const xdp = (body: string, before = '') => `${before}program p : xdp {\n  fn main(ctx: XdpContext) -> XdpAction {\n${body}\n    return XDP_PASS;\n  }\n}\n`;

function errors(source: string): string[] {
  return compile(source, { filename: FILE }).diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d, FILE, source).split('\n')[0]!);
}

describe('exhaustive match', () => {
  const ENUM = 'enum Proto { Tcp = 6, Udp = 17 }\n';

  it('a value match over both bools or every variant of an enum needs no `_`', () => {
    expect(errors(xdp('    let b = ctx.rx_queue_index == 0;\n    let x: u32 = match b { true -> 1, false -> 2 };'))).toEqual([]);
    expect(errors(xdp('    let p = Proto::Tcp;\n    let x: u32 = match p { Proto::Tcp -> 1, Proto::Udp -> 2 };', ENUM))).toEqual([]);
  });

  it('one missing value still needs `_`', () => {
    expect(errors(xdp('    let p = Proto::Tcp;\n    let x: u32 = match p { Proto::Tcp -> 1 };', ENUM))).toEqual([
      'prog.ks:5:18: error[KS3805]: a match used as a value needs a `_` arm, or an arm for every value of a bool or enum',
    ]);
    expect(errors(xdp('    let b = true;\n    let x: u32 = match b { true -> 1 };'))).toHaveLength(1);
  });

  it('the last arm of an exhaustive match is its else', () => {
    const result = compile(xdp('    let b = ctx.rx_queue_index == 0;\n    let x: u32 = match b { true -> 1, false -> 2 };\n    if x > 1 { return XDP_DROP; }'), { filename: FILE });
    expect(result.ok).toBe(true);
    const c = result.files.find((f) => f.path.endsWith('.ebpf.c'))!.contents;
    expect(c).toMatch(/== true\)/);
    expect(c).not.toMatch(/== false/);
  });
});

describe('enum keys of array maps', () => {
  it('an array map may be keyed by an enum whose variants are all indexes', () => {
    expect(errors('enum Proto { Tcp = 0, Udp = 1 }\nmap<Proto, u64> m : PercpuArray(2);\n')).toEqual([]);
  });

  it('a variant past the end of the array is refused at the size', () => {
    expect(errors('enum Proto { Tcp = 6, Udp = 17 }\nmap<Proto, u64> m : Array(8);\n')).toEqual([
      'prog.ks:2:27: error[KS2116]: Proto::Udp is 17, past the last index of Array(8)',
    ]);
  });
});

describe('names resolve file-wide', () => {
  it('a map and a struct name structs declared further down', () => {
    expect(errors('map<u32, Flow> flows : HashMap(8);\nstruct Flow { tag: Tag, n: [u8; N] }\nstruct Tag { id: u32 }\nconst N: u32 = 4;\n')).toEqual([]);
  });

  it('a struct that contains itself is still an error', () => {
    expect(errors('struct A { b: B }\nstruct B { a: A }\n')).toHaveLength(1);
  });
});
