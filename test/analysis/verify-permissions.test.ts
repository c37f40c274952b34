// `kernelscript verify` run by a user who may not load BPF programs: the
// kernel says EPERM with no verifier log, which is no refusal of the program.
// The command says what is missing (root, or the capabilities) instead.
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, expect, it } from 'vitest';
import { verifierProbe } from '../../packages/compiler/src/driver/verifier-probe.js';
import { describeKernel } from '../helpers/kernel.js';

const repoRoot = join(import.meta.dirname, '../..');
const bin = join(repoRoot, 'packages/compiler/bin/kernelscript.js');
const scratch = mkdtempSync(join(tmpdir(), 'ks-verify-unprivileged-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describeKernel('kernelscript verify without privileges', () => {
  it('names the capabilities loading needs, not an empty refusal', async () => {
    // The probe is built once per machine, by whoever verifies first: here, root.
    await verifierProbe();
    chmodSync(scratch, 0o777);
    copyFileSync(join(repoRoot, 'examples/getppid_counter.ks'), join(scratch, 'getppid_counter.ks'));
    chmodSync(join(scratch, 'getppid_counter.ks'), 0o644);
    const run = await execa(
      'setpriv',
      ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, bin, 'verify', 'getppid_counter.ks'],
      { cwd: scratch, reject: false, env: { NO_COLOR: '1', HOME: scratch } },
    );
    expect(run.exitCode).toBe(1);
    expect(run.stderr).not.toMatch(/refused/);
    expect(run.stderr).toContain(
      "the kernel did not let this process load program 'count_getppid' (EPERM): loading BPF programs needs root, " +
        'or the capabilities CAP_BPF and CAP_PERFMON (tracing programs) or CAP_NET_ADMIN (xdp, tc, socket filters)',
    );
    expect(run.stderr).toContain('run it as root (sudo kernelscript verify …)');
  }, 60_000);
});
