// What the kernel refuses is refused at compile time, at the .ks line
// (issue 15): a program result outside its kind's range (item 15), a map the
// kernel will not create or a per-CPU value it cannot hold, and a warning for
// a map that plans a surprising amount of memory (item 17); and fresh C names
// stay linear (item 6).
import { describe, expect, it } from 'vitest';
import { compile } from '../../packages/compiler/src/compile.js';
import { formatDiagnostic } from '../../packages/compiler/src/diagnostics/format.js';
import { MAP_KINDS } from '../../packages/compiler/src/language/map-kinds.js';
import { PROGRAM_KINDS } from '../../packages/compiler/src/language/program-kinds.js';
import { FreshNames } from '../../packages/compiler/src/util/fresh-names.js';
import { buildSystem } from '../helpers/build.js';
import { describeKernel, loadAll, withPinDir } from '../helpers/kernel.js';
import { NESTING_SHAPES } from './edge-cases.js';

function diagnostics(source: string): string[] {
  const result = compile(source, { filename: 'k.ks' });
  return result.diagnostics.map((d) => formatDiagnostic(d, 'k.ks', source).split('\n')[0]!);
}

const CONTEXT_OF: Record<string, string> = { cgroup_skb: 'SkbContext', fentry: 'TracingContext', fexit: 'TracingContext' };
const TARGET_OF: Record<string, string> = { cgroup_skb: '("ingress")', fentry: '("do_unlinkat")', fexit: '("do_unlinkat")' };
const program = (kind: string, body: string) => `map<u32, u32> verdicts : Array(4);
program p : ${kind}${TARGET_OF[kind]} {
  fn main(ctx: ${CONTEXT_OF[kind]}) -> i32 {
    let v: u32 = 0;
    ${body}
  }
}
`;

describe('program results in the range of their kind (item 15)', () => {
  const ranged = Object.values(PROGRAM_KINDS).filter((kind) => kind.returnRange !== null);

  it('covers every kind the verifier checks', () => {
    expect(ranged.map((kind) => kind.kind).sort()).toEqual(['cgroup_skb', 'fentry', 'fexit']);
  });

  it.each(ranged.map((kind) => [kind.kind, kind.returnRange!] as const))('%s: outside %j is refused, inside accepted', (kind, [low, high]) => {
    const expected = low === high ? `${low}` : `${low} to ${high}`;
    expect(diagnostics(program(kind, `return ${high + 1};`))).toContain(`k.ks:5:12: error[KS3905]: a ${kind} program returns ${expected}, not ${high + 1}`);
    expect(diagnostics(program(kind, 'return -1;'))).toContain(`k.ks:5:12: error[KS3905]: a ${kind} program returns ${expected}, not -1`);
    expect(diagnostics(program(kind, 'return v as i32;'))).toContain(`k.ks:5:12: error[KS3910]: a ${kind} program returns ${expected}, and the compiler cannot tell what this value is`);
    expect(diagnostics(program(kind, 'return (v & 3) as i32;'))[0]).toMatch(high >= 3 ? /^$/ : new RegExp(`returns ${expected}, not a value from 0 to 3`));
    expect(diagnostics(program(kind, `return ${high};`)).filter((d) => d.includes('error'))).toEqual([]);
    expect(diagnostics(program(kind, `return (v & ${high}) as i32;`)).filter((d) => d.includes('error'))).toEqual([]);
  });

  it('the fallback of a tail call is checked too', () => {
    const source = `program a : cgroup_skb("ingress") {
  fn main(ctx: SkbContext) -> i32 {
    return tail_call(ctx, b) else 7;
  }
}
program b : cgroup_skb("ingress") {
  fn main(ctx: SkbContext) -> i32 {
    return 1;
  }
}
`;
    expect(diagnostics(source)).toContain('k.ks:3:35: error[KS3905]: a cgroup_skb program returns 0 to 1, not 7');
  });
});

describeKernel('accepted results load', () => {
  it('a cgroup_skb result the compiler bounds by a mask or a comparison passes the verifier', async () => {
    const built = await buildSystem(
      program('cgroup_skb', 'if verdicts[0] != null { v = verdicts[0]; }\n    if v > 3 { return (v & 1) as i32; }\n    if v == 2 { return (v < 9) as i32; }\n    return 1;'),
      'ranged.ks',
    );
    try {
      await withPinDir(async (pinDir) => {
        const loaded = await loadAll(built.object, pinDir);
        expect(Object.keys(loaded.programs)).toEqual(['p']);
      });
    } finally {
      await built.cleanup();
    }
  });
});

