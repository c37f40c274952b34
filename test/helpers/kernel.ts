// Kernel test harness: compile BPF C, load it with bpftool, run it through
// BPF_PROG_TEST_RUN, read maps, and build packets and network namespaces.
// Every external tool is called through execa with argument arrays (no shell).
// Everything a test creates in the kernel (pins, namespaces) is removed in a
// `finally`, so a failing test leaves nothing behind.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, execaSync, type Result } from 'execa';
import { describe } from 'vitest';

export const BPFFS_ROOT = '/sys/fs/bpf';

// ---------------------------------------------------------------------------
// Environment
// ---------------------------------------------------------------------------

export type KernelUsability = { ok: true } | { ok: false; reason: string };

function bpffsMounted(): boolean {
  return readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .some((line) => {
      const [, mountPoint, fsType] = line.split(' ');
      return mountPoint === BPFFS_ROOT && fsType === 'bpf';
    });
}

/** Mounts bpffs at /sys/fs/bpf unless it already is. Throws when it cannot. */
export function ensureBpffs(): void {
  if (bpffsMounted()) return;
  execaSync('mount', ['-t', 'bpf', 'bpf', BPFFS_ROOT]);
}

export const TRACEFS_ROOT = '/sys/kernel/tracing';

/** Mounts tracefs at /sys/kernel/tracing unless it already is (tracepoint attach and event formats need it). */
export function ensureTracefs(): void {
  if (existsSync(join(TRACEFS_ROOT, 'events'))) return;
  execaSync('mount', ['-t', 'tracefs', 'tracefs', TRACEFS_ROOT]);
}

/**
 * Whether kernel tests can run here, and if not, why. Kernel tests must skip
 * with this reason rather than fail where the kernel is not usable, and must
 * run everywhere it is (the project's dev machines and CI).
 */
export function kernelUsable(): KernelUsability {
  if (process.getuid?.() !== 0) return { ok: false, reason: 'not running as root' };
  try {
    execaSync('bpftool', ['version']);
  } catch {
    return { ok: false, reason: 'bpftool not found (run scripts/setup.sh)' };
  }
  try {
    ensureBpffs();
  } catch (error) {
    return { ok: false, reason: `bpffs not mountable at ${BPFFS_ROOT}: ${(error as Error).message}` };
  }
  return { ok: true };
}

/** `describe` that skips — with the reason in the suite name — when the kernel is not usable. */
export function describeKernel(name: string, body: () => void): void {
  const usability = kernelUsable();
  // The reason goes into the suite name (verbose reporters) and to stderr (default reporter).
  if (!usability.ok) console.warn(`skipping kernel tests "${name}": ${usability.reason}`);
  const title = usability.ok ? name : `${name} [skipped: ${usability.reason}]`;
  describe.skipIf(!usability.ok)(title, body);
}

function randomSuffix(): string {
  return randomBytes(4).toString('hex');
}

// ---------------------------------------------------------------------------
// Compile, load, run
// ---------------------------------------------------------------------------

let multiarchIncludeDir: string | undefined;

/** Where asm/types.h lives: clang -target bpf does not search the multiarch include dir itself. */
async function multiarchInclude(): Promise<string> {
  multiarchIncludeDir ??= `/usr/include/${(await execa('gcc', ['-print-multiarch'])).stdout.trim()}`;
  return multiarchIncludeDir;
}

/** Compiles a BPF C file with the project's strict flags; throws with clang's diagnostics. */
export async function compileBpfC(cPath: string, outPath: string, extraArgs: string[] = []): Promise<void> {
  const args = ['-target', 'bpf', '-O2', '-g', '-Wall', '-Werror', `-I${await multiarchInclude()}`, ...extraArgs, '-c', cPath, '-o', outPath];
  const result = await execa('clang', args, { reject: false });
  if (result.exitCode !== 0) throw toolError(`clang failed to compile ${cPath}`, result);
}

export interface LoadedObject {
  /** Program name → pin path. */
  programs: Record<string, string>;
  /** Map name → pin path (libbpf's pin name, e.g. `.bss` maps appear with `.` replaced). */
  maps: Record<string, string>;
  /** libbpf's debug log of the load (with `debug`), where each CO-RE relocation it applied is listed. */
  libbpfLog: string;
  /** The CO-RE relocations libbpf applied (`prog 'x': relo #n: patched insn ...` lines of the debug log), with `debug`. */
  coreRelocations: { program: string; from: number; to: number }[];
}

