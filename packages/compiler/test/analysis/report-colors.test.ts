// Colour in the report: only on a terminal (FORCE_COLOR does not colour a
// pipe), never with NO_COLOR. The terminal case runs the CLI under `script` (a pty).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = join(import.meta.dirname, '../../../..');
const bin = join(repoRoot, 'packages/compiler/bin/kernelscript.js');
const seed = join(repoRoot, 'examples/multi_programs.ks');
const work = mkdtempSync(join(tmpdir(), 'ks-colors-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const ANSI = /\u001b\[\d+m/;
// Only what the test sets: NO_COLOR / FORCE_COLOR from the caller's shell must not leak in.
const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NO_COLOR' && k !== 'FORCE_COLOR'));

function throughPipe(env: Record<string, string>) {
  return execa(process.execPath, [bin, seed, '-o', join(work, 'pipe')], { env: { ...baseEnv, ...env }, extendEnv: false, reject: false });
}

function onTerminal(env: Record<string, string>, flags: string[] = []) {
  const command = [process.execPath, bin, seed, '-o', join(work, 'tty'), ...flags].join(' ');
  return execa('script', ['-qec', command, '/dev/null'], { env: { ...baseEnv, ...env }, extendEnv: false, reject: false });
}

describe('report colours', () => {
  it('are off in a pipe', async () => {
    const run = await throughPipe({});
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('=== Multi-Program Analysis Results ===');
    expect(run.stdout).not.toMatch(ANSI);
    expect(run.stderr).not.toMatch(ANSI);
  });

  it('stay off in a pipe even with FORCE_COLOR', async () => {
    expect((await throughPipe({ FORCE_COLOR: '1' })).stdout).not.toMatch(ANSI);
  });

  it('are on on a terminal, and off there with NO_COLOR or --no-color', async () => {
    expect((await onTerminal({})).stdout).toMatch(ANSI);
    for (const run of [await onTerminal({ NO_COLOR: '1' }), await onTerminal({}, ['--no-color'])]) {
      expect(run.stdout).toContain('=== Multi-Program Analysis Results ===');
      expect(run.stdout).not.toMatch(ANSI);
    }
  });
});