describe('map sizes (item 17)', () => {
  const map = (decl: string) => `${decl}\nprogram p : xdp {\n  fn main(ctx: XdpContext) -> XdpAction {\n    return XDP_PASS;\n  }\n}\n`;

  it("refuses what the kernel refuses with E2BIG, at the size", () => {
    expect(diagnostics(map('map<u32, u64> m : HashMap(2147483647);'))).toEqual(['k.ks:1:27: error[KS2117]: a HashMap holds at most 134,217,728 entries: the kernel refuses 2,147,483,647 (E2BIG)']);
    expect(diagnostics(map('map<u32, u64> m : LruPercpuHash(134217729);'))[0]).toBe('k.ks:1:33: error[KS2117]: a LruPercpuHash holds at most 134,217,728 entries: the kernel refuses 134,217,729 (E2BIG)');
    expect(diagnostics(map('map<u32, u64> m : Array(4294967295);'))[0]).toBe('k.ks:1:25: error[KS2117]: a Array holds at most 2,147,483,648 entries: the kernel refuses 4,294,967,295 (E2BIG)');
    expect(diagnostics(map('map<u32, [u8; 32769]> m : PercpuArray(4);'))[0]).toBe('k.ks:1:10: error[KS2118]: a PercpuArray value is at most 32,768 bytes: the kernel refuses [u8; 32769] (32,769 bytes, E2BIG)');
    expect(diagnostics(map('map<u32, [u8; 32768]> m : PercpuHash(4);'))).toEqual([]);
    for (const kind of Object.values(MAP_KINDS)) expect(kind.maxEntries, kind.kind).toBeGreaterThan(1_000_000);
  });

  it('warns past 256 MiB of planned memory, naming the figure, and still compiles', () => {
    const result = compile(map('map<u32, u64> m : Array(268435456);'), { filename: 'k.ks' });
    expect(result.ok).toBe(true);
    expect(result.diagnostics.map((d) => `${d.severity}: ${d.message}`)).toEqual(['warning: map \'m\' plans 3,072 MiB of kernel memory, more than 256 MiB']);
    const perCpu = compile(map('map<u32, u64> m : PercpuArray(4194304);'), { filename: 'k.ks', cpus: 16 });
    expect(perCpu.diagnostics.map((d) => d.message)).toEqual(["map 'm' plans 528 MiB of kernel memory (on 16 CPUs), more than 256 MiB"]);
    expect(compile(map('map<u32, u64> m : HashMap(1000000);'), { filename: 'k.ks' }).diagnostics).toEqual([]);
  });
});

describe('fresh C names (item 6)', () => {
  it('16,000 shadowing lets get 16,000 distinct C names, each found without probing the ones before', () => {
    const source = `program p : xdp {\n  fn main(ctx: XdpContext) -> XdpAction {\n${'    let zz = 1;\n'.repeat(16_000)}    return XDP_PASS;\n  }\n}\n`;
    const result = compile(source, { filename: 'k.ks', lineDirectives: false });
    expect(result.ok).toBe(true);
    const names = new FreshNames();
    names.take('zz_3');
    const probed: string[] = [];
    const given = Array.from({ length: 5 }, () => names.fresh('zz', (name) => (probed.push(name), name === 'zz_5')));
    expect(given).toEqual(['zz', 'zz_2', 'zz_4', 'zz_6', 'zz_7']);
    // Each call resumes after the last name it gave: seven candidates for five names, not fifteen.
    expect(probed).toEqual(['zz', 'zz_2', 'zz_4', 'zz_5', 'zz_6', 'zz_7']);
  });
});

describe('operator chains in C (item 9)', () => {
  it("the longest chain the nesting limit allows stays within clang's 256 nested parentheses", async () => {
    // A 260-term sum used to become 258 nested parentheses, past clang's limit; the tree depth limit stops at 253 terms.
    for (const name of ['sum', 'logical chain', 'cast chain']) {
      const shape = NESTING_SHAPES.find((s) => s.name === name)!;
      const built = await buildSystem(shape.build(shape.largest), 'chain.ks');
      await built.cleanup();
    }
  });
});
