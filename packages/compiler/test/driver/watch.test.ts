// `--watch`: a running watcher rebuilds on every edit, prints located errors
// and keeps going, and stops cleanly on SIGINT.
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '../../bin/kernelscript.js');
const work = mkdtempSync(join(tmpdir(), 'ks-watch-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const program = (value: number) => `map<u32, u32> counts : HashMap(16);

program p : xdp {
  fn main(ctx: XdpContext) -> XdpAction {
    counts[0] = ${value};
    return XDP_PASS;
  }
}
`;

/** Collects a child's stderr; `until(text, n)` waits for the n-th appearance of `text`. */
function follow(child: ResultPromise) {
  let output = '';
  const waiters: (() => void)[] = [];
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    for (const wake of waiters.splice(0)) wake();
  });
  const count = (text: string) => output.split(text).length - 1;
  return {
    get output() {
      return output;
    },
    async until(text: string, times: number, timeoutMs = 30_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (count(text) < times) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${times}× '${text}'; output so far:\n${output}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
  };
}

describe('kernelscript compile --watch / build --watch', () => {
  it('recompiles on each edit, reports a located error, keeps running, and exits 0 on SIGINT', async () => {
    const file = join(work, 'watched.ks');
    writeFileSync(file, program(1));
    const child = execa(process.execPath, [bin, 'compile', '--watch', '--quiet', 'watched.ks', '-o', 'out'], { cwd: work, reject: false, env: { NO_COLOR: '1' } });
    const stderr = follow(child);
    const generated = () => readFileSync(join(work, 'out/watched.ebpf.c'), 'utf8');
    try {
      await stderr.until('[watch] ok', 1);
      expect(generated()).toContain('= 1;');

      writeFileSync(file, program(2));
      await stderr.until('[watch] ok', 2);
      expect(generated()).toContain('= 2;');

      writeFileSync(file, program(3).replace('return XDP_PASS;', 'return XDP_PASS'));
      await stderr.until('[watch] failed', 1);
      expect(stderr.output).toContain("watched.ks:6:20: error[KS1002]: expected ';'");
      expect(stderr.output).toContain('6 |     return XDP_PASS');
      expect(generated()).toContain('= 2;');

      // An editor's atomic save: write elsewhere, rename over the file.
      writeFileSync(join(work, 'watched.ks.tmp'), program(4));
      renameSync(join(work, 'watched.ks.tmp'), file);
      await stderr.until('[watch] ok', 3);
      expect(generated()).toContain('= 4;');
    } finally {
      child.kill('SIGINT');
    }
    const result = await child;
    expect(result.exitCode).toBe(0);
  });

  it('build --watch runs clang again after an edit', async () => {
    const file = join(work, 'built.ks');
    writeFileSync(file, program(5));
    const child = execa(process.execPath, [bin, 'build', '--watch', 'built.ks', '-o', 'built'], { cwd: work, reject: false, env: { NO_COLOR: '1' } });
    const stderr = follow(child);
    const object = () => readFileSync(join(work, 'built/built.ebpf.o'));
    try {
      await stderr.until('[watch] ok', 1, 60_000);
      const first = object();
      writeFileSync(file, program(6));
      await stderr.until('[watch] ok', 2, 60_000);
      expect(object().equals(first)).toBe(false);
    } finally {
      child.kill('SIGTERM');
    }
    expect((await child).exitCode).toBe(0);
  });
});
