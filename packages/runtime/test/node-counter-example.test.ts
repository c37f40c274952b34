// examples/node-counter end to end: built with Rollup and the KernelScript
// plugin, run inside a network namespace on one end of a veth pair, real UDP
// and TCP packets sent from a peer namespace, the printed per-protocol counts
// checked, and SIGINT (or --seconds) leaving the interface without XDP.
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, expect, it } from 'vitest';
import { startCoordinator } from '../../../test/helpers/coordinator.js';
import { describeKernel, sendUdp, withNetns, withPeerNamespace } from '../../../test/helpers/kernel.js';

const EXAMPLE = join(import.meta.dirname, '../../../examples/node-counter');
const CLI = join(EXAMPLE, 'dist/main.js');
const DATAGRAMS = 10;

async function hasXdp(ns: string): Promise<boolean> {
  return /prog\/xdp/.test((await execa('ip', ['-n', ns, '-d', 'link', 'show', 'veth0'])).stdout);
}

describeKernel('examples/node-counter: a bundled Node CLI counting packets per protocol', () => {
  beforeAll(async () => {
    // The example imports the plugin and the runtime from their builds: build both from the current source.
    await execa('pnpm', ['--filter', 'unplugin-kernelscript', '--filter', '@kernelscript/runtime', 'run', 'build'], { cwd: EXAMPLE });
    await execa('pnpm', ['run', 'build'], { cwd: EXAMPLE });
  }, 120_000);

  it('counts real packets on a veth per protocol, every second, and detaches on SIGINT', async () => {
    await withNetns((ns) =>
      withPeerNamespace(ns, async (peer) => {
        const cli = startCoordinator('ip', ['netns', 'exec', ns.name, process.execPath, CLI, 'veth0']);
        try {
          await cli.waitFor(/attached to veth0\n/);
          expect(await hasXdp(ns.name)).toBe(true);
          await sendUdp(peer, ns.veths[0].address, { count: DATAGRAMS, payload: 32, tcpSyn: true });
          const [, tcp, other] = await cli.waitFor(new RegExp(`tcp=(\\d+) udp=${DATAGRAMS} icmp=0 other=(\\d+)\\n`));
          expect(Number(tcp)).toBe(1); // the SYN; the RST goes the other way
          expect(Number(other)).toBeGreaterThan(0); // ARP, before the first datagram
          const result = await cli.stop('SIGINT');
          expect(result.exitCode).toBe(0);
          expect(cli.stdout).toMatch(/detached from veth0\n$/);
          expect(await hasXdp(ns.name)).toBe(false);
        } finally {
          cli.result.kill('SIGKILL');
          await cli.result;
        }
      }),
    );
  }, 60_000);

  it('stops by itself after --seconds, printing one report per second', async () => {
    await withNetns(async (ns) => {
      const result = await execa('ip', ['netns', 'exec', ns.name, process.execPath, CLI, 'veth0', '--seconds', '2']);
      expect(result.stdout).toMatch(/^attached to veth0\ntcp=0 udp=0 icmp=0 other=\d+\ntcp=0 udp=0 icmp=0 other=\d+\ndetached from veth0$/);
      expect(await hasXdp(ns.name)).toBe(false);
    });
  }, 30_000);

  it('says how to use it', async () => {
    const result = await execa(process.execPath, [CLI], { reject: false });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe('usage: node-counter <interface> [--seconds N]');
  });
});
