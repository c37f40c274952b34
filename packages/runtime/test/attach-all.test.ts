// system.attachAll(targets?): every program attached as a skeleton's
// __attach() would — tracepoints to their declared events, xdp and tc to the
// interfaces named for them (in a network namespace, through a child process
// run with `ip netns exec`), socket filters left alone — and all or nothing.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import koffi from 'koffi';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildSystem, type BuiltSystem } from '../../../test/helpers/build.js';
import { describeKernel, withNetns } from '../../../test/helpers/kernel.js';
import { load, type MapHandle } from '../src/index.js';

const getppid = koffi.load('libc.so.6').func('int getppid(void)');

const TRACING_KS = `map<u32, u64> seen : Array(2);

program on_getppid : tracepoint("syscalls/sys_enter_getppid") {
  fn main(ctx: TracepointContext) -> i32 {
    seen[0] += 1;
    return 0;
  }
}

program keep_all : socket_filter {
  fn main(ctx: SkbContext) -> i32 {
    return 0;
  }
}
`;

/** The same with an xdp program, which needs an interface named. */
const MIXED_KS = `${TRACING_KS}
program count_packets : xdp {
  fn main(ctx: XdpContext) -> XdpAction {
    seen[1] += 1;
    return XDP_PASS;
  }
}
`;

const INTERFACE_KS = `program on_xdp : xdp {
  fn main(ctx: XdpContext) -> XdpAction {
    return XDP_PASS;
  }
}

program on_egress : tc("egress") {
  fn main(ctx: TcContext) -> TcAction {
    return TC_ACT_OK;
  }
}
`;

/** Loads the system in its own process, attaches everything to veth0, and prints what `ip` then shows. */
const ATTACH_IN_NAMESPACE = `
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
const { load } = await import(process.argv[1]);
const system = load({ metadata: JSON.parse(readFileSync(process.argv[2], 'utf8')), object: process.argv[3] });
const attachments = system.attachAll({ on_xdp: 'veth0', on_egress: 'veth0' }).map((attachment) => attachment.description);
const link = execFileSync('ip', ['-d', 'link', 'show', 'veth0'], { encoding: 'utf8' });
const filters = execFileSync('tc', ['filter', 'show', 'dev', 'veth0', 'egress'], { encoding: 'utf8' });
system.close();
console.log(JSON.stringify({ attachments, xdp: /prog\\/xdp/.test(link), tc: /on_egress/.test(filters) }));
`;

describeKernel('attachAll', () => {
  let tracing: BuiltSystem;
  let mixed: BuiltSystem;
  let interfaces: BuiltSystem;
  beforeAll(async () => {
    if (!existsSync('/sys/kernel/tracing/events')) await execa('mount', ['-t', 'tracefs', 'tracefs', '/sys/kernel/tracing']);
    [tracing, mixed, interfaces] = await Promise.all([
      buildSystem(TRACING_KS, 'tracing.ks'),
      buildSystem(MIXED_KS, 'mixed.ks'),
      buildSystem(INTERFACE_KS, 'interfaces.ks'),
    ]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([tracing, mixed, interfaces].map((system) => system?.cleanup()));
  });

  it('attaches nothing when a program lacks its interface, a name is unknown, or a target is given where none is taken', () => {
    using system = load<{ seen: MapHandle<number, bigint> }>({ metadata: mixed.metadata, object: mixed.object });
    // The xdp program would need an interface: without one, nothing is attached at all.
    expect(() => system.attachAll()).toThrow(
      new TypeError("attachAll: xdp program 'count_packets' attaches to an interface: name it, e.g. attachAll({ count_packets: 'eth0' })"),
    );
    getppid();
    expect(system.maps.seen.get(0)).toBe(0n);
    expect(() => system.attachAll({ count_packet: 'veth0' })).toThrow(/^attachAll: no program 'count_packet' \(programs: on_getppid, keep_all, count_packets\)$/);
    expect(() => system.attachAll({ keep_all: 'x', count_packets: 'lo' })).toThrow("attachAll: socket_filter program 'keep_all' takes no target");
  });

  it('attaches a tracepoint to its declared event and skips the socket filter; close() detaches', () => {
    const system = load<{ seen: MapHandle<number, bigint> }>({ metadata: tracing.metadata, object: tracing.object });
    const attachments = system.attachAll();
    expect(attachments.map((attachment) => attachment.description)).toEqual(['tracepoint:syscalls/sys_enter_getppid']);
    for (let i = 0; i < 3; i++) getppid();
    const seen = system.maps.seen.get(0)!;
    expect(seen).toBeGreaterThanOrEqual(3n);
    system.close();
    expect(() => system.attachAll()).toThrow(/closed/);
  });

  it('attaches xdp and tc programs to the interfaces named for them', async () => {
    const metadataPath = join(interfaces.dir, 'metadata.json');
    await writeFile(metadataPath, JSON.stringify(interfaces.metadata));
    const runtime = pathToFileURL(join(import.meta.dirname, '../dist/index.js')).href;
    await withNetns(async (ns) => {
      const { stdout } = await execa('ip', ['netns', 'exec', ns.name, process.execPath, '--input-type=module', '-e', ATTACH_IN_NAMESPACE, runtime, metadataPath, interfaces.object]);
      expect(JSON.parse(stdout)).toEqual({ attachments: ['xdp:veth0', 'tc:veth0:egress'], xdp: true, tc: true });
    });
  }, 30_000);
});
