// The generated coordinator is one self-contained binary, as a libbpf
// skeleton's loader is: the eBPF object is embedded when it is compiled, so
// the binary copied alone into an empty directory loads its programs.
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

describeKernel('self-contained coordinator', () => {
  let system: BuiltSystem;
  let alone: string;
  beforeAll(async () => {
    system = await buildSystem(SOURCE, 'alone.ks', { coordinator: true });
    alone = await mkdtemp(join(tmpdir(), 'ks-alone-'));
  });
  afterAll(async () => {
    await system?.cleanup();
    if (alone) await rm(alone, { recursive: true, force: true });
  });

  it('runs from an empty directory with only the binary: the object is inside it', async () => {
    await copyFile(system.coordinator, join(alone, 'alone'));
    await system.cleanup();
    expect(await readdir(alone)).toEqual(['alone']);
    const run = await execa(join(alone, 'alone'), [], { cwd: alone, reject: false });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('seen=42');
    expect(run.exitCode).toBe(0);
  });
});
