// The XDP → tc metadata hand-off as the CLI shows it (LANGUAGE.md §12): the
// report lists each pair and each writer or reader without a partner, and
// `--json` has them in analysis.metadata.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = join(import.meta.dirname, '../../../..');
const bin = join(repoRoot, 'packages/compiler/bin/kernelscript.js');
const pipeline = join(repoRoot, 'examples/xdp_tc_pipeline.ks');
const work = mkdtempSync(join(tmpdir(), 'ks-metadata-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const kernelscript = (args: string[]) => execa(process.execPath, [bin, ...args], { env: { NO_COLOR: '1' }, reject: false });

describe('metadata hand-offs in the report', () => {
  it('lists the pair of examples/xdp_tc_pipeline.ks', async () => {
    const run = await kernelscript([pipeline, '-o', join(work, 'text')]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('Metadata hand-offs (XDP → tc): 1\n  - classify → mark: Verdict (8 bytes)\n');
  });

  it('--json has the accesses and the pair', async () => {
    const run = await kernelscript([pipeline, '--json', '-o', join(work, 'json')]);
    expect(run.exitCode).toBe(0);
    const metadata = JSON.parse(run.stdout).analysis.metadata;
    expect(metadata.handoffs).toEqual([{ writer: 'classify', reader: 'mark', type: 'Verdict', size: 8 }]);
    expect(metadata.accesses.map((a: { program: string; role: string; location: { line: number } }) => [a.program, a.role, a.location.line])).toEqual([
      ['classify', 'writer', 35],
      ['mark', 'reader', 67],
    ]);
  });

  it('says so when an XDP program writes metadata that no tc program reads', async () => {
    const source = join(work, 'lonely.ks');
    writeFileSync(
      source,
      [
        'struct Tag { v: u32 }',
        'program w : xdp {',
        '  fn main(ctx: XdpContext) -> XdpAction {',
        '    if bpf_xdp_adjust_meta(ctx, -4) != 0 { return XDP_PASS; }',
        '    let t = ctx.meta<Tag>();',
        '    if t == null { return XDP_PASS; }',
        '    t.v = 1;',
        '    return XDP_PASS;',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    const run = await kernelscript([source, '-o', join(work, 'lonely')]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('Metadata hand-offs (XDP → tc): 0\n  - w writes Tag (4 bytes); no tc ingress program here reads it\n');
  });
});
