// Proves the kernel harness on this kernel with a hand-written libbpf object
// equivalent to the seed example, independently of the compiler.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  compileBpfC,
  describeKernel,
  dumpU32Map,
  ETH_HLEN,
  ETH_MIN_FRAME,
  ethArp,
  ethIpv4Tcp,
  ethIpv4Udp,
  ethIpv6,
  execInNetns,
  internetChecksum,
  loadAll,
  testRun,
  truncated,
  withNetns,
  withPinDir,
} from './helpers/kernel.js';

const XDP_PASS = 2;
const TC_ACT_OK = 0;
const fixturesDir = join(import.meta.dirname, 'fixtures');
const seedSource = join(fixturesDir, 'seed_handwritten.bpf.c');

describeKernel('kernel harness: hand-written seed object', () => {
  let buildDir: string;
  let seedObject: string;

  beforeAll(async () => {
    buildDir = await mkdtemp(join(tmpdir(), 'ks-harness-'));
    seedObject = join(buildDir, 'seed_handwritten.bpf.o');
    await compileBpfC(seedSource, seedObject);
  });
  afterAll(async () => {
    await rm(buildDir, { recursive: true, force: true });
  });

  it('loads both programs, runs them on a UDP packet and reads the shared map', async () => {
    let pinDir = '';
    await withPinDir(async (dir) => {
      pinDir = dir;
      const loaded = await loadAll(seedObject, dir);
      expect(Object.keys(loaded.programs)).toEqual(['packet_counter', 'packet_filter']);
      expect(Object.keys(loaded.maps)).toEqual(['shared_counter']);

      const packet = ethIpv4Udp();
      const xdp = await testRun(loaded.programs.packet_counter, packet, 10);
      expect(xdp.retval).toBe(XDP_PASS);
      expect(xdp.durationNs).toBeGreaterThanOrEqual(0);
      expect(xdp.dataOut).toEqual(packet);

      const tc = await testRun(loaded.programs.packet_filter, packet);
      expect(tc.retval).toBe(TC_ACT_OK);

      expect(await dumpU32Map(loaded.maps.shared_counter)).toEqual({ 1: 100, 2: 200 });
    });
    expect(existsSync(pinDir)).toBe(false);
  });

  it('accepts every packet builder, down to a bare Ethernet header', async () => {
    await withPinDir(async (dir) => {
      const { programs } = await loadAll(seedObject, dir);
      const packets = [ethIpv4Udp(), ethIpv4Tcp(), ethIpv6(), ethArp(), truncated(ethIpv4Tcp(), ETH_HLEN)];
      for (const packet of packets) {
        expect((await testRun(programs.packet_counter, packet)).retval).toBe(XDP_PASS);
      }
    });
  });

  it('reports the verifier log when the kernel rejects an object', async () => {
    // Reads packet memory without a bounds check: clang accepts it, the verifier must not.
    const rejectedObject = join(buildDir, 'unchecked_packet_read.bpf.o');
    await compileBpfC(join(fixturesDir, 'unchecked_packet_read.bpf.c'), rejectedObject);
    await withPinDir(async (dir) => {
      await expect(loadAll(rejectedObject, dir)).rejects.toThrow(/invalid access to packet/);
    });
  });
});

describeKernel('kernel harness: cleanup when the test body throws', () => {
  it('removes the pin dir', async () => {
    let pinDir = '';
    const failing = withPinDir(async (dir) => {
      pinDir = dir;
      throw new Error('test body failed');
    });
    await expect(failing).rejects.toThrow('test body failed');
    expect(pinDir).toMatch(/^\/sys\/fs\/bpf\/ks-test-\d+-[0-9a-f]{8}$/);
    expect(existsSync(pinDir)).toBe(false);
  });

  it('deletes the network namespace', async () => {
    let nsName = '';
    const failing = withNetns(async (ns) => {
      nsName = ns.name;
      throw new Error('test body failed');
    });
    await expect(failing).rejects.toThrow('test body failed');
    expect(existsSync(`/run/netns/${nsName}`)).toBe(false);
  });
});

describeKernel('kernel harness: network namespace', () => {
  it('creates a namespace with an up veth pair and deletes it afterwards', async () => {
    let nsName = '';
    await withNetns(async (ns) => {
      nsName = ns.name;
      const { stdout } = await execa('ip', ['-n', ns.name, '-j', 'addr', 'show']);
      const links = JSON.parse(stdout) as { ifname: string; operstate: string; flags: string[]; addr_info: { local: string }[] }[];
      for (const veth of ns.veths) {
        const link = links.find((candidate) => candidate.ifname === veth.name);
        expect(link?.flags).toContain('UP');
        // Both ends are in this namespace, so the carrier is up too.
        expect(link?.operstate).toBe('UP');
        expect(link?.addr_info.map((info) => info.local)).toContain(veth.address);
      }
      const inside = await execInNetns(ns, 'ip', ['-brief', 'link', 'show', 'veth1']);
      expect(inside.stdout).toMatch(/^veth1@veth0\s+UP/);
    });
    const { stdout } = await execa('ip', ['netns', 'list']);
    expect(stdout.split('\n').map((line) => line.split(' ')[0])).not.toContain(nsName);
  });
});

it('packet builders produce well-formed headers', () => {
  const udp = ethIpv4Udp({ payload: Buffer.from('hello') });
  expect(udp.length).toBe(ETH_MIN_FRAME);
  expect(udp.readUInt16BE(12)).toBe(0x0800);
  expect(internetChecksum(udp.subarray(ETH_HLEN, ETH_HLEN + 20))).toBe(0);
  expect(udp.readUInt16BE(ETH_HLEN + 2)).toBe(20 + 8 + 5);

  const tcp = ethIpv4Tcp({ payload: Buffer.from('x') });
  const tcpSegment = tcp.subarray(ETH_HLEN + 20, ETH_HLEN + 20 + 21);
  const pseudoHeader = Buffer.from([10, 0, 0, 1, 10, 0, 0, 2, 0, 6, 0, tcpSegment.length]);
  expect(internetChecksum(Buffer.concat([pseudoHeader, tcpSegment]))).toBe(0);

  const v6 = ethIpv6();
  expect(v6.readUInt16BE(12)).toBe(0x86dd);
  expect(v6.length).toBe(ETH_HLEN + 40 + 8);
  expect(v6.subarray(ETH_HLEN + 8, ETH_HLEN + 24).toString('hex')).toBe('fd000000000000000000000000000001');

  const arp = ethArp();
  expect(arp.length).toBe(ETH_MIN_FRAME);
  expect(arp.subarray(0, 6).toString('hex')).toBe('ffffffffffff');
  expect(truncated(arp, 20)).toHaveLength(20);
});
