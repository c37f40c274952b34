import { describe, expect, it } from 'vitest';
import { compile } from '../src/compile.js';
import { formatDiagnostic } from '../src/diagnostics/format.js';

const FILE = 'prog.ks';

/** The first error of compiling `source`, formatted as the CLI prints it. */
function firstError(source: string): string {
  const result = compile(source, { filename: FILE });
  const error = result.diagnostics.find((d) => d.severity === 'error');
  expect(result.ok).toBe(false);
  expect(error, 'expected an error').toBeDefined();
  return formatDiagnostic(error!, FILE, source);
}

const xdp = (body: string, before = '') => `${before}program p : xdp {\n  fn main(ctx: XdpContext) -> XdpAction {\n${body}\n  }\n}\n`;

describe('located diagnostics', () => {
  it('prints file:line:col, the source line and a caret under the span', () => {
    const text = firstError(xdp('    return TC_ACT_OK;'));
    expect(text).toBe(
      [
        'prog.ks:3:12: error[KS3901]: TC_ACT_OK is a TcAction constant, but this program returns XdpAction',
        '3 |     return TC_ACT_OK;',
        '  |            ^^^^^^^^^',
        '  = help: use one of XDP_ABORTED, XDP_DROP, XDP_PASS, XDP_TX, XDP_REDIRECT',
      ].join('\n'),
    );
  });

  it('syntax error', () => {
    expect(firstError(xdp('    let x = ;\n    return XDP_PASS;'))).toMatch(/^prog\.ks:3:13: error\[KS\d{4}\]: unexpected ';'; expected an expression/);
  });

  it('unknown variable, with the nearest name', () => {
    expect(firstError(xdp('    let count = 1;\n    return cuont;'))).toMatch(/^prog\.ks:4:12: error\[KS\d{4}\]: unknown name 'cuont'[\s\S]*did you mean 'count'\?/);
  });

  it('unknown map in an element write', () => {
    expect(firstError(xdp('    counter[1] = 2;\n    return XDP_PASS;', 'map<u32, u32> counters : HashMap(16);\n'))).toMatch(
      /^prog\.ks:4:5: error\[KS\d{4}\]: unknown name 'counter'[\s\S]*did you mean 'counters'\?/,
    );
  });

  it('unknown type', () => {
    expect(firstError('map<u32, Flw> flows : HashMap(16);\n')).toMatch(/^prog\.ks:1:10: error\[KS\d{4}\]: unknown type 'Flw'/);
  });

  it('unknown map kind', () => {
    expect(firstError('map<u32, u32> m : HashMapp(16);\n')).toMatch(/^prog\.ks:1:19: error\[KS\d{4}\]: unknown map kind 'HashMapp'[\s\S]*did you mean 'HashMap'\?/);
  });

  it('unknown program kind', () => {
    expect(firstError('program p : xpd {\n  fn main(ctx: XdpContext) -> XdpAction { return XDP_PASS; }\n}\n')).toMatch(
      /^prog\.ks:1:13: error\[KS\d{4}\]: unknown program kind 'xpd'[\s\S]*did you mean 'xdp'\?/,
    );
  });

  it('duplicate map, naming the first declaration', () => {
    expect(firstError('map<u32, u32> m : HashMap(16);\nmap<u32, u64> m : Array(4);\n')).toMatch(
      /^prog\.ks:2:15: error\[KS\d{4}\]: 'm' is already declared[\s\S]*first declared at 1:15/,
    );
  });

  it('duplicate program', () => {
    const program = 'program p : xdp {\n  fn main(ctx: XdpContext) -> XdpAction { return XDP_PASS; }\n}\n';
    expect(firstError(program + program)).toMatch(/^prog\.ks:4:9: error\[KS\d{4}\]: 'p' is already declared/);
  });

  it('duplicate local function in a program', () => {
    expect(firstError('program p : xdp {\n  fn h() -> u32 { return 1; }\n  fn h() -> u32 { return 2; }\n  fn main(ctx: XdpContext) -> XdpAction { return XDP_PASS; }\n}\n')).toMatch(
      /^prog\.ks:3:6: error\[KS\d{4}\]: 'h' is already declared/,
    );
  });

  it('wrong return constant for the program kind (tc returning an XDP action)', () => {
    expect(firstError('program f : tc {\n  fn main(ctx: TcContext) -> TcAction {\n    return XDP_DROP;\n  }\n}\n')).toMatch(
      /^prog\.ks:3:12: error\[KS\d{4}\]: XDP_DROP is a XdpAction constant, but this program returns TcAction/,
    );
  });

  it('an integer that is no action of the kind', () => {
    expect(firstError(xdp('    return 9;'))).toMatch(/^prog\.ks:3:12: error\[KS\d{4}\]: 9 is not a valid XdpAction/);
  });

  it('an integer return that is an action is accepted with a warning naming the constant', () => {
    const result = compile(xdp('    return 2;'), { filename: FILE });
    expect(result.ok).toBe(true);
    expect(result.diagnostics.map((d) => `${d.severity} ${d.span!.start.line}:${d.span!.start.column} ${d.message}`)).toEqual(['warning 3:12 returning the integer 2; write XDP_PASS']);
  });

  it('missing main', () => {
    expect(firstError('program p : xdp {\n  fn helper() -> u32 { return 1; }\n}\n')).toMatch(
      /^prog\.ks:1:9: error\[KS\d{4}\]: program 'p' has no main function[\s\S]*fn main\(ctx: XdpContext\) -> XdpAction/,
    );
  });

  it('main with the wrong context', () => {
    expect(firstError('program p : xdp {\n  fn main(ctx: TcContext) -> XdpAction { return XDP_PASS; }\n}\n')).toMatch(
      /^prog\.ks:2:6: error\[KS\d{4}\]: this program's main takes one parameter, \(ctx: XdpContext\)/,
    );
  });

  it('not every path returns', () => {
    expect(firstError(xdp('    if ctx.len() > 10 { return XDP_DROP; }'))).toMatch(/^prog\.ks:4:3: error\[KS\d{4}\]: not every path of 'main' returns a value/);
  });

  it('never prints a stack trace for arbitrary garbage', () => {
    for (const source of ['}', 'map<', 'program', '@@@', 'fn f( {', 'userspace { fn main() -> i32 { return m[; } }']) {
      const result = compile(source, { filename: FILE });
      expect(result.ok).toBe(false);
      expect(result.diagnostics[0]!.span).not.toBeNull();
    }
  });
});
