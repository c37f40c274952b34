// examples/rate_limiter.ks: per-source token bucket in an LruHash, with load-time config.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKernel, ethArp, ethIpv4Udp, truncated } from '../helpers/kernel.js';
import { load, type MapHandle } from '../../packages/runtime/src/index.js';
import { buildExample, type BuiltSystem } from '../helpers/build.js';

const XDP_DROP = 1;
const XDP_PASS = 2;

describeKernel('examples/rate_limiter.ks (xdp token bucket per source IP in an LruHash)', () => {
  let built: BuiltSystem;
  beforeAll(async () => {
    built = await buildExample('rate_limiter');
  });
  afterAll(() => built?.cleanup());

  it('passes `burst` packets per source, then drops, and keeps sources apart', () => {
    // A rate of 0 never refills, so the counts are exact whatever the clock does.
    using system = load({ metadata: built.metadata, object: built.object }, { config: { rate_per_sec: 0n, burst: 5n } });
    const program = system.programs.rate_limit;
    const fromA = ethIpv4Udp({ srcIp: '192.0.2.1' });
    const fromB = ethIpv4Udp({ srcIp: '192.0.2.2' });
    const verdicts = Array.from({ length: 8 }, () => program.testRun(fromA).retval);
    expect(verdicts).toEqual([XDP_PASS, XDP_PASS, XDP_PASS, XDP_PASS, XDP_PASS, XDP_DROP, XDP_DROP, XDP_DROP]);
    expect(program.testRun(fromB).retval).toBe(XDP_PASS);

    const buckets = system.maps.buckets as MapHandle<number, { tokens: bigint; last_refill_ns: bigint }>;
    const keyA = Buffer.from([192, 0, 2, 1]).readUInt32LE(0); // saddr as the kernel stores it (network order)
    expect(buckets.get(keyA)?.tokens).toBe(0n);
    expect((system.maps.dropped as MapHandle<number, bigint>).get(0)).toBe(3n);
  });

  it('refills at `rate_per_sec`', () => {
    // 10^9 tokens per second: every packet finds the bucket refilled to the burst.
    using system = load({ metadata: built.metadata, object: built.object }, { config: { rate_per_sec: 1_000_000_000n, burst: 1n } });
    const verdicts = Array.from({ length: 5 }, () => system.programs.rate_limit.testRun(ethIpv4Udp()).retval);
    expect(verdicts).toEqual(Array(5).fill(XDP_PASS));
  });

  it('passes non-IPv4 frames and drops truncated IPv4 headers', () => {
    using system = load({ metadata: built.metadata, object: built.object });
    expect(system.programs.rate_limit.testRun(ethArp()).retval).toBe(XDP_PASS);
    expect(system.programs.rate_limit.testRun(truncated(ethIpv4Udp(), 14 + 19)).retval).toBe(XDP_DROP);
    expect([...(system.maps.buckets as MapHandle).keys()]).toEqual([]);
  });
});
