// Strings and memory (LANGUAGE.md §14) in the kernel: string literals into
// [u8; N], the probe reads into every kind of place (a scalar local, a map
// value's field, the tail of one), str_eq and starts_with, %s in bpf_printk and print —
// checked on the path of a file this test opens, which the source names.
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { load, type MapHandle } from '../../packages/runtime/src/index.js';
import { buildSystem } from '../helpers/build.js';
import { describeKernel, ensureTracefs } from '../helpers/kernel.js';

const text = (bytes: number[]) => {
  const buffer = Buffer.from(bytes);
  const end = buffer.indexOf(0);
  return buffer.subarray(0, end < 0 ? buffer.length : end).toString();
};

describeKernel('strings and probe reads, in the kernel', () => {
  it('reads a user string into a map value field and its tail, a scalar local, compares it with literals, and fills [u8; N] from literals', async () => {
    ensureTracefs();
    const path = join(tmpdir(), `ks-strings-${randomBytes(4).toString('hex')}`);
    const source = `struct Seen {
  path: [u8; 64],
  twice: [u8; 80],
  first8: u64,
  exact: bool,
  shorter: bool,
  prefix: bool,
  other: bool,
  tag: [u8; 8],
  label: [u8; 8],
  copied: i64,
}

map<u32, Seen> seen : HashMap(64);

program probe : tracepoint("syscalls/sys_enter_openat") {
  fn main(ctx: TracepointContext) -> i32 {
    let pid = (bpf_get_current_pid_tgid() >> 32) as u32;
    let path: [u8; 64] = [0; 64];
    if bpf_probe_read_user_str(path, ctx.filename) < 0 {
      return 0;
    }
    if !starts_with(path, "/tmp/ks-strings-") {
      return 0;
    }
    let first8: u64 = 0;
    bpf_probe_read_user(first8, ctx.filename);
    let tag: [u8; 8] = "tag";
    bpf_printk("opened %s", path);
    print("opened %s", path);
    seen[pid] = Seen {
      path: path,
      twice: [0; 80],
      first8: first8,
      exact: str_eq(path, "${path}"),
      shorter: str_eq(path, "${path.slice(0, -1)}"),
      prefix: starts_with(path, "${path.slice(0, -1)}"),
      other: str_eq(path, "/etc/passwd"),
      tag: tag,
      label: "label",
      copied: 0,
    };
    // Into a map value's field, and then after what it copied.
    let n = bpf_probe_read_user_str(seen[pid].twice, ctx.filename);
    seen[pid].copied = n;
    bpf_probe_read_user_str(seen[pid].twice[(n as u32)..], ctx.filename);
    return 0;
  }
}
`;
    const system = await buildSystem(source, 'strings.ks');
    try {
      using loaded = load({ metadata: system.metadata, object: system.object });
      loaded.programs.probe.attach();
      try {
        closeSync(openSync(path, 'w'));
      } finally {
        loaded.programs.probe.detach();
        rmSync(path, { force: true });
      }
      type Seen = { path: number[]; twice: number[]; first8: bigint; exact: boolean; shorter: boolean; prefix: boolean; other: boolean; tag: number[]; label: number[]; copied: bigint };
      const seen = (loaded.maps.seen as MapHandle<number, Seen>).get(process.pid)!;
      expect(text(seen.path)).toBe(path);
      expect(seen.first8).toBe(Buffer.from(path).readBigUInt64LE(0));
      expect(seen).toMatchObject({ exact: true, shorter: false, prefix: true, other: false, copied: BigInt(path.length + 1) });
      // The second copy went after the first: a tail of 80 - 25 bytes, read through the 40-byte window of a run-time offset.
      expect(Buffer.from(seen.twice).subarray(0, 2 * (path.length + 1)).toString()).toBe(`${path}\0${path}\0`);
      expect(seen.tag).toEqual([...Buffer.from('tag'), 0, 0, 0, 0, 0]);
      expect(text(seen.label)).toBe('label');
      // print's %s in the kernel: the log ring buffer's line, formatted by bpf_snprintf.
      expect(loaded.logs.consume()).toContain(`opened ${path}`);
    } finally {
      await system.cleanup();
    }
  });
});
