// Failures as users meet them: a verifier refusal traced back to the `.ks`
// line, a load without privileges (a real non-root child process), and the
// verifier's log of an accepted load on request.
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildSystem, type BuiltSystem } from '../../../test/helpers/build.js';
import { describeKernel } from '../../../test/helpers/kernel.js';
import { BpfError, load } from '../src/index.js';

const RUNTIME = join(import.meta.dirname, '..');

/** The verifier refuses line 6: a tracepoint record is at most 8 KiB, the read is at 9000. */
const REFUSED_KS = `// A read beyond the tracepoint record.
map<u32, u64> seen : HashMap(16);

program far_read : tracepoint("syscalls/sys_enter_getppid") {
  fn main(ctx: TracepointContext) -> i32 {
    let value = ctx.read<u64>(9000);
    seen[0] = value;
    return 0;
  }
}
`;

const COUNTER_KS = `map<u32, u64> packets : HashMap(64);

program count : xdp {
  fn main(ctx: XdpContext) -> XdpAction {
    packets[0] += 1;
    return XDP_PASS;
  }
}
`;

/** Loads a system as the user `nobody` and prints what load() threw, as JSON. */
const UNPRIVILEGED_LOADER = `
import { readFileSync } from 'node:fs';
const { load } = await import(process.argv[2]);
const metadata = JSON.parse(readFileSync(process.argv[3], 'utf8'));
try {
  load({ metadata, object: process.argv[4] }).close();
  console.log(JSON.stringify({ loaded: true }));
} catch (error) {
  console.log(JSON.stringify({ name: error.name, errno: error.errno, code: error.code, message: error.message }));
}
`;

describeKernel('runtime errors', () => {
  let refused: BuiltSystem;
  let counter: BuiltSystem;
  beforeAll(async () => {
    [refused, counter] = await Promise.all([buildSystem(REFUSED_KS, 'refused.ks'), buildSystem(COUNTER_KS, 'counter.ks')]);
  });
  afterAll(async () => {
    await refused?.cleanup();
    await counter?.cleanup();
  });

  function refusal(): BpfError {
    try {
      load({ metadata: refused.metadata, object: refused.object });
    } catch (error) {
      if (error instanceof BpfError) return error;
      throw error;
    }
    throw new Error('the verifier accepted refused.ks');
  }

  it('a verifier refusal carries errno, the program, the decisive message and the verifier log', () => {
    const error = refusal();
    expect(error).toMatchObject({ errno: 13, code: 'EACCES' });
    expect(error.verifier).toMatchObject({ program: 'far_read', message: 'invalid bpf_context access off=9000 size=8' });
    expect(error.verifier!.log).toMatch(/processed \d+ insns/);
    expect(error.message).toContain("loading 'refused' failed: EACCES");
    expect(error.message).toContain("the kernel verifier refused program 'far_read': invalid bpf_context access off=9000 size=8");
  });

  // Needs the compiler to put a `#line` before each function's signature: BTF
  // line info names the file of the enclosing function, so without it the
  // kernel prints the generated C's name (with the .ks line number) instead.
  it('maps the refusal to the .ks file, line and source text', () => {
    const error = refusal();
    expect(error.verifier!.location).toEqual({ file: 'refused.ks', line: 6, text: 'let value = ctx.read<u64>(9000);' });
    expect(error.message).toContain(
      "refused.ks:6: the kernel verifier refused program 'far_read': invalid bpf_context access off=9000 size=8\n    let value = ctx.read<u64>(9000);",
    );
  });

  it('keeps the verifier log of an accepted load when asked', () => {
    {
      using system = load({ metadata: counter.metadata, object: counter.object }, { verifierLog: 'stats' });
      expect(system.programs.count.verifierLog).toMatch(/^processed \d+ insns \(limit 1000000\)/m);
      expect(system.programs.count.verifierLog).not.toMatch(/^\d+: \(/m);
    }
    {
      using system = load({ metadata: counter.metadata, object: counter.object }, { verifierLog: 'instructions' });
      expect(system.programs.count.verifierLog).toMatch(/^0: R1=ctx\(\) R10=fp0$/m);
      expect(system.programs.count.verifierLog).toMatch(/^\d+: \([0-9a-f]{2}\) exit$/m);
      expect(system.programs.count.verifierLog).toMatch(/^processed \d+ insns/m);
    }
    using quiet = load({ metadata: counter.metadata, object: counter.object });
    expect(quiet.programs.count.verifierLog).toBe('');
  });

  it('without privileges, load() fails with EPERM and names the capabilities it needs', async () => {
    // The child imports the built runtime: build it from the current source.
    await execa('pnpm', ['run', 'build'], { cwd: RUNTIME });
    const scratch = mkdtempSync(join(tmpdir(), 'ks-unprivileged-'));
    try {
      chmodSync(scratch, 0o755);
      const paths = { loader: join(scratch, 'loader.mjs'), metadata: join(scratch, 'metadata.json'), object: join(scratch, 'counter.ebpf.o') };
      writeFileSync(paths.loader, UNPRIVILEGED_LOADER);
      writeFileSync(paths.metadata, JSON.stringify(counter.metadata));
      copyFileSync(counter.object, paths.object);
      for (const path of Object.values(paths)) chmodSync(path, 0o644);
      const child = await execa('setpriv', [
        '--reuid=nobody', '--regid=nogroup', '--clear-groups',
        process.execPath, paths.loader, join(RUNTIME, 'dist/index.js'), paths.metadata, paths.object,
      ]);
      const result = JSON.parse(child.stdout) as { name: string; errno: number; code: string; message: string };
      expect(result).toMatchObject({ name: 'BpfError', errno: 1, code: 'EPERM' });
      expect(result.message).toContain("loading 'counter' failed: EPERM");
      expect(result.message).toContain('BPF needs root, or the capabilities CAP_BPF (programs, maps), CAP_NET_ADMIN (xdp, tc) and CAP_PERFMON (tracing)');
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 60_000);
});