/**
 * Loads every program of an object (`bpftool prog loadall`), pinning programs
 * in `pinDir` and maps in `pinDir/maps`. On rejection the Error carries
 * bpftool's stderr, which holds the verifier log.
 */
export async function loadAll(objectPath: string, pinDir: string, options: { debug?: boolean } = {}): Promise<LoadedObject> {
  const mapsDir = join(pinDir, 'maps');
  const result = await execa('bpftool', [...(options.debug ? ['-d'] : []), 'prog', 'loadall', objectPath, pinDir, 'pinmaps', mapsDir], { reject: false });
  if (result.exitCode !== 0) throw toolError(`bpftool prog loadall ${objectPath} failed`, result);
  // Read the pins back instead of predicting names: libbpf sanitises some of them.
  const programs = await pinsIn(pinDir, (name) => name !== 'maps');
  const maps = existsSync(mapsDir) ? await pinsIn(mapsDir, () => true) : {};
  const libbpfLog = options.debug ? result.stderr : '';
  const coreRelocations = [...libbpfLog.matchAll(/prog '([^']+)': relo #\d+: patched insn #\d+ \([^)]*\) (?:imm|off) (-?\d+) -> (-?\d+)/g)].map((m) => ({
    program: m[1]!,
    from: Number(m[2]),
    to: Number(m[3]),
  }));
  return { programs, maps, libbpfLog, coreRelocations };
}

async function pinsIn(dir: string, keep: (name: string) => boolean): Promise<Record<string, string>> {
  const names = (await readdir(dir)).filter(keep).sort();
  return Object.fromEntries(names.map((name) => [name, join(dir, name)]));
}

export interface TestRunResult {
  retval: number;
  /** Average duration per repetition as reported by the kernel. */
  durationNs: number;
  /** The packet after the program ran (it may have rewritten or resized it). */
  dataOut: Buffer;
}

