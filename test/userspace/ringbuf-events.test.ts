// examples/ringbuf_events.ks end to end: a tracepoint submits one event per
// getppid() into a ring buffer, and the generated coordinator's poll handler
// prints each one and tallies it per process in a hash map.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildExample, type BuiltSystem } from '../helpers/build.js';
import { startCoordinator } from '../helpers/coordinator.js';
import { describeKernel } from '../helpers/kernel.js';

const CALLS = 3;

describeKernel('examples/ringbuf_events.ks: ring buffer events read by the generated coordinator', () => {
  let system: BuiltSystem;
  beforeAll(async () => {
    system = await buildExample('ringbuf_events', { coordinator: true });
  });
  afterAll(() => system?.cleanup());

  it('prints an event for each getppid() of this process and the per-process tally', async () => {
    const coordinator = startCoordinator(system.coordinator);
    try {
      await coordinator.waitFor(/listening/);
      // process.ppid calls getppid(2) each time it is read.
      for (let i = 0; i < CALLS; i++) expect(process.ppid).toBeGreaterThan(0);
      await coordinator.waitFor(new RegExp(`(getppid pid=${process.pid} uid=0 at \\d+ ns\\n(.|\\n)*){${CALLS}}`));
      const result = await coordinator.result;
      expect(result.exitCode).toBe(0);
      const tally = result.all!.match(new RegExp(`pid ${process.pid} called getppid (\\d+) times`));
      expect(Number(tally?.[1])).toBeGreaterThanOrEqual(CALLS);
      expect(result.all).toContain('dropped 0');
    } finally {
      coordinator.result.kill('SIGKILL');
      await coordinator.result;
    }
  });
});
