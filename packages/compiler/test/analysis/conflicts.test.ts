// Cross-program conflicts: for every kind, a program that must be flagged and a
// near-identical one that must not (with the info note that says why).
import { describe, expect, it } from 'vitest';
import type { MapAccess, SystemAnalysis } from '../../src/index.js';
import { analyze, twoPrograms } from './two-programs.js';

const HASH = 'map<u32, u64> m : HashMap(1024);';
const kinds = (a: SystemAnalysis) => a.conflicts.map((c) => c.kind);
const describeAccess = (a: MapAccess) =>
  `${a.accessor.kind === 'program' ? a.accessor.program : 'userspace'} ${a.function} ${a.access}${a.atomic ? ' atomic' : ''} key=${a.constantKey} @${a.location.line}:${a.location.column} via ${a.callChain.join('>')}`;

describe('shared writers', () => {
  it('flags two programs writing the same key, with the seed wording and both positions', () => {
    const a = analyze(twoPrograms(HASH, 'm[1] = 1;', 'm[1] = 2;'));
    expect(a.conflicts).toHaveLength(1);
    const [c] = a.conflicts;
    expect(c!.kind).toBe('shared-writers');
    expect(c!.severity).toBe('warning');
    expect(c!.message).toBe("Map 'm' accessed by multiple programs: a, b (potential race condition)");
    expect(c!.programs).toEqual(['a', 'b']);
    expect(c!.locations).toEqual([
      { line: 4, column: 5 },
      { line: 10, column: 5 },
    ]);
  });

  it('does not flag writers of provably distinct constant keys, and says why', () => {
    const a = analyze(twoPrograms(`${HASH}\nconst SLOT_B: u32 = 2;`, 'm[1] = 1;', 'm[SLOT_B] = 2;'));
    expect(a.conflicts).toEqual([]);
    expect(a.notes.map((n) => n.message)).toEqual(["Map 'm' is written by several programs, but each writes its own constant keys (a: 1; b: 2): no race"]);
  });

  it('flags a program and userspace writing the same key', () => {
    const a = analyze(twoPrograms(HASH, 'm[1] = 1;', 'let x = m[2];', 'userspace {\n  fn main(argc: u32, argv: u64) -> i32 {\n    m[1] = 0;\n    return 0;\n  }\n}'));
    expect(kinds(a)).toEqual(['shared-writers']);
    expect(a.conflicts[0]!.userspace).toBe(true);
    expect(a.conflicts[0]!.message).toBe("Map 'm' accessed by multiple programs: a, userspace (potential race condition)");
  });

  it('does not flag read-only sharing: one writer, several readers', () => {
    const a = analyze(twoPrograms(HASH, 'let x = m[1];', 'let y = m[1];', 'userspace {\n  fn main(argc: u32, argv: u64) -> i32 {\n    m[1] = 0;\n    return 0;\n  }\n}'));
    expect(a.conflicts).toEqual([]);
    expect(a.notes.map((n) => n.message)).toEqual(["Map 'm' is shared by a, b, userspace, but only userspace writes it: no write-write race"]);
  });

  it('does not flag atomic updates from several programs, and says why', () => {
    const a = analyze(twoPrograms(HASH, 'm[1] += 1;', 'm[1] += 2;'));
    expect(a.conflicts).toEqual([]);
    expect(a.notes.map((n) => n.message)).toEqual(["Map 'm' is written by a, b only with atomic updates (op=): no lost updates"]);
  });

  it('does not flag a per-CPU map written by several programs, and says why', () => {
    const a = analyze(twoPrograms('map<u32, u64> m : PercpuHash(1024);', 'm[1] = m[1] + 1;', 'm[1] = 2;'));
    expect(a.conflicts).toEqual([]);
    expect(a.notes.map((n) => n.message)).toEqual(["Map 'm' is written by a, b, but it is per-CPU: each CPU updates its own copy, so there is no race"]);
  });
});

