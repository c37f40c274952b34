// The generated coordinator prints libbpf's warnings and errors, and its
// debug messages only with --verbose (libbpf_set_print, as bootstrap.c does).
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
    return 0;
  }
}
`;

describeKernel('coordinator --verbose', () => {
  let system: BuiltSystem;
  beforeAll(async () => {
    system = await buildSystem(SOURCE, 'quiet.ks', { coordinator: true });
  });
  afterAll(() => system?.cleanup());

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
});
