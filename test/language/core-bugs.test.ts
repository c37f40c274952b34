// Bugs of the core (issue 9), each as the program that showed it: built with
// clang -Werror, loaded into the verifier, run with BPF_PROG_TEST_RUN, and the
// maps read back.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKernel, ethIpv4Udp, ethIpv6 } from '../helpers/kernel.js';
import { load, type MapHandle } from '../../packages/runtime/src/index.js';
import { buildSystem, type BuiltSystem } from '../helpers/build.js';

const XDP_PASS = 2;

const SOURCE = `
// Bug 5: maps and structs name structs declared further down the file.
map<u32, Flow> flows : HashMap(8);
map<u32, Big> big : HashMap(2);

struct Flow {
  tag: Tag,
  bytes: [u8; 6],
  packets: u64,
}

struct Tag {
  id: u32,
}

// §16: an array map keyed by an enum, and value matches over an enum and a bool without \`_\`.
enum Proto { Tcp = 0, Udp = 1, Other = 2 }
map<Proto, u64> by_proto : Array(3);

// Bug 2: struct literals whose array field is taken from another array.
struct MacKey {
  addr: [u8; 6],
}
map<MacKey, u64> by_mac : HashMap(8);

// Bug 6: a value far larger than the 512-byte stack, updated in place.
struct Big {
  samples: [u64; 960],
  last: u64,
}

program bugs : xdp {
  fn main(ctx: XdpContext) -> XdpAction {
    let eth = ctx.header<EthHdr>(0);
    if eth == null { return XDP_PASS; }
    // Bug 3: an array field of a map element assigned from an array.
    let mac: [u8; 6] = [1, 2, 3, 4, 5, 6];
    flows[1].bytes = mac;
    flows[1].tag = Tag { id: 7 };
    flows[1].packets += 1;
    // Bug 6: inserting the absent element zeroes it from read-only data, not on the stack.
    big[3].last = 42;
    big[3].samples[959] += 5;
    let k = MacKey { addr: mac };
    by_mac[k] += 1;
    by_mac[MacKey { addr: eth.h_source }] += 100;
    let proto = match ctx.rx_queue_index {
      0 -> Proto::Udp,
      _ -> Proto::Other,
    };
    let weight: u64 = match proto {
      Proto::Tcp -> 1,
      Proto::Udp -> 10,
      Proto::Other -> 100,
    };
    let big_frame = (ctx.data_end - ctx.data) > 1000;
    let extra: u64 = match big_frame { true -> 1000, false -> 0 };
    by_proto[proto] += weight + extra;
    return XDP_PASS;
  }
}
`;

describeKernel('core bugs of issue 9, in the kernel', () => {
  let built: BuiltSystem;
  beforeAll(async () => {
    built = await buildSystem(SOURCE, 'core-bugs.ks');
  });
  afterAll(() => built?.cleanup());

  it('an array field of a map element is copied (bug 3), and the large zero element is read-only data (bug 6)', () => {
    expect(built.ebpfC).toMatch(/__builtin_memcpy\(flows_elem->bytes, mac, sizeof\(flows_elem->bytes\)\)/);
    expect(built.ebpfC).toMatch(/static const struct Big big_zero = \{\};/);
    const plan = built.result.resources!.programs.find((p) => p.program === 'bugs')!;
    expect(plan.stackBytes).toBeLessThanOrEqual(64);
  });

  it('the verifier accepts it, and the maps hold what the program wrote', () => {
    using system = load({ metadata: built.metadata, object: built.object });
    for (let run = 0; run < 2; run++) expect(system.programs.bugs!.testRun(ethIpv4Udp()).retval).toBe(XDP_PASS);
    const flow = (system.maps.flows as MapHandle<number, { tag: { id: number }; bytes: Uint8Array; packets: bigint }>).get(1)!;
    expect([...flow.bytes]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(flow.tag.id).toBe(7);
    expect(flow.packets).toBe(2n);
    const value = (system.maps.big as MapHandle<number, { samples: bigint[]; last: bigint }>).get(3)!;
    expect(value.last).toBe(42n);
    expect(value.samples[959]).toBe(10n);
    expect(value.samples.slice(0, 959).every((s) => s === 0n)).toBe(true);
    const byMac = system.maps.by_mac as MapHandle<{ addr: number[] }, bigint>;
    expect(byMac.get({ addr: [1, 2, 3, 4, 5, 6] })).toBe(2n);
    expect(byMac.get({ addr: [...ethIpv4Udp().subarray(6, 12)] })).toBe(200n);
    // Queue 0 is Udp (weight 10), a small frame: 10 per run, in the enum's slot.
    const byProto = system.maps.by_proto as MapHandle<number, bigint>;
    expect([byProto.get(0), byProto.get(1), byProto.get(2)]).toEqual([0n, 20n, 0n]);
  });
});

// Bug 1: an IPv6 address is [u8; 16] in the language and struct in6_addr in C:
// indexed, copied into a local, and used as a map key, all three.
const IPV6_SOURCE = `
map<[u8; 16], u64> by_src6 : HashMap(8);
map<u32, u64> first_byte : Array(1);

program v6 : xdp {
  fn main(ctx: XdpContext) -> XdpAction {
    let ip6 = ctx.header<Ipv6Hdr>(14);
    if ip6 == null { return XDP_PASS; }
    first_byte[0] = ip6.saddr[0] as u64;
    let a: [u8; 16] = ip6.saddr;
    by_src6[a] += 1;
    by_src6[ip6.saddr] += 10;
    return XDP_PASS;
  }
}
`;

describeKernel('bug 1 of issue 9, IPv6 addresses, in the kernel', () => {
  let built: BuiltSystem;
  beforeAll(async () => {
    built = await buildSystem(IPV6_SOURCE, 'core-bug-ipv6.ks');
  });
  afterAll(() => built?.cleanup());

  it('indexes, copies and keys a map by ip6.saddr', () => {
    using system = load({ metadata: built.metadata, object: built.object });
    const packet = ethIpv6({ srcIp: 'fd12::34' });
    expect(system.programs.v6!.testRun(packet).retval).toBe(XDP_PASS);
    const source = [...packet.subarray(14 + 8, 14 + 24)];
    expect(source[0]).toBe(0xfd);
    expect((system.maps.first_byte as MapHandle<number, bigint>).get(0)).toBe(0xfdn);
    expect((system.maps.by_src6 as MapHandle<number[], bigint>).get(source)).toBe(11n);
  });
});
