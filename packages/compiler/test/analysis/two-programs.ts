// The shape most analysis tests need: one map, an XDP and a TC program each
// running one statement on it, and optionally a userspace block.
import { expect } from 'vitest';
import { compile } from '../../src/compile.js';
import type { SystemAnalysis } from '../../src/index.js';

export function twoPrograms(map: string, xdpBody: string, tcBody: string, userspace = ''): string {
  return `${map}
program a : xdp {
  fn main(ctx: XdpContext) -> XdpAction {
    ${xdpBody}
    return XDP_PASS;
  }
}
program b : tc {
  fn main(ctx: TcContext) -> TcAction {
    ${tcBody}
    return TC_ACT_OK;
  }
}
${userspace}`;
}

/** The analysis of `source`, which must compile without errors. */
export function analyze(source: string): SystemAnalysis {
  const result = compile(source, { filename: 'case.ks' });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  expect(errors.map((e) => `${e.span?.start.line}:${e.span?.start.column} ${e.message}`)).toEqual([]);
  return result.analysis!;
}
