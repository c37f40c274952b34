// vmlinux.h of the running kernel, for the hand-written libbpf-tools-style
// baselines (test/bench/hand/*.bpf.c include it as libbpf-tools do). Shared by
// the bench and the test that proves the baselines equivalent.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

/** Writes `dir/vmlinux.h` (bpftool's C dump of /sys/kernel/btf/vmlinux) and returns the clang flag that finds it. */
export async function vmlinuxInclude(dir) {
  const { stdout } = await execa('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c'], { maxBuffer: 64 * 1024 * 1024 });
  await writeFile(join(dir, 'vmlinux.h'), stdout);
  return `-I${dir}`;
}
