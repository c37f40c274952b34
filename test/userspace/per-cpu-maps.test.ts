// Per-CPU maps read from the generated coordinator are the sum over CPUs:
// an XDP program fills pinned per-CPU maps through BPF_PROG_TEST_RUN on CPU 0
// and on CPU 1 (taskset), then the coordinator reads them through the same pins.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { buildSystem } from '../helpers/build.js';
import { describeKernel, dumpMap, ethIpv4Udp, withPinDir } from '../helpers/kernel.js';

// `hits` has u32 values: the kernel still copies them in 8-byte slots per CPU.
const source = (pinDir: string) => `
struct Totals { packets: u64, bytes: u32 }
map<u32, u32> hits : PercpuArray(4) { pinned: "${pinDir}/hits" };
map<u32, Totals> per_key : PercpuHash(16) { pinned: "${pinDir}/per_key" };

program count : xdp {
  fn main(ctx: XdpContext) -> XdpAction {
    hits[1] += 1;
    per_key[7].packets += 1;
    per_key[7].bytes += ctx.len();
    return XDP_PASS;
  }
}

userspace {
  fn main() -> i32 {
    print("hits=%u packets=%llu bytes=%u\\n", hits[1], per_key[7].packets, per_key[7].bytes);
    for (key, totals) in per_key {
      print("key %u: %llu packets\\n", key, totals.packets);
    }
    hits[2] = 9;
    return 0;
  }
}
`;

async function runOnCpu(cpu: number, program: string, packetFile: string, repeat: number): Promise<void> {
  await execa('taskset', ['-c', String(cpu), 'bpftool', 'prog', 'run', 'pinned', program, 'data_in', packetFile, 'repeat', String(repeat)]);
}

describeKernel('generated coordinator: per-CPU maps', () => {
  it('reads the sum over CPUs of values written on different CPUs, and writes CPU 0', async () => {
    await withPinDir(async (pinDir) => {
      const system = await buildSystem(source(pinDir), 'per_cpu.ks', { coordinator: true });
      try {
        // First run: creates and pins the maps (all zero).
        expect((await execa(system.coordinator)).stdout).toContain('hits=0 packets=0 bytes=0');

        const programs = join(pinDir, 'programs');
        await execa('bpftool', ['prog', 'loadall', system.object, programs, 'map', 'name', 'hits', 'pinned', join(pinDir, 'hits'), 'map', 'name', 'per_key', 'pinned', join(pinDir, 'per_key')]);
        const packet = ethIpv4Udp();
        const packetFile = join(system.dir, 'packet.bin');
        await writeFile(packetFile, packet);
        await runOnCpu(0, join(programs, 'count'), packetFile, 3);
        await runOnCpu(1, join(programs, 'count'), packetFile, 5);
        const perCpu = (await dumpMap(join(pinDir, 'hits'))).find((e) => e.key.readUInt32LE(0) === 1)!.perCpuValues!.map((v) => v.readUInt32LE(0));
        expect(perCpu).toEqual([3, 5, ...perCpu.slice(2).map(() => 0)]);

        const second = await execa(system.coordinator);
        expect(second.stdout).toContain(`hits=8 packets=8 bytes=${8 * packet.length}`);
        expect(second.stdout).toContain('key 7: 8 packets');
        // A userspace write sets CPU 0 and zeroes the other CPUs.
        const written = (await dumpMap(join(pinDir, 'hits'))).find((e) => e.key.readUInt32LE(0) === 2)!.perCpuValues!.map((v) => v.readUInt32LE(0));
        expect(written).toEqual([9, ...written.slice(1).map(() => 0)]);
      } finally {
        await system.cleanup();
      }
    });
  });
});
