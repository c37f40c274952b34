// `kernelscript --btf FILE`: kernel types are compiled against the named BTF
// (here the repository's kernel fixture, whatever this machine runs), and a
// file that cannot be read is a located error naming it, with nothing written.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { KERNEL_FIXTURE_BTF } from '../../../test/helpers/kernel-fixture.js';

const repoRoot = join(import.meta.dirname, '../../..');
const bin = join(repoRoot, 'packages/compiler/bin/kernelscript.js');
const work = mkdtempSync(join(tmpdir(), 'ks-cli-btf-'));
const tcpconnect = join(repoRoot, 'examples/tcpconnect.ks');

afterAll(() => rmSync(work, { recursive: true, force: true }));

const kernelscript = (args: string[]) => execa(process.execPath, [bin, ...args], { cwd: work, reject: false, env: { NO_COLOR: '1' } });

describe('kernelscript --btf', () => {
  it('compiles kernel types against the named BTF file: the generated C is the golden one of the fixture kernel', async () => {
    const run = await kernelscript(['--quiet', '--btf', KERNEL_FIXTURE_BTF, '-o', 'out', tcpconnect]);
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    const golden = readFileSync(join(repoRoot, 'packages/compiler/test/golden/examples/tcpconnect/tcpconnect.ebpf.c'), 'utf8');
    // The golden names the file as the repository does; the CLI names it as it was given.
    expect(readFileSync(join(work, 'out/tcpconnect.ebpf.c'), 'utf8').replaceAll(tcpconnect, 'examples/tcpconnect.ks')).toBe(golden);
  });

  it('says which BTF file it could not read, at the first use of a kernel type, and writes nothing', async () => {
    const missing = join(work, 'no-such.btf');
    const run = await kernelscript(['--btf', missing, '-o', 'missing', tcpconnect]);
    expect(run.exitCode).toBe(1);
    // At the probe's target, which named the function whose prototype was needed.
    expect(run.stderr).toContain(`tcpconnect.ks:18:39: error[KS6001]: typing ctx.args and ctx.ret() of kprobe("tcp_v4_connect") needs the kernel's BTF, which is not available: cannot read BTF file '${missing}': ENOENT`);
    expect(run.stderr).toContain(`tcpconnect.ks:39:24: error[KS2010]: unknown type 'sock'\n39 |     let sk = saved as *sock;\n   |                        ^^^^\n  = note: kernel types cannot be looked up: cannot read BTF file '${missing}': ENOENT`);
    expect(existsSync(join(work, 'missing'))).toBe(false);
  });

  it('is never read for a program without kernel types', async () => {
    const run = await kernelscript(['--quiet', '--btf', join(work, 'no-such.btf'), '-o', 'seed', join(repoRoot, 'examples/multi_programs.ks')]);
    expect(run.exitCode).toBe(0);
  });
});
