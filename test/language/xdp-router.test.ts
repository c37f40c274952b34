// examples/xdp_router.ks between three network namespaces: A — R — B, R
// routing in XDP. BPF_PROG_TEST_RUN inside R (where bpf_fib_lookup sees R's
// routes and neighbours) gives the forwarded frame byte for byte: the next
// hop's MAC from the FIB, the TTL one lower, the header checksum right. Then
// real traffic: UDP datagrams from A reach a socket in B through the
// generated coordinator's XDP programs, none of them forwarded by R's stack.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildExample, REPO_ROOT, type BuiltSystem } from '../helpers/build.js';
import { startCoordinator } from '../helpers/coordinator.js';
import { describeKernel, ethIpv4Udp, ETH_HLEN, sendUdp } from '../helpers/kernel.js';
import { ipv4HeaderChecksumValid, XDP } from '../helpers/packets.js';
import { attachXdpPass, cleanupXdpPass, disableTxChecksumOffload, ifindexIn, inNamespace, macIn, receiveUdp, veth, withNamespaces, type Namespaces } from '../helpers/topology.js';

/** Runs the route_a program once inside a namespace (the runtime from dist), as arriving on `ifindex`; prints the verdict and the frame. */
const TEST_RUN_IN_NAMESPACE = `
import { readFileSync } from 'node:fs';
const { load } = await import(process.argv[1]);
const [, , metadataPath, object, ingress, egress, frame] = process.argv;
const system = load({ metadata: JSON.parse(readFileSync(metadataPath, 'utf8')), object });
// The value by name: the runtime resolves it in this namespace.
system.maps.tx_ports.set(Number(egress), 'b1');
const ctx = Buffer.alloc(24);
ctx.writeUInt32LE(Buffer.from(frame, 'hex').length, 4); // data_end
ctx.writeUInt32LE(Number(ingress), 12); // ingress_ifindex
const out = system.programs.route_a.testRun(Buffer.from(frame, 'hex'), { ctx });
system.close();
console.log(JSON.stringify({ retval: out.retval, frame: out.dataOut.toString('hex') }));
`;

describeKernel('examples/xdp_router.ks (bpf_fib_lookup and a DevMapHash)', () => {
  let built: BuiltSystem;
  beforeAll(async () => {
    built = await buildExample('xdp_router', { coordinator: true });
  });
  afterAll(async () => {
    await built?.cleanup();
    await cleanupXdpPass();
  });

  /** A — R — B: A in one subnet, B in another, R forwarding between them, with static neighbours. */
  async function network(ns: Namespaces<'a' | 'r' | 'b'>) {
    const octet = randomBytes(1)[0]!;
    const net = { a: `10.78.${octet}`, b: `10.79.${octet}` };
    await veth({ ns: ns.a, dev: 'a0', address: `${net.a}.2/24` }, { ns: ns.r, dev: 'a1', address: `${net.a}.1/24` });
    await veth({ ns: ns.r, dev: 'b1', address: `${net.b}.1/24` }, { ns: ns.b, dev: 'b0', address: `${net.b}.2/24` });
    await execa('ip', ['-n', ns.a, 'route', 'add', 'default', 'via', `${net.a}.1`]);
    await execa('ip', ['-n', ns.b, 'route', 'add', 'default', 'via', `${net.b}.1`]);
    await inNamespace(ns.r, process.execPath, ['-e', "require('node:fs').writeFileSync('/proc/sys/net/ipv4/ip_forward', '1')"]);
    // Neighbours known up front: every packet finds its next hop in the FIB.
    await execa('ip', ['-n', ns.r, 'neigh', 'replace', `${net.b}.2`, 'lladdr', await macIn(ns.b, 'b0'), 'dev', 'b1', 'nud', 'permanent']);
    await execa('ip', ['-n', ns.r, 'neigh', 'replace', `${net.a}.2`, 'lladdr', await macIn(ns.a, 'a0'), 'dev', 'a1', 'nud', 'permanent']);
    for (const [namespace, dev] of [[ns.a, 'a0'], [ns.b, 'b0']] as const) {
      await attachXdpPass(namespace, dev);
      await disableTxChecksumOffload(namespace, dev);
    }
    return net;
  }

  it('forwards a frame to the next hop the FIB gives, TTL and checksum updated (BPF_PROG_TEST_RUN in the router namespace)', async () => {
    await withNamespaces(['a', 'r', 'b'] as const, async (ns) => {
      const net = await network(ns);
      const frame = ethIpv4Udp({ srcMac: await macIn(ns.a, 'a0'), dstMac: await macIn(ns.r, 'a1'), srcIp: `${net.a}.2`, dstIp: `${net.b}.2`, ttl: 64, dstPort: 9999 });
      const metadataPath = join(built.dir, 'metadata.json');
      await writeFile(metadataPath, JSON.stringify(built.metadata));
      const runtime = pathToFileURL(join(REPO_ROOT, 'packages/runtime/dist/index.js')).href;
      // nsenter keeps /sys (ip netns exec remounts it): the runtime needs no bpffs here, but keeps the same view as the test.
      const { stdout } = await execa('nsenter', [`--net=/run/netns/${ns.r}`, process.execPath, '--input-type=module', '-e', TEST_RUN_IN_NAMESPACE, runtime, metadataPath, built.object, String(await ifindexIn(ns.r, 'a1')), String(await ifindexIn(ns.r, 'b1')), frame.toString('hex')]);
      const result = JSON.parse(stdout) as { retval: number; frame: string };
      const expected = ethIpv4Udp({ srcMac: await macIn(ns.r, 'b1'), dstMac: await macIn(ns.b, 'b0'), srcIp: `${net.a}.2`, dstIp: `${net.b}.2`, ttl: 63, dstPort: 9999 });
      expect(result).toEqual({ retval: XDP.REDIRECT, frame: expected.toString('hex') });
      expect(ipv4HeaderChecksumValid(Buffer.from(result.frame, 'hex'), ETH_HLEN)).toBe(true);
    });
  });

  it('routes real UDP datagrams from A to B in XDP, through the generated coordinator', async () => {
    await withNamespaces(['a', 'r', 'b'] as const, async (ns) => {
      const net = await network(ns);
      const forwardedByStack = async () => {
        const snmp = (await inNamespace(ns.r, 'cat', ['/proc/net/snmp'])).stdout.split('\n').filter((line) => line.startsWith('Ip:'));
        const [names, values] = snmp.map((line) => line.split(/\s+/));
        return Number(values![names!.indexOf('ForwDatagrams')]);
      };
      const coordinator = startCoordinator('ip', ['netns', 'exec', ns.r, built.coordinator], 60_000);
      try {
        await coordinator.waitFor(/routing between a1 and b1/);
        const receiver = await receiveUdp(ns.b, `${net.b}.2`, 9999);
        try {
          await sendUdp(ns.a, `${net.b}.2`, { count: 25, payload: 100 });
          expect(await receiver.received(25)).toBe(25);
        } finally {
          await receiver.close();
        }
        const [, forwarded] = await coordinator.waitForNext(/forwarded (\d+) passed (\d+)\n/, 5_000);
        expect(Number(forwarded)).toBeGreaterThanOrEqual(25);
        // R's own stack forwarded none of them: XDP did.
        expect(await forwardedByStack()).toBe(0);
      } finally {
        await coordinator.stop('SIGTERM');
      }
    });
  });
});
