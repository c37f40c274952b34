// Golden files for the seed example: the generated C, coordinator and Makefile
// are the user-visible output. Regenerate after an intended change with
//   UPDATE_GOLDEN=1 pnpm vitest run packages/compiler/test/golden.test.ts
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../src/compile.js';

const repoRoot = join(import.meta.dirname, '../../..');
const goldenDir = join(import.meta.dirname, 'golden/multi_programs');
const filename = 'examples/multi_programs.ks';
const source = readFileSync(join(repoRoot, filename), 'utf8');

describe('seed example output', () => {
  const result = compile(source, { filename });

  it('compiles without errors', () => {
    expect(result.ok).toBe(true);
    expect(result.files.map((f) => f.path)).toEqual(['multi_programs.ebpf.c', 'multi_programs.c', 'Makefile']);
  });

  for (const file of result.files) {
    it(`matches golden ${file.path}`, () => {
      const path = join(goldenDir, file.path);
      if (process.env.UPDATE_GOLDEN) {
        mkdirSync(goldenDir, { recursive: true });
        writeFileSync(path, file.contents);
      }
      expect(file.contents).toBe(readFileSync(path, 'utf8'));
    });
  }

  it('is byte-identical across compilations', () => {
    const again = compile(source, { filename });
    expect(again.files).toEqual(result.files);
    expect(JSON.stringify(again.analysis)).toBe(JSON.stringify(result.analysis));
  });

  it('reports the programs, the global map, the conflict and the PercpuHash suggestion', () => {
    const analysis = result.analysis!;
    expect(analysis.programs.map((p) => [p.name, p.kind, p.section])).toEqual([
      ['packet_counter', 'xdp', 'xdp'],
      ['packet_filter', 'tc', 'tc'],
    ]);
    expect(analysis.maps.map((m) => [m.name, m.kind, m.scope, m.pinPath])).toEqual([['shared_counter', 'hash_map', 'global', '/sys/fs/bpf/shared_counter']]);
    expect(analysis.conflicts.map((c) => c.message)).toEqual([
      "Map 'shared_counter' accessed by multiple programs: packet_counter, packet_filter (potential race condition)",
    ]);
    expect(analysis.suggestions.map((s) => s.message)).toEqual([
      "Consider using PercpuHash for map 'shared_counter' to reduce contention between programs: packet_counter, packet_filter",
    ]);
    const writes = analysis.maps[0]!.accesses.map((a) => `${a.accessor.kind === 'program' ? a.accessor.program : 'userspace'} ${a.access} key=${a.constantKey} @${a.location.line}:${a.location.column}`);
    expect(writes).toEqual([
      'packet_counter write key=1 @8:5',
      'packet_filter write key=2 @16:5',
      'userspace write key=1 @23:5',
      'userspace write key=2 @24:5',
    ]);
  });

  it('computes the resource plan from the code', () => {
    const plan = result.resources!;
    // Key and value of the update live on the stack: 4 + 4 bytes.
    expect(plan.programs.map((p) => [p.program, p.stackBytes])).toEqual([
      ['packet_counter', 8],
      ['packet_filter', 8],
    ]);
    // (4-byte key + 4-byte value) × 1024 entries.
    expect(plan.totalMapMemoryBytes).toBe(8 * 1024);
    expect(plan.withinLimits).toBe(true);
  });
});

describe('resource figures follow the code', () => {
  const plan = (body: string) =>
    compile(`map<u64, u64> big : HashMap(100);\nprogram p : xdp {\n  fn main(ctx: XdpContext) -> XdpAction {\n${body}\n    return XDP_PASS;\n  }\n}\n`, { filename: 'p.ks' }).resources!
      .programs[0]!;

  it('stack grows with the locals whose address is taken; one statement\'s temporaries reuse another\'s slots', () => {
    expect(plan('').stackBytes).toBe(0);
    // key + value of one update
    expect(plan('    big[1] = 2;').stackBytes).toBe(16);
    // each statement's key and value live in its own C block
    expect(plan('    big[1] = 2;\n    big[3] = 4;').stackBytes).toBe(16);
    // a local passed by address lives for the rest of the block, beside the statement temporaries
    expect(plan('    let k: u64 = 1;\n    big[k] = 2;\n    big[3] = 4;').stackBytes).toBe(8 + 16);
  });

  it('instruction estimate grows with the statements', () => {
    const one = plan('    big[1] = 2;').estimatedInstructions;
    const two = plan('    big[1] = 2;\n    big[3] = 4;').estimatedInstructions;
    expect(two).toBeGreaterThan(one);
    expect(one).toBeGreaterThan(plan('').estimatedInstructions);
  });

  it('map memory is (key + value) × max_entries, × CPUs for per-CPU kinds', () => {
    const memory = (decl: string, cpus: number) => compile(`${decl}\n`, { filename: 'm.ks', cpus }).resources!.totalMapMemoryBytes;
    expect(memory('map<u32, u64> a : HashMap(10);', 4)).toBe(120);
    expect(memory('map<u32, u32> a : PercpuArray(10);', 4)).toBe((4 + 8 * 4) * 10);
    expect(memory('map<u64> e : RingBuffer(8192);', 4)).toBe(8192);
  });
});
