// Map-kind suggestions, each with its reason: one program that earns it and a
// near-identical one that must not.
import { describe, expect, it } from 'vitest';
import type { Suggestion } from '../../src/index.js';
import { analyze, twoPrograms } from './two-programs.js';

function suggestions(map: string, xdpBody: string, tcBody = ''): Suggestion[] {
  // Userspace iterates the map: a reader that only sums.
  const userspace = `userspace {
  fn main(argc: u32, argv: u64) -> i32 {
    for (k, v) in m {
      print("%u", k);
    }
    return 0;
  }
}`;
  return analyze(twoPrograms(map, xdpBody, tcBody, userspace)).suggestions;
}

const BIG_HASH = 'map<u32, u64> m : HashMap(4096);';

describe('per-CPU suggestion', () => {
  it('suggests PercpuHash for a counter updated from several programs and only summed by userspace', () => {
    const [s] = suggestions(BIG_HASH, 'm[ctx.ingress_ifindex] += 1;', 'm[ctx.ifindex] += 1;').filter((x) => x.kind === 'per-cpu');
    expect(s).toMatchObject({ map: 'm', from: 'hash_map', to: 'percpu_hash' });
    expect(s!.message).toBe("Consider using PercpuHash for map 'm' to reduce contention between programs: a, b");
    expect(s!.reason).toContain('userspace reads sum the per-CPU copies');
  });

  it('does not suggest it when a kernel program reads the value (it would see one CPU only)', () => {
    const found = suggestions(BIG_HASH, 'm[ctx.ingress_ifindex] += 1;', 'if m[ctx.ifindex] > 100 {\n      return TC_ACT_SHOT;\n    }\n    m[ctx.ifindex] += 1;');
    expect(found.filter((x) => x.kind === 'per-cpu')).toEqual([]);
  });

  it('suggests PercpuArray for an Array counter with one non-atomic updater, not for a struct value', () => {
    expect(suggestions('map<u32, u64> m : Array(4);', 'm[1] = m[1] + 1;').map((x) => x.to)).toEqual(['percpu_array']);
    expect(suggestions('struct S { n: u64 }\nmap<u32, S> m : Array(4);', 'm[1].n += 1;').map((x) => x.to)).toEqual([]);
  });
});

describe('LRU suggestion', () => {
  it('suggests LruHash for a hash map programs insert computed keys into and nothing deletes from', () => {
    const found = suggestions(BIG_HASH, 'm[ctx.ingress_ifindex] = 1;').filter((x) => x.kind === 'lru');
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toBe("Consider using LruHash for map 'm': it only grows (nothing deletes from it)");
    expect(found[0]!.reason).toContain('once 4096 keys are in, every new insert fails');
  });

  it('does not suggest it when something deletes from the map', () => {
    const found = suggestions(BIG_HASH, 'm[ctx.ingress_ifindex] = 1;', 'delete m[ctx.ifindex];');
    expect(found.filter((x) => x.kind === 'lru')).toEqual([]);
  });
});

describe('Array suggestion', () => {
  it('suggests Array for a small hash map used only with small constant keys', () => {
    const found = suggestions('map<u32, u64> m : HashMap(16);', 'm[0] = 1;', 'm[3] = 2;').filter((x) => x.kind === 'array');
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toBe("Consider using Array for map 'm': its keys are small constants (0, 3)");
  });

  it('does not suggest it when a key is computed or out of range', () => {
    expect(suggestions('map<u32, u64> m : HashMap(16);', 'm[0] = 1;', 'm[ctx.ifindex] = 2;').filter((x) => x.kind === 'array')).toEqual([]);
    expect(suggestions('map<u32, u64> m : HashMap(16);', 'm[0] = 1;', 'm[16] = 2;').filter((x) => x.kind === 'array')).toEqual([]);
  });
});
