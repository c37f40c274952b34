// All errors of a file, each where its cause is: recovery at item and
// statement level, no second error for a use of a name whose declaration
// failed, and a cap with "N more errors".
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import { MAX_REPORTED_ERRORS } from '../../src/diagnostics/diagnostic.js';
import { formatDiagnostic } from '../../src/diagnostics/format.js';

const FILE = 'multi.ks';

function errors(source: string): string[] {
  const result = compile(source, { filename: FILE });
  expect(result.ok).toBe(false);
  return result.diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d, FILE, source).split('\n')[0]!);
}

describe('multi-error reporting', () => {
  it('reports errors in three statements of one function and in two other items, each located', () => {
    const source = [
      'struct Flow {',
      '  packets: u64,',
      '  packets: u64,',
      '}',
      '',
      'map<u32, u64> counts : HashMap(0);',
      '',
      'program count : xdp {',
      '  fn main(ctx: XdpContext) -> XdpAction {',
      '    let a: u64 = 1;',
      '    let narrow: u32 = a;',
      '    let missing = undefined_name + 1;',
      '    let sum = missing + narrow;',
      '    counts[0] = 1;',
      '    if sum > 10 { return XDP_DROP; }',
      '    return 7;',
      '  }',
      '}',
      '',
    ].join('\n');
    // `sum`, `counts` and the `if` use names whose declaration failed: not reported again.
    expect(errors(source)).toEqual([
      "multi.ks:3:3: error[KS2002]: struct 'Flow' has two fields named 'packets'",
      'multi.ks:6:32: error[KS2103]: the map size must be between 1 and 4294967295',
      'multi.ks:11:23: error[KS3101]: expected u32, found u64',
      "multi.ks:12:19: error[KS3001]: unknown name 'undefined_name'",
      'multi.ks:16:12: error[KS3902]: 7 is not a valid XdpAction',
    ]);
  });

  it('recovers inside nested blocks and goes on after them', () => {
    const source = [
      'program p : xdp {',
      '  fn main(ctx: XdpContext) -> XdpAction {',
      '    let n: u32 = 3;',
      '    if n > 1 {',
      '      let x: u8 = 300;',
      '      n = x + true;',
      '    }',
      '    let t: bool = n;',
      '    return XDP_PASS;',
      '  }',
      '}',
      '',
    ].join('\n');
    expect(errors(source)).toEqual([
      'multi.ks:5:19: error[KS3103]: 300 does not fit in u8 (0..255)',
      expect.stringMatching(/^multi\.ks:6:\d+: error\[KS\d{4}\]/),
      'multi.ks:8:19: error[KS3101]: expected bool, found u32',
    ]);
  });

  it('a let whose type is given still declares its local: later uses are checked against that type', () => {
    const source = 'program p : xdp {\n  fn main(ctx: XdpContext) -> XdpAction {\n    let a: u32 = nothing;\n    let b: bool = a;\n    return XDP_PASS;\n  }\n}\n';
    expect(errors(source)).toEqual(["multi.ks:3:18: error[KS3001]: unknown name 'nothing'", 'multi.ks:4:19: error[KS3101]: expected bool, found u32']);
  });

  it('a function, type or struct whose declaration failed is not reported again where it is used', () => {
    const source = [
      'struct Pair { a: u32, a: u32 }',
      'fn helper(x: Missing) -> u32 { return 1; }',
      'program p : xdp {',
      '  fn main(ctx: XdpContext) -> XdpAction {',
      '    let p = Pair { a: 1 };',
      '    let q: Pair = p;',
      '    let h = helper(1);',
      '    return XDP_PASS;',
      '  }',
      '}',
      '',
    ].join('\n');
    expect(errors(source)).toEqual(["multi.ks:1:23: error[KS2002]: struct 'Pair' has two fields named 'a'", "multi.ks:2:14: error[KS2010]: unknown type 'Missing'"]);
  });

  it(`shows the first ${MAX_REPORTED_ERRORS} errors and counts the others`, () => {
    const lines = Array.from({ length: MAX_REPORTED_ERRORS + 7 }, (_, i) => `    let v${i}: u8 = 300;`);
    const source = `program p : xdp {\n  fn main(ctx: XdpContext) -> XdpAction {\n${lines.join('\n')}\n    return XDP_PASS;\n  }\n}\n`;
    const shown = errors(source);
    expect(shown).toHaveLength(MAX_REPORTED_ERRORS + 1);
    expect(shown[MAX_REPORTED_ERRORS - 1]).toBe(`multi.ks:${MAX_REPORTED_ERRORS + 2}:19: error[KS3103]: 300 does not fit in u8 (0..255)`);
    expect(shown[MAX_REPORTED_ERRORS]).toBe('multi.ks: error[KS9002]: 7 more errors');
  });
});

describe('errors located at their cause', () => {
  it('a stack overflow is reported at the largest local, with the program as a related location', () => {
    const source = 'program p : xdp {\n  fn main(ctx: XdpContext) -> XdpAction {\n    let small: [u64; 4] = [0; 4];\n    let big: [u64; 80] = [0; 80];\n    big[1] = small[2];\n    return XDP_PASS;\n  }\n}\n';
    const result = compile(source, { filename: FILE });
    const [error] = result.diagnostics;
    expect(formatDiagnostic(error!, FILE, source)).toBe(
      [
        "multi.ks:4:9: error[KS4002]: program 'p' needs 672 bytes of stack; eBPF allows 512",
        '4 |     let big: [u64; 80] = [0; 80];',
        '  |         ^^^',
        '  = note: largest locals: big (640 bytes, in main), small (32 bytes, in main)',
        '  = help: keep large values in a map (a per-CPU array works as scratch space) instead of on the stack',
        "multi.ks:1:9: note: the stack of program 'p'",
        '1 | program p : xdp {',
        '  |         ^',
      ].join('\n'),
    );
  });

  it('a type mismatch is reported at the expression, not at the statement', () => {
    const source = 'program p : xdp {\n  fn main(ctx: XdpContext) -> XdpAction {\n    let a: u64 = 1;\n    let b: u32 = 2;\n    b = 1 + a;\n    return XDP_PASS;\n  }\n}\n';
    expect(errors(source)).toEqual(['multi.ks:5:9: error[KS3101]: expected u32, found u64']);
  });

  it('an unknown item after a struct says what it found', () => {
    expect(errors('struct S { a: u32 }\nimport "maps.ks";\n')).toEqual([
      "multi.ks:2:1: error[KS1005]: unexpected 'import'; expected map, program, fn, extern fn, struct, enum, type, const, config or userspace",
    ]);
    // `extern fn` declares a kfunc at the top level only.
    expect(errors('program p : xdp {\n  struct S { a: u32 }\n  extern fn f();\n}\n')).toEqual([
      "multi.ks:3:3: error[KS1005]: unexpected 'extern'; expected map, fn, config, struct, enum, type, const or the end of the program",
    ]);
  });
});
