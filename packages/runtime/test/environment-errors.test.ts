// Failures that come from the machine, not the program, each explained where
// libbpf would say only ENOENT or EINVAL: pinning where /sys/fs/bpf is no
// bpffs (under `ip netns exec`), tracefs not mounted versus mounted but
// unreadable, and a pin made by an earlier declaration of the map. The
// environment cases run the built runtime in a child process placed in that
// environment (a network namespace, a private mount namespace, another user).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { chmod, copyFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildSystem, type BuiltSystem } from '../../../test/helpers/build.js';
import { describeKernel, withNetns, withPinDir } from '../../../test/helpers/kernel.js';
import { BpfError, load } from '../src/index.js';

const RUNTIME = join(import.meta.dirname, '../dist/index.js');

const pinned = (capacity: number) => `map<u32, u64> counts : HashMap(${capacity}) {
  pinned: "/sys/fs/bpf/counts"
};

program count : xdp {
  fn main(ctx: XdpContext) -> XdpAction {
    counts[0] += 1;
    return XDP_PASS;
  }
}
`;

const TRACEPOINT_KS = `map<u32, u64> calls : Array(1);

program on_getppid : tracepoint("syscalls/sys_enter_getppid") {
  fn main(ctx: TracepointContext) -> i32 {
    calls[0] += 1;
    return 0;
  }
}
`;

/** load(system, { pinRoot }) and, with `attach`, attachAll(); prints what was thrown (or `ok`) as JSON. */
const LOADER = `
import { readFileSync } from 'node:fs';
const [runtime, metadata, object, pinRoot, attach] = process.argv.slice(2);
const { load } = await import(runtime);
try {
  const system = load({ metadata: JSON.parse(readFileSync(metadata, 'utf8')), object }, pinRoot ? { pinRoot } : {});
  if (attach === 'attach') system.attachAll();
  system.close();
  console.log(JSON.stringify({ ok: true }));
} catch (error) {
  console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message }));
}
`;

describeKernel('errors that explain the environment', () => {
  let counter16: BuiltSystem;
  let counter32: BuiltSystem;
  let tracepoint: BuiltSystem;
  /** World-readable copies of the loader, metadata and objects, for children running as another user. */
  let shared: string;
  const files = (system: BuiltSystem) => ({ metadata: join(shared, `${system.metadata.name}.json`), object: join(shared, `${system.metadata.name}.o`) });

  beforeAll(async () => {
    if (!existsSync('/sys/kernel/tracing/events')) await execa('mount', ['-t', 'tracefs', 'tracefs', '/sys/kernel/tracing']);
    [counter16, counter32, tracepoint] = await Promise.all([
      buildSystem(pinned(16), 'counter16.ks'),
      buildSystem(pinned(32), 'counter32.ks'),
      buildSystem(TRACEPOINT_KS, 'getppid.ks'),
    ]);
    shared = mkdtempSync(join(tmpdir(), 'ks-environment-'));
    await chmod(shared, 0o755);
    await writeFile(join(shared, 'loader.mjs'), LOADER);
    for (const system of [counter16, tracepoint]) {
      await writeFile(files(system).metadata, JSON.stringify(system.metadata));
      await copyFile(system.object, files(system).object);
    }
    for (const file of [join(shared, 'loader.mjs'), ...[counter16, tracepoint].flatMap((system) => Object.values(files(system)))]) {
      await chmod(file, 0o644);
    }
  }, 60_000);
  afterAll(async () => {
    await Promise.all([counter16, counter32, tracepoint].map((system) => system?.cleanup()));
    if (shared) rmSync(shared, { recursive: true, force: true });
  });

  /** Runs the loader through `prefix` (e.g. `ip netns exec NAME`), returning what it printed. */
  async function loadIn(prefix: string[], system: BuiltSystem, pinRoot = '', attach = ''): Promise<{ ok?: true; name?: string; message?: string }> {
    const { metadata, object } = files(system);
    const [command, ...args] = [...prefix, process.execPath, join(shared, 'loader.mjs'), RUNTIME, metadata, object, pinRoot, attach];
    return JSON.parse((await execa(command!, args)).stdout);
  }

  it('pinning under `ip netns exec`, where /sys/fs/bpf is no bpffs, says so and how to fix it', async () => {
    await withPinDir((pinRoot) =>
      withNetns(async (ns) => {
        const result = await loadIn(['ip', 'netns', 'exec', ns.name], counter16, pinRoot);
        expect(result.message).toBe(
          `map 'counts' pins at ${pinRoot}/counts, but /sys/fs/bpf is not a BPF filesystem (bpffs) in this mount namespace. ` +
            `This process runs in network namespace '${ns.name}': \`ip netns exec\` remounts /sys, which hides the bpffs mounted there. ` +
            `Enter the namespace with \`nsenter --net=/run/netns/${ns.name}\` instead (it keeps /sys), or mount bpffs here: \`mount -t bpf bpf /sys/fs/bpf\``,
        );
      }),
    );
  }, 30_000);

  it('attaching a tracepoint without tracefs mounted says it is not mounted', async () => {
    // A private mount namespace: unmounting tracefs there leaves the machine's mount alone.
    const script = 'umount /sys/kernel/tracing && exec "$@"';
    const result = await loadIn(['unshare', '--mount', '--propagation', 'private', 'sh', '-c', script, 'sh'], tracepoint, '', 'attach');
    expect(result.message).toBe(
      "attaching tracepoint 'syscalls/sys_enter_getppid' needs tracefs, which is not mounted: mount -t tracefs tracefs /sys/kernel/tracing",
    );
  }, 30_000);

  it('attaching a tracepoint with tracefs mounted but unreadable says which user cannot read it', async () => {
    // Allowed to load (CAP_BPF, CAP_PERFMON), but not root: tracefs is 0700 root.
    const caps = '+bpf,+perfmon';
    const asNobody = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', `--inh-caps=${caps}`, `--ambient-caps=${caps}`];
    const result = await loadIn(asNobody, tracepoint, '', 'attach');
    const { stdout: uid } = await execa('id', ['-u', 'nobody']);
    expect(result.message).toBe(
      `attaching tracepoint 'syscalls/sys_enter_getppid' needs tracefs, which is mounted at /sys/kernel/tracing but not readable by uid ${uid}: ` +
        'run as root, or make it readable (mount -o remount,mode=755 /sys/kernel/tracing)',
    );
  }, 30_000);

  it('reusing a pin after the map declaration changed names the pin, the differing parameter and the fix', async () => {
    await withPinDir(async (pinRoot) => {
      load({ metadata: counter16.metadata, object: counter16.object }, { pinRoot }).close();
      let error: unknown;
      try {
        load({ metadata: counter32.metadata, object: counter32.object }, { pinRoot }).close();
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(BpfError);
      expect((error as BpfError).code).toBe('EINVAL');
      expect((error as BpfError).message).toContain(
        `map 'counts' is pinned at ${pinRoot}/counts with max_entries 16, but counter32.ks declares 32: ` +
          'the pin was made by an earlier declaration, and libbpf reuses a pin only when type, key and value sizes, max_entries and flags all match. ' +
          `Remove the pin to create the map anew (its entries are lost): rm ${pinRoot}/counts`,
      );
    });
  });
});
