// Several updates of one map element share one lookup (element-reuse.ts), and
// anything that could replace or remove the element, or change the key, makes
// the next update look it up again; a key computed again from unchanged values
// reuses its temporary (key-reuse.ts). Checked in the C and in the kernel.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKernel, ethIpv4Udp } from '../helpers/kernel.js';
import { load, type MapHandle } from '../../packages/runtime/src/index.js';
import { buildSystem, type BuiltSystem } from '../helpers/build.js';

const SOURCE = `
struct Stats { a: u64, b: u64, c: u64 }
map<u32, Stats> stats : HashMap(8);

fn drop_key(k: u32) -> u32 {
  delete stats[k];
  return 0;
}

program updates : xdp {
  fn main(ctx: XdpContext) -> XdpAction {
    let k: u32 = 1;
    stats[k].a += 1;
    stats[k].b += 2;          // same element: no second lookup
    if ctx.len() > 10 {
      stats[k].c += 3;        // nested: still the same element
    }
    let j: u32 = 2;
    stats[j].a += 10;
    delete stats[j];
    stats[j].b += 20;         // deleted in between: inserted again, a is 0
    let m: u32 = 3;
    stats[m].a += 100;
    m = 4;
    stats[m].b += 200;        // another key now
    let h: u32 = 5;
    stats[h].a += 1000;
    let ignored = drop_key(h);
    stats[h].b += 2000 + (ignored as u64);  // a helper may have deleted it: looked up again
    let p: u32 = 7;
    let first = stats[p + 1];
    if first == null {
      stats[p + 1].a += 5;    // the key p + 1 is still in a temporary: no second copy
    }
    return XDP_PASS;
  }
}
`;

describeKernel('updates of one map element share its lookup until something may change it', () => {
  let built: BuiltSystem;
  beforeAll(async () => {
    built = await buildSystem(SOURCE, 'element-reuse.ks');
  });
  afterAll(() => built?.cleanup());

  it('looks the element up once for k, and again after a delete, a new key or a helper call', () => {
    const main = built.ebpfC.slice(built.ebpfC.indexOf('int updates('));
    // k: 1 lookup (+1 after its insert); j: 2 (+2); m: 2 (+2); h: 2 (+2); p + 1: 1 read and 1 (+1) update.
    expect(main.match(/= bpf_map_lookup_elem\(&stats/g)).toHaveLength(17);
  });

  it('computes a key again only when what it is made of changed', () => {
    const main = built.ebpfC.slice(built.ebpfC.indexOf('int updates('));
    expect(main.match(/= p \+ 1;/g)).toHaveLength(1);
  });

  it('counts as the .ks says', () => {
    using system = load({ metadata: built.metadata, object: built.object });
    system.programs.updates!.testRun(ethIpv4Udp());
    const stats = system.maps.stats as MapHandle<number, { a: bigint; b: bigint; c: bigint }>;
    expect(new Map(stats.entries())).toEqual(
      new Map([
        [1, { a: 1n, b: 2n, c: 3n }],
        [2, { a: 0n, b: 20n, c: 0n }],
        [3, { a: 100n, b: 0n, c: 0n }],
        [4, { a: 0n, b: 200n, c: 0n }],
        [5, { a: 0n, b: 2000n, c: 0n }],
        [8, { a: 5n, b: 0n, c: 0n }],
      ]),
    );
  });
});
