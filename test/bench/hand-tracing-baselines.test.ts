// The hand-written tracing baselines of bench/4-hand-baselines.bench.mjs
// (test/bench/hand/execsnoop.bpf.c, opensnoop.bpf.c: libbpf-tools style, with
// vmlinux.h and BPF_CORE_READ) are true equivalents of the generated
// programs: both objects are loaded with the example's metadata and attached
// at once, the same exec and the same opens happen once, and each reports
// exactly the same events.
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { load, type RingBufferHandle } from '../../packages/runtime/src/index.js';
import { buildBpfObject } from '../../packages/compiler/src/driver/toolchain.js';
import { buildExample, REPO_ROOT, type BuiltSystem } from '../helpers/build.js';
import { describeKernel, ensureTracefs } from '../helpers/kernel.js';
import { vmlinuxInclude } from '../../bench/vmlinux-header.mjs';

describeKernel('hand-written tracing baselines (test/bench/hand/) report exactly what the generated programs report', () => {
  const built: Record<string, { generated: BuiltSystem; hand: string }> = {};
  beforeAll(async () => {
    ensureTracefs();
    for (const example of ['execsnoop', 'opensnoop']) {
      const generated = await buildExample(example);
      const hand = join(generated.dir, `${example}.hand.o`);
      // The driver's own flags, and vmlinux.h, as libbpf-tools build.
      await buildBpfObject(join(REPO_ROOT, 'test/bench/hand', `${example}.bpf.c`), hand, { cflags: ['-Werror', await vmlinuxInclude(generated.dir)] });
      built[example] = { generated, hand };
    }
  });
  afterAll(async () => {
    for (const { generated } of Object.values(built)) await generated.cleanup();
  });

  /** Both objects of `example` loaded and attached while `trigger` runs; the events each reported. */
  async function bothReport<E>(example: string, trigger: () => Promise<void>): Promise<[E[], E[]]> {
    const { generated, hand } = built[example]!;
    using fromGenerated = load({ metadata: generated.metadata, object: generated.object });
    using fromHand = load({ metadata: generated.metadata, object: hand });
    const systems = [fromGenerated, fromHand];
    for (const system of systems) for (const program of Object.values(system.programs)) program.attach();
    try {
      await trigger();
    } finally {
      for (const system of systems) for (const program of Object.values(system.programs)) program.detach();
    }
    const events = (system: typeof fromGenerated) => (system.maps.events as RingBufferHandle<E>).consume();
    return [events(fromGenerated), events(fromHand)];
  }

  it('test/bench/hand/execsnoop.bpf.c: the same events as examples/execsnoop.ks for `/bin/true a b c` and a long argv', async () => {
    const long = Array.from({ length: 12 }, (_, i) => `argument-${i}-${'x'.repeat(30)}`);
    const pids: number[] = [];
    const [generated, hand] = await bothReport<{ pid: number }>('execsnoop', async () => {
      for (const args of [['a', 'b', 'c'], long]) {
        const child = execa('/bin/true', args);
        pids.push(child.pid!);
        await child;
      }
    });
    const ours = (events: { pid: number }[]) => events.filter((e) => pids.includes(e.pid)).sort((a, b) => a.pid - b.pid);
    expect(ours(generated)).toHaveLength(2);
    expect(ours(hand)).toEqual(ours(generated));
  });

  it('test/bench/hand/opensnoop.bpf.c: the same events as examples/opensnoop.ks for a created file and a missing one', async () => {
    const path = join(tmpdir(), `ks-hand-opensnoop-${randomBytes(6).toString('hex')}`);
    const [generated, hand] = await bothReport<{ pid: number; filename: number[] }>('opensnoop', async () => {
      closeSync(openSync(path, 'w'));
      expect(() => openSync(`${path}-missing`, 'r')).toThrow(/ENOENT/);
      rmSync(path, { force: true });
    });
    const ours = (events: { pid: number; filename: number[] }[]) => events.filter((e) => e.pid === process.pid && Buffer.from(e.filename).toString().startsWith(path));
    expect(ours(generated)).toHaveLength(2);
    expect(ours(hand)).toEqual(ours(generated));
  });
});
