// The opt-in optimiser without a kernel: the default output is untouched, each
// transformation changes what it says and only that, and folding refuses what
// C would compute differently. The kernel half is optimize-kernel.test.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, type CompileOptions, type CompileResult } from '../../src/index.js';
import { INT_TYPES, type Type } from '../../src/phases/2-symbols/types.js';
import type { IrExpr } from '../../src/phases/5-ir/ir.js';
import { foldExpr } from '../../src/phases/5-ir/optimize/fold-constants.js';

const repoRoot = join(import.meta.dirname, '../../../..');
const examples = readdirSync(join(repoRoot, 'examples')).filter((f) => f.endsWith('.ks')).sort();
const countersFile = 'packages/compiler/test/optimize/counters.ks';
const counters = readFileSync(join(repoRoot, countersFile), 'utf8');

function compileOk(source: string, options: Omit<CompileOptions, 'filename'> = {}, filename = 'test.ks'): CompileResult {
  const result = compile(source, { filename, ...options });
  expect(result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
  return result;
}

const ebpfC = (result: CompileResult) => result.files.find((f) => f.path.endsWith('.ebpf.c'))!.contents;
const coordinatorC = (result: CompileResult) => result.files.find((f) => f.path === `${result.name}.c`)!.contents;
const withoutLines = (c: string) => c.replace(/^#line .*\n/gm, '');

describe('without optimize the output is the default, byte for byte', () => {
  for (const example of examples) {
    it(`examples/${example}`, () => {
      const filename = `examples/${example}`;
      const source = readFileSync(join(repoRoot, filename), 'utf8');
      const plain = compile(source, { filename });
      const off = compile(source, { filename, optimize: false });
      const empty = compile(source, { filename, optimize: [] });
      expect(off.files).toEqual(plain.files);
      expect(off.metadata).toEqual(plain.metadata);
      expect(empty.files).toEqual(plain.files);
      expect(plain.optimization).toBeNull();
      expect(off.optimization).toBeNull();
    });
  }
});

describe('optimize: true on the counters fixture', () => {
  const plain = compileOk(counters, {}, countersFile);
  const optimized = compileOk(counters, { optimize: true }, countersFile);
  const report = optimized.optimization!;

  it('runs every transformation but config folding, in order', () => {
    expect(report.enabled).toEqual(['constant-fold', 'dead-branch', 'per-cpu']);
    expect(report.applied.map((a) => a.kind)).toEqual(['constant-fold', 'dead-branch', 'per-cpu']);
  });

  it('folds constant expressions over literals and consts, and reports the outermost fold once', () => {
    const fold = report.applied.find((a) => a.kind === 'constant-fold')!;
    expect(fold.changes.map((c) => [c.line, c.message, c.programs])).toEqual([
      [21, '(4 << 2) / 16 → 1', ['count_xdp']],
      [22, '(4 * 2) > 100 → false', ['count_xdp']],
    ]);
    expect(ebpfC(plain)).toContain('__sync_fetch_and_add(by_len_elem, (4 << 2) / 16);');
    expect(ebpfC(optimized)).toContain('__sync_fetch_and_add(by_len_elem, 1);');
  });

  it('removes the dead if and while, and the local only the dead branch used', () => {
    const dead = report.applied.find((a) => a.kind === 'dead-branch')!;
    expect(dead.changes.map((c) => [c.subject, c.line, c.message])).toEqual([
      ['main', 22, 'if false: removed the then branch (2 statement(s)) and the if'],
      ['main', 40, 'while false: removed the loop (1 statement(s))'],
    ]);
    expect(ebpfC(plain)).toContain('__u64 wasted = len * 3;');
    expect(ebpfC(optimized)).not.toContain('wasted');
    expect(ebpfC(optimized)).not.toContain('while (false)');
  });

  it('converts both counter maps to their per-CPU kinds everywhere the kind matters', () => {
    const perCpu = report.applied.find((a) => a.kind === 'per-cpu')!;
    expect(perCpu.changes.map((c) => [c.subject, c.programs])).toEqual([
      ['totals', ['count_xdp', 'count_tc']],
      ['by_len', ['count_xdp']],
    ]);
    const maps = optimized.metadata!.maps;
    expect([maps.totals!.kind, maps.totals!.bpfType, maps.by_len!.kind, maps.by_len!.bpfType]).toEqual([
      'percpu_array',
      'BPF_MAP_TYPE_PERCPU_ARRAY',
      'percpu_hash',
      'BPF_MAP_TYPE_PERCPU_HASH',
    ]);
    expect(plain.metadata!.maps.totals!.kind).toBe('array');
    expect(ebpfC(optimized)).toContain('__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);');
    expect(ebpfC(optimized)).toContain('__uint(type, BPF_MAP_TYPE_PERCPU_HASH);');
    // The coordinator's accessors sum over CPUs.
    expect(coordinatorC(optimized)).toContain('totals is per-CPU: a read sums');
    expect(coordinatorC(plain)).not.toContain('is per-CPU');
    // Map memory is planned for the per-CPU kind.
    expect(optimized.resources!.maps.find((m) => m.map === 'totals')!.perCpu).toBe(true);
    // The analysis still describes the source.
    expect(optimized.analysis).toEqual(plain.analysis);
  });

  it('lists the IR-estimated instructions of the affected programs before and after each step', () => {
    for (const step of report.applied) {
      const programs = [...new Set(step.changes.flatMap((c) => c.programs))].sort();
      expect(step.instructions.map((i) => i.program)).toEqual(programs);
      for (const delta of step.instructions) expect(delta.measured).toBe(false);
    }
    const dead = report.applied.find((a) => a.kind === 'dead-branch')!;
    const xdp = dead.instructions.find((i) => i.program === 'count_xdp')!;
    expect(xdp.after).toBeLessThan(xdp.before);
  });

  it('keeps config as load-time globals without freezeConfig', () => {
    expect(ebpfC(optimized)).toContain('const volatile bool config_verbose = false;');
    expect(withoutLines(ebpfC(optimized))).toContain('if (config_verbose) {');
    expect(Object.keys(optimized.metadata!.config)).toEqual(['verbose', 'min_len']);
  });

  it('runs only the listed kinds', () => {
    const onlyPerCpu = compileOk(counters, { optimize: ['per-cpu'] }, countersFile);
    expect(onlyPerCpu.optimization!.applied.map((a) => a.kind)).toEqual(['per-cpu']);
    expect(ebpfC(onlyPerCpu)).toContain('(4 << 2) / 16');
  });
});

describe('freezeConfig', () => {
  const frozen = compileOk(counters, { optimize: true, freezeConfig: true }, countersFile);

  it('folds config reads into their defaults and removes the globals, the --config options and the metadata entries', () => {
    const report = frozen.optimization!;
    expect(report.applied.map((a) => a.kind)).toEqual(['config-fold', 'constant-fold', 'dead-branch', 'per-cpu']);
    expect(report.applied[0]!.changes.map((c) => c.subject)).toEqual(['verbose', 'min_len']);
    const c = ebpfC(frozen);
    expect(c).not.toContain('const volatile');
    expect(c).not.toContain('config_');
    // `if config.verbose { print(...) }` is gone with its branch.
    expect(c).not.toContain('bpf_printk');
    expect(frozen.metadata!.config).toEqual({});
    expect(coordinatorC(frozen)).not.toContain('config_verbose');
  });

  it('does nothing without optimize', () => {
    const plain = compileOk(counters, {}, countersFile);
    expect(compileOk(counters, { freezeConfig: true }, countersFile).files).toEqual(plain.files);
  });
});

describe('per-CPU conversion is declined when readers would not see the same values', () => {
  it('the seed: programs write shared_counter with =', () => {
    const filename = 'examples/multi_programs.ks';
    const result = compileOk(readFileSync(join(repoRoot, filename), 'utf8'), { optimize: true }, filename);
    expect(result.optimization!.applied).toEqual([]);
    expect(result.optimization!.declined.map((d) => d.reason)).toEqual([
      "map 'shared_counter' stays HashMap: packet_counter (line 8) writes it with '=': each CPU would keep its own value and readers would see their sum; packet_filter (line 16) writes it with '=': each CPU would keep its own value and readers would see their sum",
    ]);
    expect(result.metadata!.maps.shared_counter!.kind).toBe('hash_map');
  });

  const source = (extra: string) => `
map<u32, u64> hits : HashMap(16);
program a : xdp {
  fn main(ctx: XdpContext) -> XdpAction {
    hits[1] += 1;
    ${extra}
    return XDP_PASS;
  }
}`;

  it('a kernel read', () => {
    const result = compileOk(source('if hits[1] > 10 { return XDP_DROP; }'), { optimize: true });
    expect(result.optimization!.declined.map((d) => d.reason)).toEqual([
      "map 'hits' stays HashMap: a (line 6) reads it in the kernel, where a per-CPU map shows only the running CPU's copy",
    ]);
    expect(ebpfC(result)).toContain('BPF_MAP_TYPE_HASH');
  });

  it('an |= update', () => {
    const result = compileOk(source('hits[2] |= 4;'), { optimize: true });
    expect(result.optimization!.declined[0]!.reason).toContain("updates it with '|='");
  });

  it('but not a delete', () => {
    const result = compileOk(source('delete hits[2];'), { optimize: true });
    expect(result.optimization!.applied.map((a) => a.kind)).toEqual(['per-cpu']);
  });
});

describe('dead code after a return', () => {
  it('is dropped, with the locals only it used', () => {
    const source = `
map<u32, u64> hits : Array(4);
program a : xdp {
  fn main(ctx: XdpContext) -> XdpAction {
    let n = ctx.len();
    if n > 100 {
      return XDP_DROP;
    } else {
      return XDP_PASS;
    }
    let later = n + 1;
    hits[0] += later as u64;
    return XDP_ABORTED;
  }
}`;
    const result = compileOk(source, { optimize: true });
    const dead = result.optimization!.applied.find((a) => a.kind === 'dead-branch')!;
    expect(dead.changes[0]!.message).toBe('removed 3 unreachable statement(s) after an if whose branches all leave');
    expect(ebpfC(result)).not.toContain('later');
    expect(ebpfC(result)).not.toContain('XDP_ABORTED');
  });
});

describe('locals only dead code read', () => {
  it('are removed with their definitions, through chains', () => {
    const source = `
map<u32, u64> hits : Array(4);
program a : xdp {
  fn main(ctx: XdpContext) -> XdpAction {
    let n = ctx.len();
    let doubled = n * 2;
    if 1 > 2 {
      hits[0] += doubled as u64;
    }
    return XDP_PASS;
  }
}`;
    const result = compileOk(source, { optimize: true });
    const dead = result.optimization!.applied.find((a) => a.kind === 'dead-branch')!;
    expect(dead.changes.map((c) => c.message)).toEqual([
      'if false: removed the then branch (1 statement(s)) and the if',
      "removed 'doubled': only removed code read it",
      "removed 'n': only removed code read it",
    ]);
    expect(ebpfC(result)).not.toMatch(/\bdoubled\b|\bn = /);
  });
});

describe('foldExpr folds only what C computes to the same value', () => {
  const int = (value: bigint, type: Type = INT_TYPES.u32): IrExpr => ({ op: 'int', value, type });
  const binary = (operator: Extract<IrExpr, { op: 'binary' }>['operator'], left: IrExpr, right: IrExpr, type: Type = INT_TYPES.u32): IrExpr => ({ op: 'binary', operator, left, right, type });
  const local: IrExpr = { op: 'local', local: { name: 'x', type: { kind: 'bool' }, role: 'variable', addressTaken: false } };

  it('folds in-range arithmetic, comparisons and boolean logic', () => {
    expect(foldExpr(binary('*', int(6n), int(7n)))).toEqual(int(42n));
    expect(foldExpr(binary('<', int(1n), int(2n), { kind: 'bool' }))).toEqual({ op: 'bool', value: true });
    expect(foldExpr(binary('/', int(-7n, INT_TYPES.i32), int(2n, INT_TYPES.i32), INT_TYPES.i32))).toEqual(int(-3n, INT_TYPES.i32));
    expect(foldExpr(binary('%', int(-7n, INT_TYPES.i32), int(2n, INT_TYPES.i32), INT_TYPES.i32))).toEqual(int(-1n, INT_TYPES.i32));
    expect(foldExpr({ op: 'unary', operator: '~', operand: int(5n, INT_TYPES.i32), type: INT_TYPES.i32 })).toEqual(int(-6n, INT_TYPES.i32));
    expect(foldExpr({ op: 'unary', operator: '~', operand: int(0n), type: INT_TYPES.u32 })).toEqual(int(0xffff_ffffn));
  });

  it('folds a cast of a constant inside an expression as C converts it', () => {
    const cast: IrExpr = { op: 'cast', value: int(300n), type: INT_TYPES.u8 };
    expect(foldExpr(binary('+', cast, int(1n, INT_TYPES.u8), INT_TYPES.u8))).toEqual(int(45n, INT_TYPES.u8));
    // Alone, the cast stays: the C literal would lose its type.
    expect(foldExpr(cast)).toBe(cast);
  });

  it('short-circuits && and || on a constant left side', () => {
    expect(foldExpr(binary('&&', { op: 'bool', value: false }, local, { kind: 'bool' }))).toEqual({ op: 'bool', value: false });
    expect(foldExpr(binary('||', { op: 'bool', value: false }, local, { kind: 'bool' }))).toBe(local);
  });

  it('leaves wrap-around, wide shifts, division by zero, narrow ~ and mixed signedness alone', () => {
    const unchanged = [
      binary('-', int(3n), int(5n)),
      binary('+', int(0xffff_ffffn), int(1n)),
      binary('<<', int(1n), int(32n)),
      binary('<<', int(1n), int(31n), INT_TYPES.u8),
      binary('/', int(1n), int(0n)),
      { op: 'unary', operator: '~', operand: int(5n, INT_TYPES.u8), type: INT_TYPES.u8 } as IrExpr,
      binary('<', int(-1n, INT_TYPES.i32), int(1n), { kind: 'bool' }),
    ];
    for (const expr of unchanged) expect(foldExpr(expr)).toBe(expr);
  });
});
