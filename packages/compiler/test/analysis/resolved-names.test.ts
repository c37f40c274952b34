// The analysis runs on the type checker's resolutions (issue 9): a name is a
// map only where the checker resolved it to that map.
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import { analyze } from './two-programs.js';

describe('analysis on resolved names', () => {
  it('a parameter named like a map is not the map', () => {
    const a = analyze(`map<u32, u32> counts : HashMap(16);
fn pick(counts: [u32; 4]) -> u32 {
  return counts[0];
}
program p : xdp {
  fn main(ctx: XdpContext) -> XdpAction {
    let c: [u32; 4] = [1, 2, 3, 4];
    let x = pick(c);
    counts[1] = x;
    return XDP_PASS;
  }
}
`);
    const report = a.maps.find((m) => m.name === 'counts')!;
    expect(report.accesses.map((x) => `${x.function} ${x.access} @${x.location.line}`)).toEqual(['main write @9']);
    expect(report.readers).toEqual([]);
  });

  it('a local shadowing a constant is not a constant key', () => {
    const a = analyze(`map<u32, u32> m : HashMap(16);
const K: u32 = 1;
program p : xdp {
  fn main(ctx: XdpContext) -> XdpAction {
    m[K] = 1;
    let K = ctx.ingress_ifindex;
    m[K] = 2;
    return XDP_PASS;
  }
}
`);
    expect(a.maps[0]!.accesses.map((x) => x.constantKey)).toEqual(['1', null]);
  });

  it('userspace reaching a program-local map by its qualified name is an access of that map', () => {
    const a = analyze(`program counter : xdp {
  map<u32, u64> seen : HashMap(16);
  fn main(ctx: XdpContext) -> XdpAction {
    seen[1] += 1;
    return XDP_PASS;
  }
}
userspace {
  fn main() -> i32 {
    counter::seen[5] = 50;
    return 0;
  }
}
`);
    const report = a.maps.find((m) => m.name === 'counter::seen')!;
    expect(report.writers).toEqual(['counter', 'userspace']);
    expect(report.accesses.map((x) => `${x.accessor.kind} ${x.access} key=${x.constantKey}`)).toEqual(['program read-modify-write key=1', 'userspace write key=5']);
  });
});

describe('one resolveType for the whole compiler', () => {
  const arrayError = (source: string) => compile(source, { filename: 'case.ks' }).diagnostics.find((d) => d.severity === 'error')?.message;

  it('refuses the same oversized array as a struct field and as a local', () => {
    const limit = 'an array length must be between 1 and 1048576';
    expect(arrayError('struct S { a: [u8; 2000000] }\n')).toBe(limit);
    expect(arrayError('userspace {\n  fn main() -> i32 {\n    let a: [u8; 2000000] = [0; 4];\n    return 0;\n  }\n}\n')).toBe(limit);
  });
});
