// test/language/programs/constructs.ks: the semantics of types (§3), map
// access (§4) and statements (§6), computed in the kernel and read back.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKernel, ethIpv4Udp } from '../helpers/kernel.js';
import { load, type LoadedSystem, type MapHandle } from '../../packages/runtime/src/index.js';
import { buildSystem, type BuiltSystem } from '../helpers/build.js';

const XDP_PASS = 2;

describeKernel('language constructs in the kernel (test/language/programs/constructs.ks)', () => {
  let built: BuiltSystem;
  let system: LoadedSystem;
  let out: MapHandle<number, bigint>;
  beforeAll(async () => {
    const source = await readFile(join(import.meta.dirname, 'programs', 'constructs.ks'), 'utf8');
    built = await buildSystem(source, 'test/language/programs/constructs.ks');
    system = load({ metadata: built.metadata, object: built.object });
    out = system.maps.out as MapHandle<number, bigint>;
    for (const program of ['types_and_literals', 'map_semantics', 'statements']) {
      expect(system.programs[program]!.testRun(ethIpv4Udp()).retval).toBe(XDP_PASS);
    }
  });
  afterAll(async () => {
    system?.close();
    await built?.cleanup();
  });

  it('§3: literals in every base, widening, wrapping, casts, char, aliases, arrays, enums', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => out.get(i))).toEqual([1255n, 0n, 2n ** 64n - 1n, 41n, 65n, 8080n, 17n, 2n, 2n ** 32n]);
  });

  it('§3: enums become prefixed C enums, 64-bit when a value needs it', () => {
    expect(built.ebpfC).toContain('enum Color {\n    Color_Red = 1,\n    Color_Green = 2,\n    Color_Blue = 10,\n    Color_Big = 4294967296ULL,\n};');
  });

  it('§4: zero value and presence of absent keys, copy semantics, in-place field writes, delete', () => {
    expect([9, 10, 11, 12, 13, 14, 15].map((i) => out.get(i))).toEqual([0n, 1n, 10n, 21n, 3n, 1n, 1n]);
    const pairs = system.maps.pairs as MapHandle<number, { a: number; b: number }>;
    expect(pairs.get(5)).toEqual({ a: 10, b: 21 });
    expect(pairs.has(6)).toBe(false);
    expect(pairs.has(7)).toBe(false);
  });

  it('§4: struct keys and values with padding, LRU, LRU per-CPU and program-local maps', () => {
    expect([16, 17, 18, 19].map((i) => out.get(i))).toEqual([6n, 14n, 4n, 3n]);
    const padded = system.maps.padded as MapHandle<{ flag: boolean; wide: bigint; small: number }, { flag: boolean; wide: bigint; small: number }>;
    expect([...padded.entries()]).toEqual([[{ flag: true, wide: 5n, small: 6 }, { flag: true, wide: 6n, small: 6 }]]);
    expect(built.metadata.maps['map_semantics::local_counts']).toMatchObject({ objectName: 'local_counts', scope: { program: 'map_semantics' } });
    expect(built.metadata.maps.jump_table).toMatchObject({ kind: 'prog_array', bpfType: 'BPF_MAP_TYPE_PROG_ARRAY' });
  });

  it('§5: context members and header views at constant, computed and map-supplied offsets', () => {
    const run = (packet: Buffer) => system.programs.packet_views!.testRun(packet).retval;
    const echo = ethIpv4Udp();
    echo[14 + 9] = 1; // IPPROTO_ICMP: the 8 bytes after the IP header read as an ICMP header
    echo[34] = 8; // echo request
    echo[35] = 3;
    const offsets = system.maps.view_offsets as MapHandle<number, number>;
    offsets.set(0, 34);
    expect(run(echo)).toBe(XDP_PASS);
    // BPF_PROG_TEST_RUN runs XDP on loopback (ifindex 1), queue 0.
    expect([26, 27, 28, 29].map((i) => out.get(i))).toEqual([60n, 61n, 8003n, 80n]);
    offsets.set(0, 58); // the 8-byte view would end past the 60-byte packet
    expect(run(echo)).toBe(0); // XDP_ABORTED
    offsets.set(0, 0xffff_fff0); // far out: refused before any pointer arithmetic
    expect(run(echo)).toBe(0);
    expect(run(ethIpv4Udp().subarray(0, 20))).toBe(1); // XDP_DROP: no IPv4 header
  });

  it('§6: for with break/continue, while, compound assignment on locals, fields and array elements, match, min/max, logic', () => {
    expect([20, 21, 22, 23, 24, 25].map((i) => out.get(i))).toEqual([4n, 1024n, 126n, 2n, 12n, 1n]);
  });

  it('§6: a variable array index reads zero and writes nothing when out of range', () => {
    const indexSource = system.maps.index_source as MapHandle<number, bigint>;
    const run = (index: bigint) => {
      indexSource.set(0, index);
      expect(system.programs.statements!.testRun(ethIpv4Udp()).retval).toBe(XDP_PASS);
      return [out.get(30), out.get(31)];
    };
    expect(run(2n)).toEqual([30n, 10n + 20n + 7n + 40n]);
    expect(run(4n)).toEqual([0n, 100n]);
    expect(run(2n ** 63n)).toEqual([0n, 100n]);
  });
});
