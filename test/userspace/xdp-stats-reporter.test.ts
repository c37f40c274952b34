// examples/xdp_stats_reporter.ks end to end: its generated coordinator runs
// inside a network namespace, attaches XDP (and tc egress) to veth0, real UDP
// datagrams arrive from a peer namespace, the coordinator's report counts
// them, and SIGTERM leaves the interface as it was.
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildExample, type BuiltSystem } from '../helpers/build.js';
import { startCoordinator } from '../helpers/coordinator.js';
import { describeKernel, sendUdp, withNetns, withPeerNamespace } from '../helpers/kernel.js';

const DATAGRAMS = 10;
const PAYLOAD = 100;
/** Ethernet 14 + IPv4 20 + UDP 8 + payload: what XDP sees of each datagram. */
const FRAME_BYTES = 14 + 20 + 8 + PAYLOAD;

async function interfaceState(ns: string) {
  const link = (await execa('ip', ['-n', ns, '-d', 'link', 'show', 'veth0'])).stdout;
  const qdiscs = (await execa('tc', ['-n', ns, 'qdisc', 'show', 'dev', 'veth0'])).stdout;
  const egress = (await execa('tc', ['-n', ns, 'filter', 'show', 'dev', 'veth0', 'egress'], { reject: false })).stdout;
  return { xdp: /prog\/xdp/.test(link), clsact: /clsact/.test(qdiscs), egressFilter: egress.includes('tx_stats') };
}

describeKernel('examples/xdp_stats_reporter.ks: generated coordinator on a veth pair', () => {
  let system: BuiltSystem;
  beforeAll(async () => {
    system = await buildExample('xdp_stats_reporter', { coordinator: true });
  });
  afterAll(() => system?.cleanup());

  it('counts real UDP datagrams received on veth0 and detaches XDP and tc on SIGTERM', async () => {
    await withNetns((ns) =>
      withPeerNamespace(ns, async (peer) => {
        const coordinator = startCoordinator('ip', ['netns', 'exec', ns.name, system.coordinator]);
        try {
          await coordinator.waitFor(/attached to veth0/);
          expect(await interfaceState(ns.name)).toEqual({ xdp: true, clsact: true, egressFilter: true });

          await sendUdp(peer, ns.veths[0].address, { count: DATAGRAMS, payload: PAYLOAD });
          const report = await coordinator.waitFor(new RegExp(`udp: ${DATAGRAMS} packets, (\\d+) bytes\\n  icmp: \\d+ packets, \\d+ bytes\\n  egress: (\\d+) packets`));
          expect(Number(report[1])).toBe(DATAGRAMS * FRAME_BYTES);
          // veth0 answers: at least the ARP reply leaves through the tc egress hook.
          expect(Number(report[2])).toBeGreaterThan(0);

          const result = await coordinator.stop('SIGTERM');
          expect(result.exitCode).toBe(0);
          expect(await interfaceState(ns.name)).toEqual({ xdp: false, clsact: false, egressFilter: false });
        } finally {
          coordinator.result.kill('SIGKILL');
          await coordinator.result;
        }
      }),
    );
  });
});
