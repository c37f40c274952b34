// The runtime on systems compiled from `.ks` (compile() + clang, as the
// bundler plugin does), not hand-written C: every map kind's handle
// operations, per-CPU sums, LPM keys, tail-call tables, config, ring buffer
// streaming from a tracepoint, and testRun of xdp, tc and socket_filter.
import { existsSync, readFileSync } from 'node:fs';
import { execa } from 'execa';
import koffi from 'koffi';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKernel, ethArp, ethIpv4Tcp, ethIpv4Udp, ethIpv6 } from '../../../test/helpers/kernel.js';
import { buildExample, type BuiltSystem } from '../../../test/helpers/build.js';
import { load, type KernelModule, type MapHandle, type RingBufferHandle } from '../src/index.js';

const XDP_DROP = 1;
const XDP_PASS = 2;
const TC_ACT_OK = 0;
/** sizeof(struct __sk_buff) and offsetof(mark): the context a tc test run takes and gives back. */
const SK_BUFF_SIZE = 192;
const SK_BUFF_MARK = 8;

const getppid = koffi.load('libc.so.6').func('int getppid(void)');
const possibleCpus = Number(readFileSync('/sys/devices/system/cpu/possible', 'utf8').trim().split('-').at(-1)) + 1;

/** An IPv4 address as the u32 a program reads from the packet (network byte order in memory, read little-endian). */
function wireU32(address: string): number {
  return Buffer.from(address.split('.').map(Number)).readUInt32LE(0);
}

const EXAMPLES = [
  'flow_table',
  'ip_blocklist',
  'cpu_stats',
  'tail_call_pipeline',
  'ringbuf_events',
  'size_filter',
  'rate_limiter',
  'udp_socket_filter',
  'tc_classifier',
  'execsnoop',
] as const;
type Example = (typeof EXAMPLES)[number];

interface FlowKey { saddr: number; daddr: number; sport: number; dport: number; protocol: number }
interface FlowStats { packets: bigint; bytes: bigint; first_seen_ns: bigint; last_seen_ns: bigint }
interface IfStats { packets: bigint; bytes: bigint; max_len: number }
interface Call { pid: number; uid: number; timestamp_ns: bigint }
interface ExecEvent { pid: number; ppid: number; uid: number; args_count: number; args_size: number; comm: string; args: number[] }

