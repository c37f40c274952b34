// The error classes of LANGUAGE.md §15 (uprobes, perf events, stacks,
// histograms, globals, ring-buffer reservations): message, file:line:col and
// the caret under the cause.
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import { formatDiagnostic } from '../../src/diagnostics/format.js';

const FILE = 'prog.ks';

/** Every error of compiling `source`, formatted as the CLI prints them. */
function errors(source: string): string[] {
  const result = compile(source, { filename: FILE });
  expect(result.ok, 'expected the compile to fail').toBe(false);
  return result.diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d, FILE, source));
}

const probe = (kind: string, target: string, context: string) => `program p : ${kind}("${target}") {\n  fn main(ctx: ${context}) -> i32 {\n    return 0;\n  }\n}\n`;

describe('uprobe and uretprobe targets', () => {
  it('a target without a symbol', () => {
    expect(errors(probe('uprobe', '/bin/bash', 'KprobeContext'))).toEqual([
      'prog.ks:1:20: error[KS2211]: a uprobe target is "/path/to/binary:symbol" (optionally "+offset"), not "/bin/bash"\n1 | program p : uprobe("/bin/bash") {\n  |                    ^^^^^^^^^^^',
    ]);
  });

  it('a symbol that is not a name, and a bad offset', () => {
    expect(errors(probe('uretprobe', '/bin/bash:read-line', 'KprobeContext'))[0]).toMatch(/^prog\.ks:1:23: error\[KS2211\]: 'read-line' is not a symbol name \(optionally with \+offset\)\n/);
    expect(errors(probe('uprobe', '/bin/bash:readline+zz', 'KprobeContext'))[0]).toMatch(/^prog\.ks:1:20: error\[KS2211\]: the offset after '\+' is a decimal or 0x hex number, not 'zz'\n/);
  });

  it('a missing target says what one looks like', () => {
    expect(errors('program p : uprobe {\n  fn main(ctx: KprobeContext) -> i32 {\n    return 0;\n  }\n}\n')[0]).toMatch(
      /^prog\.ks:1:13: error\[KS2204\]: a uprobe program needs a target: program p : uprobe\("\/path\/to\/binary:function"\)\n/,
    );
  });

  it('a uprobe main takes a KprobeContext', () => {
    expect(errors(probe('uprobe', '/bin/bash:readline', 'PerfEventContext'))[0]).toMatch(/^prog\.ks:2:6: error\[KS2207\]: this program's main takes one parameter, \(ctx: KprobeContext\)\n/);
  });
});

describe('perf_event targets', () => {
  it('an unknown event, listing the known ones', () => {
    expect(errors(probe('perf_event', 'cpu-clok', 'PerfEventContext'))[0]).toMatch(
      /^prog\.ks:1:24: error\[KS2212\]: unknown perf event 'cpu-clok' \(events: cpu-clock, task-clock, page-faults, context-switches, cpu-migrations, cycles, instructions, cache-misses, branch-misses\)\n1 \| program p : perf_event\("cpu-clok"\) \{\n {2}\| {24}\^{10}$/,
    );
  });

  it('a rate that is neither freq nor period, and a zero rate', () => {
    expect(errors(probe('perf_event', 'cpu-clock:hz=5', 'PerfEventContext'))[0]).toMatch(/^prog\.ks:1:24: error\[KS2212\]: a perf event's rate is ':freq=N' or ':period=N', not ':hz=5'\n/);
    expect(errors(probe('perf_event', 'cpu-clock:freq=0', 'PerfEventContext'))[0]).toMatch(/^prog\.ks:1:24: error\[KS2212\]: freq must be a positive integer, not 0\n/);
  });

  it('an unknown context field, with the nearest one', () => {
    const source = 'program p : perf_event("cpu-clock") {\n  fn main(ctx: PerfEventContext) -> i32 {\n    let p = ctx.sample_perod;\n    return 0;\n  }\n}\n';
    expect(errors(source)[0]).toMatch(/^prog\.ks:3:17: error\[KS3501\]: PerfEventContext has no field 'sample_perod'[\s\S]*did you mean 'sample_period'\?/);
  });
});
