// Kernel print() goes to the log ring buffer the compiler adds to the object:
// the coordinator prints each line, and the Node runtime streams them as
// `sys.logs`. A tracepoint program prints, getppid() triggers it, and both
// readers see the line, formatted by the kernel (bpf_snprintf).
import koffi from 'koffi';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { load } from '../src/index.js';
import { buildSystem, compileOrThrow, type BuiltSystem } from '../../../test/helpers/build.js';
import { startCoordinator } from '../../../test/helpers/coordinator.js';
import { describeKernel, ensureTracefs } from '../../../test/helpers/kernel.js';

const getppid = koffi.load('libc.so.6').func('int getppid(void)');

const SOURCE = `program say_getppid : tracepoint("syscalls/sys_enter_getppid") {
  fn main(ctx: TracepointContext) -> i32 {
    let tgid = (bpf_get_current_pid_tgid() >> 32) as u32;
    print("getppid from %u: hex=%x neg=%d 100%%\\n", tgid, 255, -3);
    print("no newline from %u", tgid);
    return 0;
  }
}

userspace {
  fn main() -> i32 {
    if attach(say_getppid, "") != 0 {
      return 1;
    }
    print("attached\\n");
    sleep(20000);
    return 0;
  }
}
`;

it('a system whose kernel code never prints has no log ring buffer', () => {
  const quiet = compileOrThrow('program p : xdp {\n  fn main(ctx: XdpContext) -> XdpAction {\n    return XDP_PASS;\n  }\n}\n', 'quiet.ks');
  expect(quiet.metadata!.logs).toBeNull();
  expect(quiet.files.find((f) => f.path === 'quiet.ebpf.c')!.contents).not.toContain('ks_log');
});

describeKernel('kernel print() through the log ring buffer', () => {
  let system: BuiltSystem;
  beforeAll(async () => {
    ensureTracefs();
    system = await buildSystem(SOURCE, 'say_getppid.ks', { coordinator: true });
  });
  afterAll(() => system?.cleanup());

  it('declares the log ring buffer in the metadata, apart from the maps', () => {
    expect(system.metadata.logs).toMatchObject({ objectName: 'ks_log', kind: 'ring_buffer', maxEntries: 65536 });
    expect(Object.keys(system.metadata.maps)).toEqual([]);
  });

  it('the coordinator prints each line as the kernel formatted it', async () => {
    const coordinator = startCoordinator(system.coordinator, []);
    try {
      await coordinator.waitFor(/^attached$/m);
      // The coordinator's tracepoint sees every process: the lines of this one carry its pid.
      const trigger = setInterval(() => getppid(), 50);
      try {
        await coordinator.waitFor(new RegExp(`^getppid from ${process.pid}: hex=ff neg=-3 100%$`, 'm'));
        await coordinator.waitFor(new RegExp(`^no newline from ${process.pid}$`, 'm'));
      } finally {
        clearInterval(trigger);
      }
    } finally {
      const result = await coordinator.stop('SIGTERM');
      expect(result.exitCode).toBe(0);
    }
  });

  it('the runtime streams the same lines as sys.logs', async () => {
    using sys = load({ metadata: system.metadata, object: system.object });
    sys.attachAll();
    const wanted = [`getppid from ${process.pid}: hex=ff neg=-3 100%`, `no newline from ${process.pid}`];
    const seen: string[] = [];
    const trigger = setInterval(() => getppid(), 50);
    try {
      for await (const line of sys.logs.stream({ signal: AbortSignal.timeout(10_000) })) {
        if (line.includes(`from ${process.pid}`)) seen.push(line);
        if (seen.length >= 2) break;
      }
    } finally {
      clearInterval(trigger);
    }
    expect(seen).toEqual(wanted);
  });
});
