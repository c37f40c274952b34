// The userspace side of LANGUAGE.md §10 in the generated coordinator: map
// access through fds (read, write, read-modify-write, delete, presence,
// copies, iteration with break/continue), program-local maps, helper
// functions and structs, main's exit status, attach/detach of tc, and a
// coordinator without main that waits for a signal.
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { buildSystem } from '../helpers/build.js';
import { startCoordinator } from '../helpers/coordinator.js';
import { describeKernel, withNetns } from '../helpers/kernel.js';

const MAP_ACCESS = `
program counter : xdp {
  map<u32, u64> seen : HashMap(16);
  fn main(ctx: XdpContext) -> XdpAction {
    seen[1] += 1;
    return XDP_PASS;
  }
}
program other : tc {
  map<u32, u64> seen : HashMap(16);
  fn main(ctx: TcContext) -> TcAction {
    seen[2] += 1;
    return TC_ACT_OK;
  }
}
map<u32, u64> plain : HashMap(64);

userspace {
  struct Totals { packets: u64, bytes: u64 }
  fn total(t: Totals) -> u64 { return t.packets + t.bytes; }

  fn main(argc: u32, argv: u64) -> i32 {
    plain[1] = 5;
    plain[1] += 3;
    plain[2] = 7;
    plain[4] = 40;
    if plain[3] == null { print("3 absent\\n"); }
    if plain[2] != null { print("2 present\\n"); }
    let v = plain[1];
    let absent = plain[99];
    print("copy=%llu absent=%llu absent_is_null=%u\\n", v, absent, absent == null);
    delete plain[2];
    if plain[2] == null { print("2 deleted\\n"); }
    let visited: u32 = 0;
    for (k, value) in plain {
      visited += 1;
      if k == 4 { continue; }
      print("entry %u=%llu\\n", k, value);
    }
    for (k, value) in plain {
      break;
    }
    print("visited %u\\n", visited);
    counter::seen[5] = 50;
    counter::seen[5] += 1;
    other::seen[6] = 60;
    for (k, value) in counter::seen { print("counter::seen %u=%llu\\n", k, value); }
    for (k, value) in other::seen { print("other::seen %u=%llu\\n", k, value); }
    print("total %llu\\n", total(Totals { packets: 1, bytes: 2 }));
    print("argc %u\\n", argc);
    return 7;
  }
}
`;

const TC_ATTACH = `
program ingress_counter : tc("ingress") {
  fn main(ctx: TcContext) -> TcAction {
    return TC_ACT_OK;
  }
}
userspace {
  fn main() -> i32 {
    print("attach %d\\n", attach(ingress_counter, "veth0"));
    print("attach again %d\\n", attach(ingress_counter, "veth0"));
    sleep(1500);
    print("detach %d\\n", detach(ingress_counter));
    print("detach again %d\\n", detach(ingress_counter));
    sleep(1500);
    return 0;
  }
}
`;

const NO_MAIN = `
map<u32, u32> counts : Array(4);
program count : xdp {
  fn main(ctx: XdpContext) -> XdpAction {
    counts[0] += 1;
    return XDP_PASS;
  }
}
`;

describeKernel('generated coordinator: userspace statements', () => {
  it('reads, writes and iterates maps through fds; exits with main\'s return value', async () => {
    const system = await buildSystem(MAP_ACCESS, 'map_access.ks', { coordinator: true });
    try {
      const result = await execa(system.coordinator, ['one', 'two'], { reject: false });
      expect(result.exitCode).toBe(7);
      const lines = result.stdout.split('\n');
      expect(lines.slice(0, 4)).toEqual(['3 absent', '2 present', 'copy=8 absent=0 absent_is_null=1', '2 deleted']);
      expect(lines.filter((l) => l.startsWith('entry')).sort()).toEqual(['entry 1=8']);
      expect(lines).toContain('visited 2');
      expect(lines).toContain('counter::seen 5=51');
      expect(lines).toContain('other::seen 6=60');
      expect(lines).toContain('total 3');
      // The program name plus the two arguments: --config options would have been taken out.
      expect(lines).toContain('argc 3');
    } finally {
      await system.cleanup();
    }
  });

  it('attach/detach a tc program: the filter and clsact qdisc come and go; -EBUSY and -ENOENT on repeats', async () => {
    const system = await buildSystem(TC_ATTACH, 'tc_attach.ks', { coordinator: true });
    try {
      await withNetns(async (ns) => {
        const filters = async () => (await execa('tc', ['-n', ns.name, 'filter', 'show', 'dev', 'veth0', 'ingress'])).stdout;
        const qdiscs = async () => (await execa('tc', ['-n', ns.name, 'qdisc', 'show', 'dev', 'veth0'])).stdout;
        const coordinator = startCoordinator('ip', ['netns', 'exec', ns.name, system.coordinator]);
        try {
          await coordinator.waitFor(/attach again -?\d+\n/);
          expect(coordinator.stdout).toContain('attach 0\nattach again -16\n');
          expect(await filters()).toContain('ingress_counter');
          await coordinator.waitFor(/detach again -?\d+\n/);
          expect(coordinator.stdout).toContain('detach 0\ndetach again -2\n');
          expect(await filters()).toBe('');
          expect(await qdiscs()).not.toContain('clsact');
          expect((await coordinator.result).exitCode).toBe(0);
        } finally {
          coordinator.result.kill('SIGKILL');
          await coordinator.result;
        }
      });
    } finally {
      await system.cleanup();
    }
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('without main: loads, waits, and exits 0 on %s', async (signal) => {
    const system = await buildSystem(NO_MAIN, 'no_main.ks', { coordinator: true });
    try {
      const coordinator = startCoordinator(system.coordinator);
      try {
        await coordinator.waitFor(/programs loaded; press Ctrl-C to unload/);
        const result = await coordinator.stop(signal);
        expect(result.exitCode).toBe(0);
        expect(result.isTerminated).toBe(false);
      } finally {
        coordinator.result.kill('SIGKILL');
        await coordinator.result;
      }
    } finally {
      await system.cleanup();
    }
  });
});
