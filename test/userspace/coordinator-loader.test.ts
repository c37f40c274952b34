// The generated coordinator as libbpf-bootstrap's loaders are: one
// self-contained binary (the eBPF object embedded when it is compiled, as a
// libbpf skeleton carries it), printing libbpf's warnings and errors, and its
// debug messages only with --verbose (libbpf_set_print, as bootstrap.c does).
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildSystem, type BuiltSystem } from '../helpers/build.js';
import { describeKernel } from '../helpers/kernel.js';

const SOURCE = `map<u32, u64> seen : Array(1);

program count : xdp {
  fn main(ctx: XdpContext) -> XdpAction {
    seen[0] += 1;
    return XDP_PASS;
  }
}

userspace {
  fn main() -> i32 {
    seen[0] = 41;
    seen[0] += 1;
    print("seen=%llu\\n", seen[0]);
    return 0;
  }
}
`;

describeKernel('the generated coordinator', () => {
  let system: BuiltSystem;
  let alone: string;
  beforeAll(async () => {
    system = await buildSystem(SOURCE, 'quiet.ks', { coordinator: true });
    alone = await mkdtemp(join(tmpdir(), 'ks-alone-'));
  });
  afterAll(async () => {
    await system?.cleanup();
    if (alone) await rm(alone, { recursive: true, force: true });
  });

  it('is quiet by default and shows what libbpf does with --verbose', async () => {
    const quiet = await execa(system.coordinator, []);
    expect(quiet.stderr).toBe('');
    for (const flag of ['--verbose', '-v']) {
      const verbose = await execa(system.coordinator, [flag]);
      expect(verbose.stderr).toMatch(/^libbpf: loading object 'quiet' from buffer$/m);
      expect(verbose.stderr).toMatch(/^libbpf: sec 'xdp': found program 'count'/m);
    }
  });

  it('lists --verbose in --help', async () => {
    const { stdout } = await execa(system.coordinator, ['--help']);
    expect(stdout).toContain("  -v, --verbose  also print libbpf's debug messages (what it does while opening and loading)");
  });

  it('runs from an empty directory with only the binary: the object is inside it', async () => {
    await copyFile(system.coordinator, join(alone, 'quiet'));
    expect(await readdir(alone)).toEqual(['quiet']);
    const run = await execa(join(alone, 'quiet'), [], { cwd: alone, reject: false });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('seen=42');
    expect(run.exitCode).toBe(0);
  });
});
