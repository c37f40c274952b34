// examples/tail_call_pipeline.ks: an XDP dispatcher tail-calls per-family parsers.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKernel, ethArp, ethIpv4Udp, ethIpv6, loadAll, testRun, truncated, withPinDir } from '../helpers/kernel.js';
import { load, type MapHandle } from '../../packages/runtime/src/index.js';
import { buildExample, type BuiltSystem } from '../helpers/build.js';

const XDP_ABORTED = 0;
const XDP_DROP = 1;
const XDP_PASS = 2;
const Seen = { Ipv4: 0, Ipv6: 1, Other: 2 };

describeKernel('examples/tail_call_pipeline.ks (xdp tail calls through ks_tail_calls)', () => {
  let built: BuiltSystem;
  beforeAll(async () => {
    built = await buildExample('tail_call_pipeline');
  });
  afterAll(() => built?.cleanup());

  it('records both jump targets in the metadata', () => {
    expect(built.metadata.tailCalls).toEqual({
      map: 'ks_tail_calls',
      slots: [
        { index: 0, program: 'parse_ipv4' },
        { index: 1, program: 'parse_ipv6' },
      ],
    });
  });

  it('jumps to the parser of each family once the loader filled the ProgArray', () => {
    using system = load({ metadata: built.metadata, object: built.object });
    const dispatch = system.programs.dispatch;
    expect(dispatch.testRun(ethIpv4Udp()).retval).toBe(XDP_PASS);
    expect(dispatch.testRun(ethIpv4Udp({ ttl: 1 })).retval).toBe(XDP_DROP);
    expect(dispatch.testRun(truncated(ethIpv4Udp(), 14 + 19)).retval).toBe(XDP_DROP);
    expect(dispatch.testRun(ethIpv6()).retval).toBe(XDP_PASS);
    expect(dispatch.testRun(ethIpv6({ hopLimit: 1 })).retval).toBe(XDP_DROP);
    expect(dispatch.testRun(ethArp()).retval).toBe(XDP_PASS);
    const parsed = system.maps.parsed as MapHandle<number, bigint>;
    expect([Seen.Ipv4, Seen.Ipv6, Seen.Other].map((i) => parsed.get(i))).toEqual([2n, 2n, 1n]);
  });

  it('returns the `else` value when the jump cannot happen (empty ProgArray)', async () => {
    // bpftool loadall does not fill the table: tail_call falls through.
    await withPinDir(async (dir) => {
      const { programs } = await loadAll(built.object, dir);
      expect((await testRun(programs.dispatch!, ethIpv4Udp())).retval).toBe(XDP_ABORTED);
      expect((await testRun(programs.dispatch!, ethArp())).retval).toBe(XDP_PASS);
    });
  });
});
