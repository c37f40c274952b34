// perf_event programs (LANGUAGE.md §15): both loaders open the event on every
// CPU and attach; the samples the program counts arrive while this process
// burns CPU. A hardware event this machine lacks (this VM has no hardware
// counters: ENOENT) is a clear error when loading, in the runtime and the
// coordinator alike.
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { load, type MapHandle } from '../../packages/runtime/src/index.js';
import { buildSystem, type BuiltSystem } from '../helpers/build.js';
import { describeKernel } from '../helpers/kernel.js';

const sampler = (target: string, userspace = '') => `
map<u32, u64> samples : PercpuArray(1);
map<u32, u64> last_period : Array(1);

program sample : perf_event("${target}") {
  fn main(ctx: PerfEventContext) -> i32 {
    samples[0] += 1;
    last_period[0] = ctx.sample_period;
    return 0;
  }
}
${userspace}`;

const COORDINATOR = `
userspace {
  fn main() -> i32 {
    if attach(sample, "") != 0 {
      print("cannot attach\\n");
      return 1;
    }
    let start = samples[0];
    sleep(400);
    print("samples %llu\\n", samples[0] - start);
    return 0;
  }
}
`;

function burnCpu(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end);
}

describeKernel('perf_event programs: software events sample, hardware events this VM lacks fail at load', () => {
  const built: Record<string, BuiltSystem> = {};
  beforeAll(async () => {
    built.clock = await buildSystem(sampler('cpu-clock:freq=999', COORDINATOR), 'clock.ks', { coordinator: true });
    built.faults = await buildSystem(sampler('page-faults:period=1'), 'faults.ks');
    built.cycles = await buildSystem(sampler('cycles', COORDINATOR), 'cycles.ks', { coordinator: true });
  });
  afterAll(async () => {
    for (const system of Object.values(built)) await system.cleanup();
  });

  it('the runtime samples cpu-clock at 999 Hz on every CPU while this process burns CPU', () => {
    using system = load({ metadata: built.clock!.metadata, object: built.clock!.object });
    const attachment = system.programs.sample.attach();
    expect(attachment.description).toMatch(/^perf_event:cpu-clock:freq=999:\d+ CPUs$/);
    burnCpu(300);
    attachment.detach();
    const samples = (system.maps.samples as MapHandle<number, bigint>).get(0)!;
    // 999 Hz for 0.3 s on the CPU this test runs on (the other CPUs sample too, when busy).
    expect(samples).toBeGreaterThan(100n);
    // In frequency mode the kernel reports the period it chose: about 1 ms of cpu-clock, in ns.
    expect((system.maps.last_period as MapHandle<number, bigint>).get(0)).toBeGreaterThan(100_000n);
    burnCpu(50);
    expect((system.maps.samples as MapHandle<number, bigint>).get(0)).toBe(samples);
  });

  it('the runtime samples every page fault with page-faults:period=1', () => {
    using system = load({ metadata: built.faults!.metadata, object: built.faults!.object });
    system.programs.sample.attach();
    // Each fresh 64 KiB buffer touched page by page faults its pages in.
    for (let i = 0; i < 50; i++) Buffer.alloc(1 << 16).fill(1);
    system.programs.sample.detach();
    expect((system.maps.samples as MapHandle<number, bigint>).get(0)).toBeGreaterThan(0n);
    expect((system.maps.last_period as MapHandle<number, bigint>).get(0)).toBe(1n);
  });

  it('the coordinator attaches cpu-clock on every CPU and counts samples while it sleeps', async () => {
    const burner = execa(process.execPath, ['-e', 'const end = Date.now() + 1500; while (Date.now() < end);']);
    try {
      const result = await execa(built.clock!.coordinator, [], { reject: false, all: true, timeout: 20_000 });
      expect(result.exitCode, result.all).toBe(0);
      expect(Number(/samples (\d+)/.exec(result.stdout)?.[1])).toBeGreaterThan(50);
    } finally {
      burner.kill();
      await burner.catch(() => {});
    }
  });

  it('loading a perf_event program on a hardware event this machine lacks says so, in the runtime', () => {
    expect(() => load({ metadata: built.cycles!.metadata, object: built.cycles!.object })).toThrow(
      /^opening perf event 'cycles' on CPU \d+ for perf_event program 'sample' failed: ENOENT \(No such file or directory\)\n'cycles' is a hardware event, and this machine has no hardware performance counter for it \(most virtual machines have none\): sample a software event such as cpu-clock instead/,
    );
  });

  it('loading a perf_event program on a hardware event this machine lacks says so, in the coordinator', async () => {
    const result = await execa(built.cycles!.coordinator, [], { reject: false, all: true, timeout: 20_000 });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("perf_event program sample: cannot open perf event 'cycles': No such file or directory\nit is a hardware event, and this machine has no hardware performance counter for it");
    expect(result.stdout).not.toContain('samples');
  });
});