/** Runs a pinned program once per `repeat` on `packet` with BPF_PROG_TEST_RUN. */
export async function testRun(progPin: string, packet: Buffer, repeat = 1): Promise<TestRunResult> {
  const scratch = await mkdtemp(join(tmpdir(), 'ks-testrun-'));
  try {
    const dataIn = join(scratch, 'in.bin');
    const dataOut = join(scratch, 'out.bin');
    await writeFile(dataIn, packet);
    const args = ['-j', 'prog', 'run', 'pinned', progPin, 'data_in', dataIn, 'data_out', dataOut, 'repeat', String(repeat)];
    const result = await execa('bpftool', args, { reject: false });
    if (result.exitCode !== 0) throw toolError(`bpftool prog run ${progPin} failed`, result);
    const report = JSON.parse(result.stdout) as { retval: number; duration: number };
    return {
      retval: report.retval,
      durationNs: report.duration,
      dataOut: existsSync(dataOut) ? await readFile(dataOut) : Buffer.alloc(0),
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export interface MapEntry {
  key: Buffer;
  /** The value; for per-CPU maps, the value of CPU 0. */
  value: Buffer;
  /** Per-CPU maps only: one value per possible CPU, in CPU order. */
  perCpuValues?: Buffer[];
}

type HexBytes = string[];
interface BpftoolMapEntry {
  key: HexBytes;
  value?: HexBytes;
  values?: { cpu: number; value: HexBytes }[];
}

/**
 * Dumps a pinned map. Takes a pin path rather than a map name because map
 * names are shared with everything else loaded on the machine. Uses bpftool's
 * raw hex `key`/`value` arrays, ignoring the BTF `formatted` view it adds.
 */
export async function dumpMap(mapPin: string): Promise<MapEntry[]> {
  const result = await execa('bpftool', ['-j', 'map', 'dump', 'pinned', mapPin], { reject: false });
  if (result.exitCode !== 0) throw toolError(`bpftool map dump ${mapPin} failed`, result);
  const entries = JSON.parse(result.stdout) as BpftoolMapEntry[];
  return entries.map((entry) => {
    const key = hexBytesToBuffer(entry.key);
    if (entry.values) {
      const perCpuValues = [...entry.values].sort((a, b) => a.cpu - b.cpu).map((v) => hexBytesToBuffer(v.value));
      return { key, value: perCpuValues[0] ?? Buffer.alloc(0), perCpuValues };
    }
    return { key, value: hexBytesToBuffer(entry.value ?? []) };
  });
}

function hexBytesToBuffer(bytes: HexBytes): Buffer {
  return Buffer.from(bytes.map((byte) => Number.parseInt(byte, 16)));
}

/** Dumps a map whose keys and values are both u32 (little-endian on these hosts) as a plain object. */
export async function dumpU32Map(mapPin: string): Promise<Record<number, number>> {
  const entries = await dumpMap(mapPin);
  return Object.fromEntries(entries.map(({ key, value }) => [key.readUInt32LE(0), value.readUInt32LE(0)]));
}

/** Gives `body` a fresh, unique bpffs directory and removes it (and all pins in it) afterwards. */
export async function withPinDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  ensureBpffs();
  const dir = join(BPFFS_ROOT, `ks-test-${process.pid}-${randomSuffix()}`);
  await mkdir(dir);
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function toolError(message: string, result: Result): Error {
  const output = [result.stderr, result.stdout].filter((text) => typeof text === 'string' && text.trim() !== '');
  return new Error(`${message} (exit ${result.exitCode})\n${output.join('\n')}`);
}

// ---------------------------------------------------------------------------
// Network namespaces
// ---------------------------------------------------------------------------

export interface Netns {
  name: string;
  /** Both ends of the veth pair live inside the namespace. */
  veths: [{ name: 'veth0'; address: string }, { name: 'veth1'; address: string }];
}

/**
 * Gives `body` a new network namespace holding an up veth pair
 * (veth0 10.200.x.1/30, veth1 10.200.x.2/30), and deletes the namespace
 * afterwards. XDP/TC attach tests must use these veths, never host interfaces.
 */
export async function withNetns<T>(body: (ns: Netns) => Promise<T>): Promise<T> {
  const name = `ks-${randomSuffix()}`;
  const subnet = `10.200.${randomBytes(1)[0]}`;
  const ns: Netns = {
    name,
    veths: [
      { name: 'veth0', address: `${subnet}.1` },
      { name: 'veth1', address: `${subnet}.2` },
    ],
  };
  await execa('ip', ['netns', 'add', name]);
  try {
    await execa('ip', ['-n', name, 'link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1']);
    for (const veth of ns.veths) {
      await execa('ip', ['-n', name, 'addr', 'add', `${veth.address}/30`, 'dev', veth.name]);
      await execa('ip', ['-n', name, 'link', 'set', veth.name, 'up']);
    }
    await execa('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    return await body(ns);
  } finally {
    await execa('ip', ['netns', 'del', name], { reject: false });
  }
}

/**
 * Moves veth1 of `ns` into a second namespace (`<ns>-peer`, deleted afterwards),
 * so traffic sent from the peer to veth0's address really crosses the pair —
 * within one namespace it would go through lo.
 */
export async function withPeerNamespace<T>(ns: Netns, body: (peer: string) => Promise<T>): Promise<T> {
  const peer = `${ns.name}-peer`;
  await execa('ip', ['netns', 'add', peer]);
  try {
    await execa('ip', ['-n', ns.name, 'link', 'set', 'veth1', 'netns', peer]);
    await execa('ip', ['-n', peer, 'addr', 'add', `${ns.veths[1].address}/30`, 'dev', 'veth1']);
    await execa('ip', ['-n', peer, 'link', 'set', 'veth1', 'up']);
    return await body(peer);
  } finally {
    await execa('ip', ['netns', 'del', peer], { reject: false });
  }
}

/**
 * From inside `namespace`, sends `count` UDP datagrams of `payload` bytes to
 * `address`:`port` (9999 by default) with Node's dgram (ping is not installed on these machines),
 * then, with `tcpSyn`, one TCP connection attempt to port 9 (a SYN, answered by RST).
 */
export async function sendUdp(namespace: string, address: string, options: { count: number; payload: number; port?: number; tcpSyn?: boolean }): Promise<void> {
  const script = `
    const socket = require('node:dgram').createSocket('udp4');
    let sent = 0;
    const next = () => {
      if (sent++ < ${options.count}) return socket.send(Buffer.alloc(${options.payload}), ${options.port ?? 9999}, '${address}', next);
      socket.close();
      if (${options.tcpSyn === true}) require('node:net').connect(9, '${address}').on('error', () => {});
    };
    next();`;
  await execa('ip', ['netns', 'exec', namespace, process.execPath, '-e', script]);
}

/** Runs a command inside the namespace (`ip netns exec`). Rejects on non-zero exit. */
export function execInNetns(ns: Netns | string, command: string, args: string[] = []) {
  const name = typeof ns === 'string' ? ns : ns.name;
  return execa('ip', ['netns', 'exec', name, command, ...args]);
}

// ---------------------------------------------------------------------------
// Packets
// ---------------------------------------------------------------------------

/** Ethernet minimum frame size without the FCS: BPF_PROG_TEST_RUN does not add padding itself. */
export const ETH_MIN_FRAME = 60;
export const ETH_HLEN = 14;
export const ETH_P_IP = 0x0800;
export const ETH_P_ARP = 0x0806;
export const ETH_P_IPV6 = 0x86dd;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const TCP_FLAGS = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

export interface EthernetOptions {
  srcMac?: string;
  dstMac?: string;
}
export interface Ipv4Options extends EthernetOptions {
  srcIp?: string;
  dstIp?: string;
  ttl?: number;
}
export interface PortOptions {
  srcPort?: number;
  dstPort?: number;
  payload?: Buffer;
}
export interface TcpOptions extends Ipv4Options, PortOptions {
  flags?: number;
  seq?: number;
  ack?: number;
}
export interface Ipv6Options extends EthernetOptions, PortOptions {
  srcIp?: string;
  dstIp?: string;
  hopLimit?: number;
}

const DEFAULT_SRC_MAC = '02:00:00:00:00:01';
const DEFAULT_DST_MAC = '02:00:00:00:00:02';

/** Ethernet + IPv4 + UDP, padded to 60 bytes. Valid IPv4 header checksum; UDP checksum 0 (allowed over IPv4). */
export function ethIpv4Udp(options: Ipv4Options & PortOptions = {}): Buffer {
  const payload = options.payload ?? Buffer.alloc(0);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(options.srcPort ?? 12345, 0);
  udp.writeUInt16BE(options.dstPort ?? 80, 2);
  udp.writeUInt16BE(8 + payload.length, 4);
  return ethernetFrame(options, ETH_P_IP, ipv4Packet(options, IPPROTO_UDP, Buffer.concat([udp, payload])));
}

/** Ethernet + IPv4 + TCP (20-byte header, SYN by default), padded to 60 bytes, with valid checksums. */
export function ethIpv4Tcp(options: TcpOptions = {}): Buffer {
  const payload = options.payload ?? Buffer.alloc(0);
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(options.srcPort ?? 12345, 0);
  tcp.writeUInt16BE(options.dstPort ?? 80, 2);
  tcp.writeUInt32BE(options.seq ?? 1, 4);
  tcp.writeUInt32BE(options.ack ?? 0, 8);
  tcp[12] = 5 << 4; // data offset: 5 words
  tcp[13] = options.flags ?? TCP_FLAGS.SYN;
  tcp.writeUInt16BE(65535, 14); // window
  const segment = Buffer.concat([tcp, payload]);
  const pseudoHeader = Buffer.alloc(12);
  ipv4Bytes(options.srcIp ?? '10.0.0.1').copy(pseudoHeader, 0);
  ipv4Bytes(options.dstIp ?? '10.0.0.2').copy(pseudoHeader, 4);
  pseudoHeader[9] = IPPROTO_TCP;
  pseudoHeader.writeUInt16BE(segment.length, 10);
  segment.writeUInt16BE(internetChecksum(Buffer.concat([pseudoHeader, segment])), 16);
  return ethernetFrame(options, ETH_P_IP, ipv4Packet(options, IPPROTO_TCP, segment));
}

/** Ethernet + IPv6 + UDP (checksum computed: mandatory over IPv6). 62 bytes with no payload. */
export function ethIpv6(options: Ipv6Options = {}): Buffer {
  const payload = options.payload ?? Buffer.alloc(0);
  const src = ipv6Bytes(options.srcIp ?? 'fd00::1');
  const dst = ipv6Bytes(options.dstIp ?? 'fd00::2');
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(options.srcPort ?? 12345, 0);
  udp.writeUInt16BE(options.dstPort ?? 80, 2);
  udp.writeUInt16BE(8 + payload.length, 4);
  const datagram = Buffer.concat([udp, payload]);
  const pseudoHeader = Buffer.alloc(40);
  src.copy(pseudoHeader, 0);
  dst.copy(pseudoHeader, 16);
  pseudoHeader.writeUInt32BE(datagram.length, 32);
  pseudoHeader[39] = IPPROTO_UDP;
  // A computed 0 is sent as 0xffff: 0 means "no checksum", which IPv6 forbids.
  datagram.writeUInt16BE(internetChecksum(Buffer.concat([pseudoHeader, datagram])) || 0xffff, 6);

  const header = Buffer.alloc(40);
  header.writeUInt32BE(6 << 28, 0); // version 6, traffic class 0, flow label 0
  header.writeUInt16BE(datagram.length, 4);
  header[6] = IPPROTO_UDP;
  header[7] = options.hopLimit ?? 64;
  src.copy(header, 8);
  dst.copy(header, 24);
  return ethernetFrame(options, ETH_P_IPV6, Buffer.concat([header, datagram]));
}

/** Broadcast ARP request (who-has 10.0.0.2 tell 10.0.0.1), padded to 60 bytes. */
export function ethArp(options: EthernetOptions & { senderIp?: string; targetIp?: string } = {}): Buffer {
  const srcMac = macBytes(options.srcMac ?? DEFAULT_SRC_MAC);
  const arp = Buffer.alloc(28);
  arp.writeUInt16BE(1, 0); // hardware type: Ethernet
  arp.writeUInt16BE(ETH_P_IP, 2);
  arp[4] = 6; // hardware address length
  arp[5] = 4; // protocol address length
  arp.writeUInt16BE(1, 6); // opcode: request
  srcMac.copy(arp, 8);
  ipv4Bytes(options.senderIp ?? '10.0.0.1').copy(arp, 14);
  // target hardware address (18..23) stays zero in a request
  ipv4Bytes(options.targetIp ?? '10.0.0.2').copy(arp, 24);
  return ethernetFrame({ srcMac: options.srcMac, dstMac: options.dstMac ?? 'ff:ff:ff:ff:ff:ff' }, ETH_P_ARP, arp);
}

/** The first `length` bytes of a packet, as a copy: for bounds-check tests. */
export function truncated(packet: Buffer, length: number): Buffer {
  return Buffer.from(packet.subarray(0, length));
}

/** An Ethernet frame around `body`, padded to the 60-byte minimum. */
export function ethernetFrame(options: EthernetOptions, etherType: number, body: Buffer): Buffer {
  const header = Buffer.alloc(ETH_HLEN);
  macBytes(options.dstMac ?? DEFAULT_DST_MAC).copy(header, 0);
  macBytes(options.srcMac ?? DEFAULT_SRC_MAC).copy(header, 6);
  header.writeUInt16BE(etherType, 12);
  const frame = Buffer.concat([header, body]);
  return frame.length >= ETH_MIN_FRAME ? frame : Buffer.concat([frame, Buffer.alloc(ETH_MIN_FRAME - frame.length)]);
}

/** An IPv4 packet (20-byte header, DF, valid checksum) around `body`. */
export function ipv4Packet(options: Ipv4Options, protocol: number, body: Buffer): Buffer {
  const header = Buffer.alloc(20);
  header[0] = 0x45; // version 4, IHL 5 words
  header.writeUInt16BE(20 + body.length, 2);
  header.writeUInt16BE(0x4000, 6); // don't fragment
  header[8] = options.ttl ?? 64;
  header[9] = protocol;
  ipv4Bytes(options.srcIp ?? '10.0.0.1').copy(header, 12);
  ipv4Bytes(options.dstIp ?? '10.0.0.2').copy(header, 16);
  header.writeUInt16BE(internetChecksum(header), 10);
  return Buffer.concat([header, body]);
}

/** RFC 1071 one's-complement sum of 16-bit words. */
export function internetChecksum(data: Buffer): number {
  let sum = 0;
  for (let i = 0; i < data.length; i += 2) {
    sum += (data[i] << 8) | (i + 1 < data.length ? data[i + 1] : 0);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function macBytes(mac: string): Buffer {
  const parts = mac.split(':');
  if (parts.length !== 6) throw new Error(`bad MAC address: ${mac}`);
  return Buffer.from(parts.map((part) => Number.parseInt(part, 16)));
}

export function ipv4Bytes(address: string): Buffer {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255)) {
    throw new Error(`bad IPv4 address: ${address}`);
  }
  return Buffer.from(parts);
}

function ipv6Bytes(address: string): Buffer {
  const [head, tail, ...rest] = address.split('::');
  if (rest.length > 0) throw new Error(`bad IPv6 address: ${address}`);
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  if (tail === undefined ? missing !== 0 : missing < 1) throw new Error(`bad IPv6 address: ${address}`);
  const groups = [...headGroups, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...tailGroups];
  const bytes = Buffer.alloc(16);
  groups.forEach((group, index) => {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) throw new Error(`bad IPv6 address: ${address}`);
    bytes.writeUInt16BE(Number.parseInt(group, 16), index * 2);
  });
  return bytes;
}
