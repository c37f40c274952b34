// The seed program end to end in this kernel: compile and build with the CLI,
// load both programs into the verifier, run them on a packet, read the shared
// map; then run the generated coordinator and read the pinned map back.
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { compileBpfC, describeKernel, dumpU32Map, ethIpv4Udp, loadAll, testRun, withPinDir } from './helpers/kernel.js';

const repoRoot = join(import.meta.dirname, '..');
const bin = join(repoRoot, 'packages/compiler/bin/kernelscript.js');
/** The pin path the seed example declares. */
const SEED_PIN = '/sys/fs/bpf/shared_counter';
const XDP_PASS = 2;
const TC_ACT_OK = 0;

async function mapId(pin: string): Promise<number> {
  const { stdout } = await execa('bpftool', ['-j', 'map', 'show', 'pinned', pin]);
  return (JSON.parse(stdout) as { id: number }).id;
}

describeKernel('seed example in the kernel', () => {
  let out: string;

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'ks-seed-'));
    const build = await execa(process.execPath, [bin, 'build', 'examples/multi_programs.ks', '-o', out, '--quiet'], { cwd: repoRoot });
    expect(build.exitCode).toBe(0);
  });

  afterAll(async () => {
    rmSync(SEED_PIN, { force: true });
    await rm(out, { recursive: true, force: true });
  });

  it('generated C compiles with clang -Werror and gcc -Werror', async () => {
    await compileBpfC(join(out, 'multi_programs.ebpf.c'), join(out, 'werror.o'));
    // In the output directory, as make runs it: the coordinator embeds multi_programs.ebpf.o from there.
    await execa('gcc', ['-Wall', '-Wextra', '-Werror', '-O2', '-o', 'werror_coordinator', 'multi_programs.c', '-lbpf', '-lelf', '-lz'], { cwd: out });
  });

  it('both programs pass the verifier, run on a packet and fill shared_counter with {1: 100, 2: 200}', async () => {
    await withPinDir(async (dir) => {
      const loaded = await loadAll(join(out, 'multi_programs.ebpf.o'), dir);
      expect(Object.keys(loaded.programs).sort()).toEqual(['packet_counter', 'packet_filter']);
      const packet = ethIpv4Udp();
      expect((await testRun(loaded.programs.packet_counter!, packet)).retval).toBe(XDP_PASS);
      expect(await dumpU32Map(loaded.maps.shared_counter!)).toEqual({ 1: 100 });
      expect((await testRun(loaded.programs.packet_filter!, packet)).retval).toBe(TC_ACT_OK);
      expect(await dumpU32Map(loaded.maps.shared_counter!)).toEqual({ 1: 100, 2: 200 });
    });
  });

  it('the coordinator pins shared_counter, runs the userspace main and leaves {1: 0, 2: 0}', async () => {
    rmSync(SEED_PIN, { force: true });
    const run = await execa(join(out, 'multi_programs'), { reject: false });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(existsSync(SEED_PIN)).toBe(true);
    expect(await dumpU32Map(SEED_PIN)).toEqual({ 1: 0, 2: 0 });
  });

  it('a second coordinator run reuses the existing pin instead of creating a new map', async () => {
    const before = await mapId(SEED_PIN);
    await execa('bpftool', ['map', 'update', 'pinned', SEED_PIN, 'key', '1', '0', '0', '0', 'value', '7', '0', '0', '0']);
    expect((await dumpU32Map(SEED_PIN))[1]).toBe(7);
    const run = await execa(join(out, 'multi_programs'), { reject: false });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await mapId(SEED_PIN)).toBe(before);
    expect(await dumpU32Map(SEED_PIN)).toEqual({ 1: 0, 2: 0 });
  });

  it('make and make clean work in the output directory', async () => {
    const clean = await execa('make', ['clean'], { cwd: out });
    expect(clean.exitCode).toBe(0);
    expect(existsSync(join(out, 'multi_programs.ebpf.o'))).toBe(false);
    const make = await execa('make', [], { cwd: out });
    expect(make.exitCode, make.stderr).toBe(0);
    expect(make.stderr).toBe('');
    expect(existsSync(join(out, 'multi_programs'))).toBe(true);
  });
});