describe('lost updates', () => {
  it('flags m[k] = m[k] + 1 in one program (it runs on several CPUs at once), with the fix', () => {
    const a = analyze(twoPrograms(HASH, 'm[1] = m[1] + 1;', ''));
    expect(kinds(a)).toEqual(['lost-update']);
    const [c] = a.conflicts;
    expect(c!.programs).toEqual(['a']);
    expect(c!.locations).toEqual([{ line: 4, column: 5 }]);
    expect(c!.fix).toContain('m[k] += x');
    expect(c!.fix).toContain('per-CPU');
  });

  it('does not flag the same counter written with +=', () => {
    const a = analyze(twoPrograms(HASH, 'm[1] += 1;', ''));
    expect(a.conflicts).toEqual([]);
  });

  it('flags a read into a local, a change, and a write back', () => {
    const a = analyze(twoPrograms(HASH, 'let v = m[7];\n    v = v * 2;\n    m[7] = v;', ''));
    expect(kinds(a)).toEqual(['lost-update']);
    expect(a.conflicts[0]!.locations).toEqual([{ line: 6, column: 5 }]);
  });

  it('does not flag a read into a local written back to another element', () => {
    const a = analyze(twoPrograms(HASH, 'let v = m[7];\n    v = v * 2;\n    m[8] = v;', ''));
    expect(a.conflicts).toEqual([]);
  });

  it('does not flag the same read-modify-write on a per-CPU map', () => {
    const a = analyze(twoPrograms('map<u32, u64> m : PercpuArray(4);', 'm[1] = m[1] + 1;', ''));
    expect(a.conflicts).toEqual([]);
  });

  it('flags two programs doing a read-modify-write through a shared helper, at the helper line', () => {
    const source = `${HASH}
fn bump(k: u32) {
  m[k] = m[k] + 1;
}
program a : xdp {
  fn main(ctx: XdpContext) -> XdpAction {
    bump(1);
    return XDP_PASS;
  }
}
program b : tc {
  fn main(ctx: TcContext) -> TcAction {
    bump(2);
    return TC_ACT_OK;
  }
}`;
    const a = analyze(source);
    expect(kinds(a)).toEqual(['shared-writers', 'lost-update']);
    expect(a.conflicts[1]!.programs).toEqual(['a', 'b']);
    expect(a.conflicts[1]!.locations).toEqual([
      { line: 3, column: 3 },
      { line: 3, column: 3 },
    ]);
    expect(a.maps[0]!.accesses.map(describeAccess)).toEqual([
      'a bump read-modify-write key=null @3:3 via main>bump',
      'b bump read-modify-write key=null @3:3 via main>bump',
    ]);
  });

  it('flags userspace read-modify-write only when a kernel program also writes the map', () => {
    const userspace = 'userspace {\n  fn main(argc: u32, argv: u64) -> i32 {\n    m[1] = m[1] + 1;\n    return 0;\n  }\n}';
    expect(kinds(analyze(twoPrograms(HASH, 'm[2] += 1;', '', userspace)))).toEqual(['lost-update']);
    expect(kinds(analyze(twoPrograms(HASH, 'let x = m[2];', '', userspace)))).toEqual([]);
  });
});

describe('accesses', () => {
  it('records every access kind with accessor, function, call chain, constant key and position', () => {
    const source = `map<u32, u64> m : HashMap(64);
map<u32> events : RingBuffer(4096);
const K: u32 = 3;
fn touch(k: u32) -> u64 {
  delete m[k];
  return m[K];
}
program a : xdp {
  fn main(ctx: XdpContext) -> XdpAction {
    m[1] += 5;
    let t = touch(2);
    events.submit(1);
    return XDP_PASS;
  }
}
userspace {
  fn main(argc: u32, argv: u64) -> i32 {
    m[K] = 1;
    for (k, v) in m {
      print("%u %llu", k, v);
    }
    return 0;
  }
}`;
    const a = analyze(source);
    const m = a.maps.find((x) => x.name === 'm')!;
    expect(m.accesses.map(describeAccess)).toEqual([
      'a main read-modify-write atomic key=1 @10:5 via main',
      'a touch delete key=null @5:3 via main>touch',
      'a touch read key=3 @6:10 via main>touch',
      'userspace main write key=3 @18:5 via main',
      'userspace main read key=null @19:19 via main',
    ]);
    expect(m.readers).toEqual(['a', 'userspace']);
    expect(m.writers).toEqual(['a', 'userspace']);
    expect(m.readModifyWriters).toEqual(['a']);
    const events = a.maps.find((x) => x.name === 'events')!;
    expect(events.accesses.map(describeAccess)).toEqual(['a main submit key=null @12:5 via main']);
    expect(a.programs[0]!.functions).toEqual(['main', 'touch']);
  });
});
