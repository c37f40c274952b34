// `kernelscript verify` and `build --verify` against the real kernel verifier:
// verdicts per program, the kernel's figures beside ours, and refusals traced
// to the `.ks` line and column. The probe loads programs without pinning, so
// nothing is left in /sys/fs/bpf.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, expect, it } from 'vitest';
import type { JsonReport } from '../../packages/compiler/src/driver/json-report.js';
import { describeKernel } from '../helpers/kernel.js';

const repoRoot = join(import.meta.dirname, '../..');
const bin = join(repoRoot, 'packages/compiler/bin/kernelscript.js');
const fixtures = join(import.meta.dirname, 'fixtures');
const work = mkdtempSync(join(tmpdir(), 'ks-verify-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function kernelscript(args: string[], cwd = fixtures) {
  return execa(process.execPath, [bin, ...args], { cwd, reject: false, env: { NO_COLOR: '1' } });
}

async function verifyJson(file: string, cwd = fixtures): Promise<{ exitCode: number | undefined; report: JsonReport }> {
  const run = await kernelscript(['verify', file, '--json'], cwd);
  return { exitCode: run.exitCode, report: JSON.parse(run.stdout) as JsonReport };
}

describeKernel('kernel verifier in the loop', () => {
  it('accepts the seed example and its figures agree with ours', async () => {
    const { exitCode, report } = await verifyJson('examples/multi_programs.ks', repoRoot);
    expect(exitCode).toBe(0);
    expect(report.verification!.accepted).toBe(true);
    expect(report.verification!.programs.map((p) => [p.program, p.accepted])).toEqual([
      ['packet_counter', true],
      ['packet_filter', true],
    ]);
    for (const p of report.resources!.programs) {
      // Key and value of the update: the stack we computed is the stack the verifier saw.
      expect(p.verifierStackDepth).toBe(p.stackBytes);
      expect(p.measuredInstructions).toBeGreaterThan(0);
      // Straight-line code: the verifier walks each instruction once (ld_imm64 counts once).
      expect(p.verifierProcessedInstructions).toBe(p.measuredInstructions! - 1);
    }
    expect(report.outputDirectory).toBeNull();
  });

  it('reports a loop the verifier cannot bound inside the loop, where it gave up, with its message', async () => {
    const { exitCode, report } = await verifyJson('unprovable_loop.ks');
    expect(exitCode).toBe(1);
    const [verdict] = report.verification!.programs;
    expect(verdict!.accepted).toBe(false);
    expect(verdict!.refusal!.message).toMatch(/BPF program is too large/);
    // The verifier gives up at whichever loop instruction crosses its limit: any line of the loop (10-12) is where it gave up.
    const location = verdict!.refusal!.location!;
    expect(location.file).toBe('unprovable_loop.ks');
    expect(location.line).toBeGreaterThanOrEqual(10);
    expect(location.line).toBeLessThanOrEqual(12);
    expect(location.column).toBe(location.line === 10 ? 5 : 7);
    expect(verdict!.processedInstructions).toBeGreaterThan(1_000_000);
  });

  it('reports a context field this program kind may not read at its statement, with a code frame and a hint', async () => {
    const run = await kernelscript(['verify', 'devmap_only_field.ks']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("devmap_only_field.ks:6:5: error[KS5001]: the kernel verifier refused program 'pick': invalid bpf_context access off=20 size=4");
    expect(run.stderr).toContain('6 |     if ctx.egress_ifindex == queue {');
    expect(run.stderr).toContain('help: this context field cannot be read by this program kind');
    expect(run.stderr).not.toContain('verifier log (tail)');
    expect(run.stdout).toContain('✗ pick: refused — invalid bpf_context access off=20 size=4 (devmap_only_field.ks:6:5)');
    expect(run.stdout).toContain('Verifier compatible: ❌ No (the kernel verifier refused: pick)');
  });

  it('an index computed at run time is range-checked by the generated code, so the verifier accepts it', async () => {
    const { exitCode, report } = await verifyJson('unchecked_index.ks');
    expect(exitCode).toBe(0);
    expect(report.verification!.programs.map((p) => [p.program, p.accepted])).toEqual([['pick', true]]);
  });

  it('--verbose adds the tail of the raw verifier log', async () => {
    const run = await kernelscript(['verify', 'devmap_only_field.ks', '--verbose']);
    expect(run.stderr).toContain('verifier log (tail):');
    expect(run.stderr).toMatch(/\| processed \d+ insns/);
  });

  it('gives every program its own verdict when one is refused', async () => {
    const { report } = await verifyJson('two_verdicts.ks');
    expect(report.verification!.programs.map((p) => [p.program, p.accepted, p.refusal?.location ?? null])).toEqual([
      ['fine', true, null],
      ['pick', false, { file: 'two_verdicts.ks', line: 10, column: 5 }],
    ]);
  });

  it('build --verify writes the project, then reports the verdicts', async () => {
    const out = join(work, 'seed');
    const run = await kernelscript(['build', 'examples/multi_programs.ks', '--verify', '-o', out], repoRoot);
    expect(run.exitCode).toBe(0);
    expect(existsSync(join(out, 'multi_programs.ebpf.o'))).toBe(true);
    expect(run.stdout).toMatch(/✓ packet_counter: accepted, \d+ instructions processed, stack depth 8 bytes/);
    expect(run.stdout).toMatch(/packet_counter: \d+ instructions \(measured, est\. \d+, \d+ processed by the verifier\), 8 bytes stack \(verifier: 8\)/);
    expect(run.stdout).toContain('Verifier compatible: ✅ Yes (the kernel verifier accepted every program)');
    expect(readdirSync(out).sort()).toEqual(['.kernelscript-output.json', 'Makefile', 'multi_programs', 'multi_programs.c', 'multi_programs.ebpf.c', 'multi_programs.ebpf.o']);
  });
});
