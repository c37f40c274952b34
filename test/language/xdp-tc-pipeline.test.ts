// examples/xdp_tc_pipeline.ks: XDP leaves a Verdict in the packet's
// metadata, tc ingress on the same interface reads it and marks the skb. The
// analysis pairs the two; BPF_PROG_TEST_RUN shows the metadata XDP writes,
// byte for byte; and with real packets from a peer namespace, XDP in native
// (driver) mode on the veth and tc ingress behind it, the marks tc set are
// counted in a map, per class.
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { load, type MapHandle } from '../../packages/runtime/src/index.js';
import { buildExample, type BuiltSystem } from '../helpers/build.js';
import { startCoordinator } from '../helpers/coordinator.js';
import { describeKernel, ethArp, ethIpv4Tcp, ethIpv4Udp, sendUdp, withNetns, withPeerNamespace } from '../helpers/kernel.js';
import { ethIpv4Icmp, XDP } from '../helpers/packets.js';

const TrafficClass = { Bulk: 0, Dns: 1, Web: 2, Control: 3 };
const TC_ACT_OK = 0;

/** The 8 bytes of a Verdict as XDP leaves them before the frame: class, then port (u32 each, little-endian). */
function verdict(trafficClass: number, port: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeUInt32LE(trafficClass, 0);
  bytes.writeUInt32LE(port, 4);
  return bytes;
}

describeKernel('examples/xdp_tc_pipeline.ks (XDP → tc hand-off through packet metadata)', () => {
  let built: BuiltSystem;
  beforeAll(async () => {
    built = await buildExample('xdp_tc_pipeline', { coordinator: true });
  });
  afterAll(() => built?.cleanup());

  it('pairs the writer and the reader in the analysis', () => {
    expect(built.result.analysis!.metadata).toEqual({
      accesses: [
        { program: 'classify', role: 'writer', type: 'Verdict', size: 8, function: 'main', location: expect.objectContaining({ line: expect.any(Number) }) },
        { program: 'mark', role: 'reader', type: 'Verdict', size: 8, function: 'main', location: expect.objectContaining({ line: expect.any(Number) }) },
      ],
      handoffs: [{ writer: 'classify', reader: 'mark', type: 'Verdict', size: 8 }],
    });
  });

  it('leaves each packet its verdict in the metadata before the frame (BPF_PROG_TEST_RUN)', () => {
    using system = load({ metadata: built.metadata, object: built.object });
    const cases: [Buffer, Buffer][] = [
      [ethIpv4Udp({ dstPort: 53 }), verdict(TrafficClass.Dns, 53)],
      [ethIpv4Tcp({ dstPort: 443 }), verdict(TrafficClass.Web, 443)],
      [ethIpv4Udp({ dstPort: 80 }), verdict(TrafficClass.Web, 80)],
      [ethIpv4Udp({ dstPort: 9999 }), verdict(TrafficClass.Bulk, 9999)],
      [ethIpv4Icmp(), verdict(TrafficClass.Control, 0)],
      [ethArp(), verdict(TrafficClass.Bulk, 0)],
    ];
    for (const [frame, meta] of cases) {
      const run = system.programs.classify!.testRun(frame);
      expect(run.retval).toBe(XDP.PASS);
      // The kernel hands back the data from the start of the metadata.
      expect(run.dataOut.toString('hex')).toBe(Buffer.concat([meta, frame]).toString('hex'));
    }
    // Without metadata (a test run builds the skb itself), tc counts the packet as unclassified and leaves it unmarked.
    const run = system.programs.mark!.testRun(ethIpv4Udp(), { ctx: Buffer.alloc(192) });
    expect({ retval: run.retval, mark: run.ctxOut!.readUInt32LE(8) }).toEqual({ retval: TC_ACT_OK, mark: 0 });
    expect((system.maps.unclassified as MapHandle<number, bigint>).get(0)).toBe(1n);
  });

  it('marks real packets in tc by the class XDP chose (XDP in driver mode on the veth)', async () => {
    await withNetns((ns) =>
      withPeerNamespace(ns, async (peer) => {
        const coordinator = startCoordinator('ip', ['netns', 'exec', ns.name, built.coordinator], 60_000);
        try {
          await coordinator.waitFor(/classifying on veth0/);
          const link = (await execa('ip', ['-n', ns.name, '-d', 'link', 'show', 'veth0'])).stdout;
          // Native XDP: "xdp" (driver) — not "xdpgeneric" — with classify attached.
          expect(link).toMatch(/\bxdp\b/);
          expect(link).not.toMatch(/xdpgeneric/);
          const address = ns.veths[0].address;
          await sendUdp(peer, address, { count: 3, payload: 20, port: 53 });
          await sendUdp(peer, address, { count: 2, payload: 20, port: 443 });
          await sendUdp(peer, address, { count: 5, payload: 20, port: 9999 });
          const [, bulk, dns, web, control, unclassified] = await coordinator.waitForNext(/bulk (\d+) dns (\d+) web (\d+) control (\d+) unclassified (\d+)\n/, 5_000);
          // The peer's ARP (and IPv6 neighbour discovery) is bulk too.
          expect({ dns: Number(dns), web: Number(web), control: Number(control), unclassified: Number(unclassified) }).toEqual({ dns: 3, web: 2, control: 0, unclassified: 0 });
          expect(Number(bulk)).toBeGreaterThanOrEqual(5);
        } finally {
          await coordinator.stop('SIGTERM');
        }
      }),
    );
  });
});
