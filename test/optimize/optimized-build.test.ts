// `kernelscript build --optimize` in the kernel: the optimised object passes the
// verifier and gives the same verdicts and the same map contents as the
// unoptimised one on the same packets (per-CPU values summed); the generated
// coordinator reads the per-CPU counters as the sum of what two programs added
// on two CPUs; the report's instruction counts are measured.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { compile, type JsonReport } from '../../packages/compiler/src/index.js';
import { kernelInputs } from '../../packages/compiler/src/driver/kernel-inputs.js';
import { buildBpfObject } from '../../packages/compiler/src/driver/toolchain.js';
import { describeKernel, dumpMap, ethIpv4Udp, loadAll, testRun, withPinDir, type MapEntry } from '../helpers/kernel.js';

const repoRoot = join(import.meta.dirname, '../..');
const bin = join(repoRoot, 'packages/compiler/bin/kernelscript.js');
const fixture = readFileSync(join(repoRoot, 'packages/compiler/test/optimize/counters.ks'), 'utf8');

/** The fixture with its two counter maps pinned under `pinDir`, so the coordinator and bpftool share them. */
const pinnedSource = (pinDir: string) =>
  fixture
    .replace('map<u32, u64> totals : Array(4);', `map<u32, u64> totals : Array(4) { pinned: "${pinDir}/totals" };`)
    .replace('map<u32, u64> by_len : HashMap(64);', `map<u32, u64> by_len : HashMap(64) { pinned: "${pinDir}/by_len" };`);