describeKernel('runtime on compiled .ks systems', () => {
  const built = {} as Record<Example, BuiltSystem>;
  const module = (name: Example): KernelModule => ({ metadata: built[name].metadata, object: built[name].object });

  beforeAll(async () => {
    if (!existsSync('/sys/kernel/tracing/events')) await execa('mount', ['-t', 'tracefs', 'tracefs', '/sys/kernel/tracing']);
    await Promise.all(EXAMPLES.map(async (name) => (built[name] = await buildExample(name))));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(Object.values(built).map((example) => example.cleanup()));
  });

  it('hash map with struct keys and values: tc testRun fills it, every handle method round-trips', () => {
    using system = load<{ flows: MapHandle<FlowKey, FlowStats> }>(module('flow_table'));
    const { flows } = system.maps;
    const packet = ethIpv4Udp({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 5000, dstPort: 53 });
    expect(system.programs.track_flows.testRun(packet, { repeat: 3 }).retval).toBe(TC_ACT_OK);

    const key = { saddr: wireU32('10.0.0.1'), daddr: wireU32('10.0.0.2'), sport: 5000, dport: 53, protocol: 17 };
    const stats = flows.get(key)!;
    expect(stats.packets).toBe(3n);
    expect(stats.bytes).toBe(3n * BigInt(packet.length));
    expect(stats.last_seen_ns).toBeGreaterThanOrEqual(stats.first_seen_ns);
    expect(stats.first_seen_ns).toBeGreaterThan(0n);
    expect(flows.has(key)).toBe(true);
    expect(flows.get({ ...key, dport: 54 })).toBeUndefined();

    const other = { ...key, sport: 1 };
    const written = { packets: 2n ** 63n, bytes: 1n, first_seen_ns: 0n, last_seen_ns: 2n ** 64n - 1n };
    flows.set(other, written, { flags: 'noexist' });
    expect(flows.get(other)).toEqual(written);
    expect([...flows.keys()]).toHaveLength(2);
    expect(new Map([...flows.entries()].map(([k, v]) => [k.sport, v.packets]))).toEqual(new Map([[5000, 3n], [1, 2n ** 63n]]));
    expect([...flows.values()].map((v) => v.bytes).sort()).toEqual([1n, 3n * BigInt(packet.length)].sort());
    expect(flows.delete(other)).toBe(true);
    expect(flows.delete(other)).toBe(false);

    const many = Array.from({ length: 1000 }, (_, i): [FlowKey, FlowStats] => [{ ...key, sport: i + 10_000 }, { ...written, bytes: BigInt(i) }]);
    flows.setMany(many);
    const read = flows.getMany();
    expect(read).toHaveLength(1001);
    expect(read).toContainEqual([{ ...key, sport: 10_999 }, { ...written, bytes: 999n }]);
    flows.clear();
    expect(flows.getMany()).toEqual([]);

    expect(() => flows.get({ ...key, protocol: 256 })).toThrow(/key of map 'flows'\.protocol: 256 is out of range for u8/);
    expect(() => flows.get({ saddr: 1 } as FlowKey)).toThrow(/missing field 'daddr'/);
  });

  it('LPM trie with { prefixlen, addr } keys decides the xdp verdict; the LRU hash counts drops', () => {
    const Verdict = { Allow: 0, Block: 1 };
    using system = load<{ blocklist: MapHandle<{ prefixlen: number; addr: number }, number>; blocked_by_source: MapHandle<number, bigint> }>(
      module('ip_blocklist'),
    );
    const { blocklist, blocked_by_source } = system.maps;
    blocklist.set({ prefixlen: 8, addr: wireU32('10.0.0.0') }, Verdict.Block);
    blocklist.set({ prefixlen: 16, addr: wireU32('10.1.0.0') }, Verdict.Allow);
    // Longest prefix match from userspace, as in the kernel.
    expect(blocklist.get({ prefixlen: 32, addr: wireU32('10.1.2.3') })).toBe(Verdict.Allow);
    expect(blocklist.get({ prefixlen: 32, addr: wireU32('10.9.9.9') })).toBe(Verdict.Block);
    expect(blocklist.get({ prefixlen: 32, addr: wireU32('192.168.0.1') })).toBeUndefined();

    const run = (srcIp: string) => system.programs.block_networks.testRun(ethIpv4Udp({ srcIp })).retval;
    expect(run('10.1.2.3')).toBe(XDP_PASS);
    expect(run('10.9.9.9')).toBe(XDP_DROP);
    expect(run('10.9.9.9')).toBe(XDP_DROP);
    expect(run('192.168.0.1')).toBe(XDP_PASS);
    expect(blocked_by_source.get(wireU32('10.9.9.9'))).toBe(2n);
    expect([...blocked_by_source.entries()]).toEqual([[wireU32('10.9.9.9'), 2n]]);
    expect(blocked_by_source.getMany()).toEqual([[wireU32('10.9.9.9'), 2n]]);

    // LPM tries have no batch operations: getMany falls back to iteration.
    expect(blocklist.getMany()).toHaveLength(2);
    expect(blocklist.delete({ prefixlen: 8, addr: wireU32('10.0.0.0') })).toBe(true);
    expect(run('10.9.9.9')).toBe(XDP_PASS);
    blocked_by_source.clear();
    expect(blocked_by_source.has(wireU32('10.9.9.9'))).toBe(false);
  });

  it('per-CPU array and hash: get sums over CPUs (structs field by field), getPerCpu has one value per CPU', () => {
    using system = load<{ stats: MapHandle<number, IfStats>; size_histogram: MapHandle<number, bigint> }>(module('cpu_stats'));
    const { stats, size_histogram } = system.maps;
    const small = ethIpv4Udp(); // 60 bytes: bucket 0
    const large = ethIpv4Udp({ payload: Buffer.alloc(200) }); // 242 bytes: bucket 2
    system.programs.collect_stats.testRun(small, { repeat: 5 });
    system.programs.collect_stats.testRun(large, { repeat: 2 });
    const total = stats.get(0)!;
    expect({ packets: total.packets, bytes: total.bytes }).toEqual({ packets: 7n, bytes: BigInt(5 * small.length + 2 * large.length) });
    // max_len is a per-CPU maximum, and test runs may land on different CPUs: get() sums it
    // like every integer field, and the largest per-CPU value is the real maximum.
    const perCpuStats = stats.getPerCpu(0)!;
    expect(total.max_len).toBe(perCpuStats.reduce((sum, value) => sum + value.max_len, 0));
    expect(Math.max(...perCpuStats.map((value) => value.max_len))).toBe(large.length);
    expect(size_histogram.get(0)).toBe(5n);
    expect(size_histogram.get(2)).toBe(2n);
    expect(new Map(size_histogram.getMany())).toEqual(new Map([[0, 5n], [2, 2n]]));

    const perCpu = size_histogram.getPerCpu(0)!;
    expect(perCpu).toHaveLength(possibleCpus);
    expect(perCpu.reduce((sum, value) => sum + value, 0n)).toBe(5n);
    size_histogram.setPerCpu(7, perCpu.map((_, cpu) => BigInt(cpu + 1)));
    expect(size_histogram.get(7)).toBe(BigInt((possibleCpus * (possibleCpus + 1)) / 2));
    size_histogram.set(8, 40n);
    expect(size_histogram.getPerCpu(8)).toEqual([40n, ...Array(possibleCpus - 1).fill(0n)]);

    stats.clear();
    expect(stats.get(0)).toEqual({ packets: 0n, bytes: 0n, max_len: 0 });
  });

  it('array map and tail calls: load fills the ProgArray from metadata.tailCalls', () => {
    using system = load<{ parsed: MapHandle<number, bigint> }>(module('tail_call_pipeline'));
    const { parsed } = system.maps;
    expect('ks_tail_calls' in system.maps).toBe(false);
    const { dispatch } = system.programs;
    expect(dispatch.testRun(ethIpv4Udp()).retval).toBe(XDP_PASS);
    expect(dispatch.testRun(ethIpv4Udp({ ttl: 1 })).retval).toBe(XDP_DROP); // parse_ipv4 decided
    expect(dispatch.testRun(ethIpv6()).retval).toBe(XDP_PASS);
    expect(dispatch.testRun(ethArp()).retval).toBe(XDP_PASS);
    // SEEN_IPV4, SEEN_IPV6, SEEN_OTHER, TAIL_CALL_FAILED
    expect(parsed.getMany()).toEqual([[0, 2n], [1, 1n], [2, 1n], [3, 0n]]);
    expect([...parsed.keys()]).toEqual([0, 1, 2, 3]);
    expect(parsed.get(4)).toBeUndefined();
    parsed.set(3, 9n);
    expect(parsed.get(3)).toBe(9n);
    expect(() => parsed.delete(0)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    parsed.clear();
    expect([...parsed.values()]).toEqual([0n, 0n, 0n, 0n]);
  });

  it('config: defaults from the metadata, overrides by name, and sys.config says what was loaded', () => {
    {
      using system = load(module('size_filter'));
      expect(system.config).toEqual({ max_packet_size: 1500, udp_only: false });
      expect(system.programs.drop_oversized.testRun(ethIpv4Udp({ payload: Buffer.alloc(1000) })).retval).toBe(XDP_PASS);
    }
    {
      using system = load(module('size_filter'), { config: { max_packet_size: 100 } });
      expect(system.config).toEqual({ max_packet_size: 100, udp_only: false });
      expect(system.programs.drop_oversized.testRun(ethIpv4Tcp({ payload: Buffer.alloc(100) })).retval).toBe(XDP_DROP);
    }
    {
      using system = load(module('size_filter'), { config: { max_packet_size: 100, udp_only: true } });
      expect(system.programs.drop_oversized.testRun(ethIpv4Tcp({ payload: Buffer.alloc(100) })).retval).toBe(XDP_PASS);
      expect(system.programs.drop_oversized.testRun(ethIpv4Udp({ payload: Buffer.alloc(100) })).retval).toBe(XDP_DROP);
    }
    {
      // u64 config: bigint; zero tokens per second and a burst of 2 lets two packets through.
      using system = load(module('rate_limiter'), { config: { rate_per_sec: 0n, burst: 2n } });
      expect(system.config).toEqual({ rate_per_sec: 0n, burst: 2n });
      const run = () => system.programs.rate_limit.testRun(ethIpv4Udp()).retval;
      expect([run(), run(), run()]).toEqual([XDP_PASS, XDP_PASS, XDP_DROP]);
    }
    expect(() => load(module('size_filter'), { config: { max_packet_size: 100n } })).toThrow(/config 'max_packet_size': expected an integer number for u32/);
    expect(() => load(module('rate_limiter'), { config: { burst: 2 } })).toThrow(/config 'burst': expected a bigint for u64/);
  });

  it('streams ring buffer records from a tracepoint with for await, stopped by an AbortSignal', async () => {
    type Maps = { calls: RingBufferHandle<Call>; per_process: MapHandle<number, number> };
    await using system = load<Maps>(module('ringbuf_events'));
    system.programs.on_getppid.attach();
    const abort = new AbortController();
    const received: Call[] = [];
    const reading = (async () => {
      for await (const call of system.maps.calls.stream({ signal: abort.signal })) {
        if (call.pid === process.pid) received.push(call);
        if (received.length === 3) abort.abort();
      }
      return 'stopped';
    })();
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      getppid();
    }
    await expect(reading).resolves.toBe('stopped');
    expect(received.map((call) => call.uid)).toEqual([0, 0, 0]);
    expect(received.every((call) => typeof call.timestamp_ns === 'bigint')).toBe(true);
    expect(received[0]!.timestamp_ns).toBeLessThan(received[2]!.timestamp_ns);

    // Aborting a stream that is waiting for records ends it.
    const idle = new AbortController();
    const waiting = (async () => {
      for await (const call of system.maps.calls.stream({ signal: idle.signal })) void call;
      return 'ended';
    })();
    setTimeout(() => idle.abort(), 20);
    await expect(waiting).resolves.toBe('ended');
  });

  it('decodes a [char; 16] event field as a JS string and a [u8; N] one as bytes (examples/execsnoop.ks)', async () => {
    await using system = load<{ events: RingBufferHandle<ExecEvent> }>(module('execsnoop'));
    system.programs.execsnoop.attach();
    const abort = new AbortController();
    const reading = (async () => {
      for await (const event of system.maps.events.stream({ signal: abort.signal })) {
        if (event.args_count === 4 && Buffer.from(event.args.slice(0, event.args_size)).toString('latin1') === '/bin/true\0ks-runtime\0b\0c\0') {
          abort.abort();
          return event;
        }
      }
      return null;
    })();
    const child = execa('/bin/true', ['ks-runtime', 'b', 'c']);
    await child;
    const event = await reading;
    expect(event).not.toBeNull();
    expect(event!.pid).toBe(child.pid);
    expect(event!.ppid).toBe(process.pid);
    // The exec is reported as its caller enters execve: comm is still the caller's, node's main thread's name.
    expect(event!.comm).toBe(readFileSync('/proc/self/comm', 'utf8').trim());
    expect(event!.args).toHaveLength(384);
  });

  it('testRun of a tc program takes and returns the __sk_buff context: the mark it set', () => {
    using system = load<{ class_packets: MapHandle<number, bigint> }>(module('tc_classifier'));
    const run = system.programs.classify.testRun(ethIpv4Tcp({ dstPort: 443 }), { ctx: new Uint8Array(SK_BUFF_SIZE) });
    expect(run.retval).toBe(TC_ACT_OK);
    expect(run.ctxOut!.readUInt32LE(SK_BUFF_MARK)).toBe(0x4b530000 | 3); // TrafficClass::Web
    expect(system.maps.class_packets.get(3)).toBe(1n);
    expect(system.programs.classify.testRun(ethIpv4Udp({ dstPort: 53 })).ctxOut).toBeNull();
  });

  it('testRun of a socket_filter program: bytes kept for UDP, 0 for TCP', () => {
    using system = load<{ kept: MapHandle<number, bigint> }>(module('udp_socket_filter'));
    const udp = ethIpv4Udp();
    // The kernel strips the Ethernet header before a socket filter runs: it keeps the rest.
    expect(system.programs.keep_udp.testRun(udp).retval).toBe(udp.length - 14);
    expect(system.programs.keep_udp.testRun(ethIpv4Tcp()).retval).toBe(0);
    expect(system.programs.keep_udp.testRun(ethIpv6()).retval).toBe(ethIpv6().length - 14);
    expect(system.maps.kept.getMany()).toEqual([[0, 1n], [1, 1n]]);
  });
});
