// Small networks for the tests that move real packets between programs
// (LANGUAGE.md §12: redirect, route, hand off): network namespaces with
// unique names joined by veth pairs, a UDP receiver inside one of them, and
// the XDP program a veth needs on the receiving end of a redirect. Everything
// is deleted in a `finally`, also when the test fails.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { execa } from 'execa';
import { buildSystem, REPO_ROOT, type BuiltSystem } from './build.js';
import { startCoordinator, type RunningCoordinator } from './coordinator.js';

/** Namespaces by the role the test gives them (`left`, `mid`...), each with its unique `ip netns` name. */
export type Namespaces<Role extends string> = Record<Role, string>;

/** Gives `body` fresh namespaces with loopback up, one per role, and deletes them (and their veths) afterwards. */
export async function withNamespaces<Role extends string, T>(roles: readonly Role[], body: (ns: Namespaces<Role>) => Promise<T>): Promise<T> {
  const suffix = randomBytes(4).toString('hex');
  const ns = Object.fromEntries(roles.map((role) => [role, `ks-${role}-${suffix}`])) as Namespaces<Role>;
  const created: string[] = [];
  try {
    for (const name of Object.values<string>(ns)) {
      await execa('ip', ['netns', 'add', name]);
      created.push(name);
      await execa('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    }
    return await body(ns);
  } finally {
    for (const name of created) await execa('ip', ['netns', 'del', name], { reject: false });
  }
}

export interface VethEnd {
  ns: string;
  dev: string;
  /** `address/prefix`, or none for a device that only carries frames. */
  address?: string;
  /** A fixed MAC address (`02:...`), or the kernel's random one. */
  mac?: string;
}

/** A veth pair between two namespaces, both ends up. */
export async function veth(a: VethEnd, b: VethEnd): Promise<void> {
  // Created in a's namespace, then one end moved: veth names are per namespace.
  await execa('ip', ['-n', a.ns, 'link', 'add', a.dev, 'type', 'veth', 'peer', 'name', b.dev, 'netns', b.ns]);
  for (const end of [a, b]) {
    if (end.mac) await execa('ip', ['-n', end.ns, 'link', 'set', end.dev, 'address', end.mac]);
    if (end.address) await execa('ip', ['-n', end.ns, 'addr', 'add', end.address, 'dev', end.dev]);
    await execa('ip', ['-n', end.ns, 'link', 'set', end.dev, 'up']);
  }
}

/** The index of `dev` in `ns`. */
export async function ifindexIn(ns: string, dev: string): Promise<number> {
  const [link] = JSON.parse((await execa('ip', ['-n', ns, '-j', 'link', 'show', dev])).stdout) as { ifindex: number }[];
  return link!.ifindex;
}

/** The MAC address of `dev` in `ns`. */
export async function macIn(ns: string, dev: string): Promise<string> {
  const [link] = JSON.parse((await execa('ip', ['-n', ns, '-j', 'link', 'show', dev])).stdout) as { address: string }[];
  return link!.address;
}

/** Runs `command args` inside `ns` (`ip netns exec`). */
export function inNamespace(ns: string, command: string, args: string[]) {
  return execa('ip', ['netns', 'exec', ns, command, ...args]);
}

const PASS_SOURCE = `// Lets every frame through. XDP on a veth turns on its NAPI, which a veth needs to receive frames redirected to its peer.
program deliver : xdp {
  fn main(ctx: XdpContext) -> XdpAction {
    return XDP_PASS;
  }
}
`;

let passObject: Promise<BuiltSystem> | undefined;

/**
 * Attaches an XDP program that passes everything to `dev` in `ns` (native
 * mode): a veth drops frames redirected into its peer unless its own NAPI is
 * on, which an XDP program turns on (`ethtool` is not installed here to turn
 * on GRO instead). The object is built once and removed with the process's
 * temporary files.
 */
export async function attachXdpPass(ns: string, dev: string): Promise<void> {
  passObject ??= buildSystem(PASS_SOURCE, 'deliver.ks');
  const built = await passObject;
  await execa('ip', ['-n', ns, 'link', 'set', 'dev', dev, 'xdpdrv', 'obj', built.object, 'sec', 'xdp']);
}

/** Removes the pass program's build directory (call from afterAll). */
export async function cleanupXdpPass(): Promise<void> {
  const built = await passObject;
  passObject = undefined;
  await built?.cleanup();
}

/** A UDP socket bound inside a namespace, counting the datagrams it gets. */
export interface UdpReceiver {
  /** Resolves with the number received once `count` arrived, or after `timeoutMs` with fewer. */
  received(count: number, timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

/** Binds a UDP socket to `address:port` inside `ns` (a Node child process) and counts what arrives. */
export async function receiveUdp(ns: string, address: string, port: number): Promise<UdpReceiver> {
  const script = `
    const socket = require('node:dgram').createSocket('udp4');
    let count = 0;
    socket.on('message', () => console.log('datagram ' + ++count));
    socket.bind(${port}, '${address}', () => console.log('listening'));`;
  const child: RunningCoordinator = startCoordinator('ip', ['netns', 'exec', ns, process.execPath, '-e', script], 120_000);
  await child.waitFor(/listening/);
  return {
    async received(count, timeoutMs = 5_000) {
      try {
        await child.waitFor(new RegExp(`datagram ${count}\\b`), timeoutMs);
      } catch {
        // Fewer arrived: report how many.
      }
      const all = [...child.stdout.matchAll(/datagram (\d+)/g)];
      return all.length === 0 ? 0 : Number(all.at(-1)![1]);
    },
    async close() {
      child.result.kill('SIGKILL');
      await child.result;
    },
  };
}

const KOFFI = join(REPO_ROOT, 'packages/runtime/node_modules/koffi');

/**
 * Turns off transmit checksum offload on `dev` in `ns` (what `ethtool -K dev tx off`
 * does; ethtool is not installed here): a veth otherwise hands its peer UDP and TCP
 * with the checksum left to "hardware", and a frame redirected in XDP leaves the
 * skb — and that promise — behind, so its receiver would drop it as corrupt.
 */
export async function disableTxChecksumOffload(ns: string, dev: string): Promise<void> {
  const script = `
    const koffi = require(${JSON.stringify(KOFFI)});
    const libc = koffi.load('libc.so.6');
    const socket = libc.func('int socket(int, int, int)');
    const ioctl = libc.func('int ioctl(int, unsigned long, void *)');
    const close = libc.func('int close(int)');
    const ETHTOOL_STXCSUM = 0x17, SIOCETHTOOL = 0x8946;
    const value = Buffer.alloc(8);
    value.writeUInt32LE(ETHTOOL_STXCSUM, 0);
    // struct ifreq: the name, then (at 16) a pointer to the ethtool command.
    const ifreq = Buffer.alloc(40);
    ifreq.write(${JSON.stringify(dev)});
    ifreq.writeBigUInt64LE(BigInt(koffi.address(value)), 16);
    const fd = socket(2, 2, 0);
    const result = ioctl(fd, SIOCETHTOOL, ifreq);
    close(fd);
    if (result !== 0) { console.error('ETHTOOL_STXCSUM failed on ${dev}'); process.exit(1); }`;
  await inNamespace(ns, process.execPath, ['-e', script]);
}