async function build(file: string, out: string, flags: string[]): Promise<JsonReport> {
  const run = await execa(process.execPath, [bin, 'build', file, '-o', out, '--json', ...flags], { reject: false });
  expect(run.exitCode, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as JsonReport;
}

/** key (u32) → value (u64), per-CPU values summed. */
function counters(entries: MapEntry[]): Record<number, bigint> {
  const sum = (e: MapEntry) => (e.perCpuValues ?? [e.value]).reduce((total, v) => total + v.readBigUInt64LE(0), 0n);
  return Object.fromEntries(entries.map((e) => [e.key.readUInt32LE(0), sum(e)]));
}

describeKernel('build --optimize in the kernel', () => {
  it('loads, behaves like the unoptimised build, and the coordinator reads the per-CPU sums', async () => {
    await withPinDir(async (pinDir) => {
      const work = await mkdtemp(join(tmpdir(), 'ks-optimize-'));
      try {
        const file = join(work, 'counters.ks');
        await writeFile(file, pinnedSource(pinDir));
        const plainReport = await build(file, join(work, 'plain'), []);
        const report = await build(file, join(work, 'optimized'), ['--optimize']);
        expect(plainReport.optimization).toBeNull();

        // Every transformation is listed with counts measured in built objects, chained stage to stage.
        const applied = report.optimization!.applied;
        expect(applied.map((a) => a.kind)).toEqual(['constant-fold', 'dead-branch', 'per-cpu']);
        const measured = new Map(report.resources!.programs.map((p) => [p.program, p.measuredInstructions]));
        const unoptimized = new Map(plainReport.resources!.programs.map((p) => [p.program, p.measuredInstructions]));
        for (const delta of applied.flatMap((a) => a.instructions)) expect(delta.measured).toBe(true);
        const xdp = applied.flatMap((a) => a.instructions.filter((i) => i.program === 'count_xdp'));
        expect(xdp[0]!.before).toBe(unoptimized.get('count_xdp'));
        expect(xdp.at(-1)!.after).toBe(measured.get('count_xdp'));

        // Same packets through both objects: same verdicts, same counters.
        const packet = ethIpv4Udp();
        const results = [];
        for (const variant of ['plain', 'optimized']) {
          const loaded = await loadAll(join(work, variant, 'counters.ebpf.o'), join(pinDir, variant));
          const verdicts = [(await testRun(loaded.programs.count_xdp!, packet, 3)).retval, (await testRun(loaded.programs.count_tc!, packet, 2)).retval];
          results.push({ verdicts, totals: counters(await dumpMap(loaded.maps.totals!)), byLen: counters(await dumpMap(loaded.maps.by_len!)) });
        }
        const [plain, optimized] = results;
        expect(optimized).toEqual(plain);
        const length = BigInt(packet.length);
        expect(plain!.totals).toEqual({ 0: 5n, 1: 5n * length, 2: 0n, 3: 0n });
        expect(plain!.byLen).toEqual({ [packet.length & 63]: 3n });

        // The coordinator pins the per-CPU maps; two programs add on two CPUs; it reads the sums.
        const coordinator = join(work, 'optimized', 'counters');
        expect((await execa(coordinator)).stdout).toContain('packets=0 bytes=0');
        const programs = join(pinDir, 'programs');
        await execa('bpftool', ['prog', 'loadall', join(work, 'optimized', 'counters.ebpf.o'), programs, 'map', 'name', 'totals', 'pinned', join(pinDir, 'totals'), 'map', 'name', 'by_len', 'pinned', join(pinDir, 'by_len')]);
        const packetFile = join(work, 'packet.bin');
        await writeFile(packetFile, packet);
        const runOn = (cpu: number, program: string, repeat: number) =>
          execa('taskset', ['-c', String(cpu), 'bpftool', 'prog', 'run', 'pinned', join(programs, program), 'data_in', packetFile, 'repeat', String(repeat)]);
        await runOn(0, 'count_xdp', 3);
        await runOn(1, 'count_tc', 4);
        const perCpu = (await dumpMap(join(pinDir, 'totals'))).find((e) => e.key.readUInt32LE(0) === 0)!.perCpuValues!.map((v) => v.readBigUInt64LE(0));
        expect(perCpu.slice(0, 2)).toEqual([3n, 4n]);
        expect((await execa(coordinator)).stdout).toContain(`packets=7 bytes=${7n * length}`);
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    });
  });

  it('--freeze-config: the object loads without .rodata and the dead config branch is gone', async () => {
    await withPinDir(async (pinDir) => {
      const work = await mkdtemp(join(tmpdir(), 'ks-optimize-'));
      try {
        const file = join(work, 'counters.ks');
        await writeFile(file, pinnedSource(pinDir));
        const report = await build(file, join(work, 'frozen'), ['--optimize', '--freeze-config']);
        expect(report.optimization!.applied[0]!.kind).toBe('config-fold');
        const object = join(work, 'frozen', 'counters.ebpf.o');
        const sections = (await execa('llvm-readelf', ['--sections', object])).stdout;
        expect(sections).not.toContain('.rodata');
        expect(readFileSync(join(work, 'frozen', 'counters.ebpf.c'), 'utf8')).not.toContain('bpf_printk');
        const loaded = await loadAll(object, join(pinDir, 'frozen'));
        expect((await testRun(loaded.programs.count_xdp!, ethIpv4Udp())).retval).toBe(2); // XDP_PASS
        const help = await execa(join(work, 'frozen', 'counters'), ['--config', 'verbose=true'], { reject: false });
        expect(help.exitCode).not.toBe(0);
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    });
  });

  for (const example of readdirSync(join(repoRoot, 'examples')).filter((f) => f.endsWith('.ks')).sort()) {
    it(`examples/${example} optimised: clang -Werror and the verifier accept it`, async () => {
      const filename = `examples/${example}`;
      const result = compile(readFileSync(join(repoRoot, filename), 'utf8'), { filename, optimize: true, freezeConfig: true, kernel: kernelInputs() });
      expect(result.ok, result.diagnostics.map((d) => d.message).join('\n')).toBe(true);
      await withPinDir(async (pinDir) => {
        const work = await mkdtemp(join(tmpdir(), 'ks-optimize-'));
        try {
          const c = join(work, `${result.name}.ebpf.c`);
          await writeFile(c, result.files.find((f) => f.path === `${result.name}.ebpf.c`)!.contents);
          await buildBpfObject(c, join(work, 'object.o'), { cflags: ['-Werror'] });
          const loaded = await loadAll(join(work, 'object.o'), pinDir);
          expect(Object.keys(loaded.programs).sort()).toEqual(result.analysis!.programs.map((p) => p.name).sort());
        } finally {
          await rm(work, { recursive: true, force: true });
        }
      });
    });
  }
});
