// The `kernelscript` command as users run it (the built bin).
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = join(import.meta.dirname, '../../..');
const bin = join(repoRoot, 'packages/compiler/bin/kernelscript.js');
const work = mkdtempSync(join(tmpdir(), 'ks-cli-'));
const seed = join(repoRoot, 'examples/multi_programs.ks');

afterAll(() => rmSync(work, { recursive: true, force: true }));

function kernelscript(args: string[], cwd = work, env: Record<string, string> = {}) {
  return execa(process.execPath, [bin, ...args], { cwd, reject: false, env: { NO_COLOR: '1', ...env } });
}

describe('kernelscript CLI', () => {
  it('writes <name>/ with the three generated files by default and prints the analysis', async () => {
    const run = await kernelscript([seed]);
    expect(run.exitCode).toBe(0);
    expect(readdirSync(join(work, 'multi_programs')).sort()).toEqual(['.kernelscript-output.json', 'Makefile', 'multi_programs.c', 'multi_programs.ebpf.c']);
    expect(run.stdout).toContain('Programs analyzed: 2');
    expect(run.stdout).toContain('  - packet_counter (xdp)');
    expect(run.stdout).toContain('  - shared_counter (hash_map)');
    expect(run.stdout).toContain("Map 'shared_counter' accessed by multiple programs: packet_counter, packet_filter (potential race condition)");
    expect(run.stdout).toContain("Consider using PercpuHash for map 'shared_counter'");
    expect(run.stdout).toMatch(/packet_counter: est\. \d+ instructions, 8 bytes stack/);
  });

  it('--no-line-directives leaves #line out of the generated C, which still builds', async () => {
    const plain = await kernelscript(['build', '--quiet', '--no-line-directives', '-o', 'no_lines', seed]);
    expect(plain.exitCode).toBe(0);
    for (const file of ['multi_programs.ebpf.c', 'multi_programs.c']) {
      expect(readFileSync(join(work, 'no_lines', file), 'utf8')).not.toContain('#line');
    }
    expect(existsSync(join(work, 'no_lines/multi_programs'))).toBe(true);
    await kernelscript(['--quiet', '-o', 'with_lines', seed]);
    expect(readFileSync(join(work, 'with_lines/multi_programs.ebpf.c'), 'utf8')).toMatch(/^#line \d+ "/m);
  });

  it('-o writes to the given directory, creating parents', async () => {
    const run = await kernelscript(['-o', 'deep/er/my_project', seed]);
    expect(run.exitCode).toBe(0);
    expect(existsSync(join(work, 'deep/er/my_project/multi_programs.ebpf.c'))).toBe(true);
  });

  it('--json prints the analysis as data', async () => {
    const run = await kernelscript(['--json', '-o', 'json_out', seed]);
    expect(run.exitCode).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.ok).toBe(true);
    expect(report.analysis.programs.map((p: { name: string }) => p.name)).toEqual(['packet_counter', 'packet_filter']);
    expect(report.analysis.conflicts[0].kind).toBe('shared-writers');
    expect(report.resources.programs[0].stackBytes).toBe(8);
    expect(report.diagnostics[0]).toMatchObject({ severity: 'warning', code: 'KS4101', line: 8, column: 5, range: { line: 8, column: 5 }, related: [] });
  });

  it('an error shows its code in the terminal and in --json', async () => {
    writeFileSync(join(work, 'wide.ks'), 'program p : xdp {\n  fn main(ctx: XdpContext) -> XdpAction {\n    let a: u64 = 1;\n    let b: u32 = a;\n    return XDP_PASS;\n  }\n}\n');
    const terminal = await kernelscript(['-o', 'wide_out', 'wide.ks']);
    expect(terminal.exitCode).toBe(1);
    expect(terminal.stderr).toContain('wide.ks:4:18: error[KS3101]: expected u32, found u64');
    const json = await kernelscript(['--json', '-o', 'wide_out', 'wide.ks']);
    expect(json.exitCode).toBe(1);
    expect(JSON.parse(json.stdout).diagnostics).toEqual([
      expect.objectContaining({ severity: 'error', code: 'KS3101', line: 4, column: 18, range: { line: 4, column: 18, endLine: 4, endColumn: 19 } }),
    ]);
  });

  it('--quiet prints only errors', async () => {
    const run = await kernelscript(['--quiet', '-o', 'quiet_out', seed]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('');
  });

  it('--help and --version work', async () => {
    const help = await kernelscript(['--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('build <...files>');
    const version = await kernelscript(['--version']);
    expect(version.exitCode).toBe(0);
    expect(version.stdout).toMatch(/^kernelscript\/\d+\.\d+\.\d+/);
  });

  it('exits 2 on bad usage', async () => {
    for (const args of [[], ['--bogus', seed], ['not-a-ks-file.txt'], ['missing.ks']]) {
      const run = await kernelscript(args);
      expect(run.exitCode, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/^kernelscript: /);
    }
  });

  it('exits 1 on a compile error with a located message, writing nothing', async () => {
    const bad = join(work, 'bad.ks');
    writeFileSync(bad, 'program p : xdp {\n  fn main(ctx: XdpContext) -> XdpAction {\n    return TC_ACT_OK;\n  }\n}\n');
    const run = await kernelscript(['-o', 'bad_out', bad]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`${bad}:3:12: error[KS3901]: TC_ACT_OK is a TcAction constant, but this program returns XdpAction`);
    expect(run.stderr).toContain('3 |     return TC_ACT_OK;');
    expect(run.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(existsSync(join(work, 'bad_out'))).toBe(false);
  });

  it('writes no colour codes when the output is not a terminal', async () => {
    const plain = await kernelscript(['-o', 'c1', seed]);
    expect(plain.stdout).not.toContain('\u001b[');
    const forced = await kernelscript(['-o', 'c2', seed], work, { NO_COLOR: '', FORCE_COLOR: '1' });
    expect(forced.stdout).not.toContain('\u001b[');
  });

  it('build runs clang and gcc, says which step runs, and leaves a runnable project', async () => {
    const run = await kernelscript(['build', seed, '-o', 'built']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain('→ clang: multi_programs.ebpf.c → multi_programs.ebpf.o');
    expect(run.stdout).toContain('→ gcc: multi_programs.c → multi_programs');
    expect(run.stdout).toMatch(/packet_counter: \d+ instructions \(measured, est\. \d+\)/);
    expect(readdirSync(join(work, 'built')).sort()).toEqual(['.kernelscript-output.json', 'Makefile', 'multi_programs', 'multi_programs.c', 'multi_programs.ebpf.c', 'multi_programs.ebpf.o']);
  });

  it('build reports a toolchain failure clearly and writes nothing', async () => {
    // A PATH without clang: the driver must say what to install.
    const run = await execa(process.execPath, [bin, 'build', seed, '-o', 'no_clang'], { cwd: work, reject: false, env: { PATH: '/nonexistent', NO_COLOR: '1' } });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('apt-get install -y clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev');
    expect(existsSync(join(work, 'no_clang'))).toBe(false);
  });

  it('the generated Makefile builds, cleans and rebuilds the project', async () => {
    await kernelscript(['-o', 'with_make', seed]);
    const dir = join(work, 'with_make');
    const make = await execa('make', [], { cwd: dir, reject: false });
    expect(make.exitCode, make.stderr).toBe(0);
    expect(existsSync(join(dir, 'multi_programs.ebpf.o'))).toBe(true);
    expect(existsSync(join(dir, 'multi_programs'))).toBe(true);
    const clean = await execa('make', ['clean'], { cwd: dir });
    expect(clean.exitCode).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['.kernelscript-output.json', 'Makefile', 'multi_programs.c', 'multi_programs.ebpf.c']);
    expect(readFileSync(join(dir, 'Makefile'), 'utf8')).toContain('run: multi_programs\n\tsudo ./multi_programs');
  });
});
