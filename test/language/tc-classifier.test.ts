// examples/tc_classifier.ks: enum + match classification that writes skb->mark.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKernel, dumpMap, ethArp, ethIpv4Tcp, ethIpv4Udp, loadAll, withPinDir } from '../helpers/kernel.js';
import { buildExample, type BuiltSystem } from '../helpers/build.js';
import { testRunSkb } from './skb-test-run.js';

const TC_ACT_OK = 0;
const TAG = 0x4b530000;
const TrafficClass = { Bulk: 0, Interactive: 1, Dns: 2, Web: 3 };

describeKernel('examples/tc_classifier.ks (tc egress, sets skb->mark)', () => {
  let built: BuiltSystem;
  beforeAll(async () => {
    built = await buildExample('tc_classifier');
  });
  afterAll(() => built?.cleanup());

  it('puts the traffic class of the destination port into the mark', async () => {
    expect(built.metadata.programs.classify).toMatchObject({ section: 'tc', target: 'egress' });
    await withPinDir(async (dir) => {
      const { programs, maps } = await loadAll(built.object, dir);
      const classify = programs.classify!;
      const cases: [Buffer, number][] = [
        [ethIpv4Tcp({ dstPort: 22 }), TAG | TrafficClass.Interactive],
        [ethIpv4Udp({ dstPort: 53 }), TAG | TrafficClass.Dns],
        [ethIpv4Tcp({ dstPort: 443 }), TAG | TrafficClass.Web],
        [ethIpv4Tcp({ dstPort: 8080 }), TAG | TrafficClass.Web],
        [ethIpv4Udp({ dstPort: 9999 }), TAG | TrafficClass.Bulk],
        [ethArp(), 0], // not IPv4: left unmarked
      ];
      for (const [packet, mark] of cases) expect(await testRunSkb(classify, packet)).toEqual({ retval: TC_ACT_OK, mark });
      const perClass = (await dumpMap(maps.class_packets!)).map((e) => (e.perCpuValues ?? [e.value]).reduce((sum, v) => sum + v.readBigUInt64LE(0), 0n));
      expect(perClass).toEqual([1n, 1n, 1n, 2n]);
    });
  });
});
