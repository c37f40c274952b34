// Builds a `.ks` system into a directory holding its eBPF object and its
// generated userspace coordinator (as `kernelscript build` does), and runs the
// coordinator as a child process whose output a test can wait on.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { compile, formatDiagnostic } from '../../packages/compiler/src/index.js';
import { buildBpfObject, buildCoordinator } from '../../packages/compiler/src/driver/toolchain.js';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
export const EXAMPLES = join(REPO_ROOT, 'examples');

export interface BuiltSystem {
  dir: string;
  /** The coordinator binary (the eBPF object lies next to it). */
  coordinator: string;
  object: string;
  /** The generated coordinator C. */
  coordinatorC: string;
  cleanup(): Promise<void>;
}

/** Compiles `source` and builds the object (clang) and the coordinator (gcc -Wall -Werror). */
export async function buildSystem(source: string, filename: string): Promise<BuiltSystem> {
  const result = compile(source, { filename });
  if (!result.ok) throw new Error(`${filename} did not compile:\n${result.diagnostics.map((d) => formatDiagnostic(d, filename, source)).join('\n')}`);
  const dir = await mkdtemp(join(tmpdir(), 'ks-coordinator-'));
  try {
    for (const file of result.files) await writeFile(join(dir, file.path), file.contents);
    const object = join(dir, `${result.name}.ebpf.o`);
    const coordinator = join(dir, result.name);
    // Relative paths, as the Makefile builds them: the `#line` directives name the .ks file.
    await buildBpfObject(`${result.name}.ebpf.c`, object, { cwd: dir });
    await buildCoordinator(`${result.name}.c`, coordinator, { cwd: dir });
    const coordinatorC = result.files.find((f) => f.path === `${result.name}.c`)!.contents;
    return { dir, coordinator, object, coordinatorC, cleanup: () => rm(dir, { recursive: true, force: true }) };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Builds `examples/<name>.ks`. */
export async function buildExampleSystem(name: string): Promise<BuiltSystem> {
  const path = join(EXAMPLES, `${name}.ks`);
  return buildSystem(await readFile(path, 'utf8'), basename(path));
}

/** A running coordinator: its output so far, and ways to wait for a line or stop it. */
export class RunningCoordinator {
  private output = '';
  private waiters: { pattern: RegExp; resolve: (match: RegExpMatchArray) => void }[] = [];
  readonly result: ResultPromise<{ reject: false; timeout: number }>;

  constructor(command: string, args: string[], timeoutMs: number) {
    this.result = execa(command, args, { reject: false, timeout: timeoutMs, all: true });
    this.result.all!.on('data', (chunk: Buffer) => {
      this.output += chunk.toString();
      this.waiters = this.waiters.filter((waiter) => {
        const match = this.output.match(waiter.pattern);
        if (match) waiter.resolve(match);
        return !match;
      });
    });
  }

  get stdout(): string {
    return this.output;
  }

  /** Resolves with the first match of `pattern` in the output; rejects (with the output) after `timeoutMs` or when the process ends first. */
  waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
    const found = this.output.match(pattern);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const fail = (why: string) => reject(new Error(`${why} waiting for ${pattern}; output so far:\n${this.output}`));
      const timer = setTimeout(() => fail('timed out'), timeoutMs);
      void this.result.then(() => {
        const match = this.output.match(pattern);
        if (match) resolve(match);
        else fail('the coordinator exited');
      });
      this.waiters.push({
        pattern,
        resolve: (match) => {
          clearTimeout(timer);
          resolve(match);
        },
      });
    });
  }

  /** Sends `signal` and waits for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM') {
    this.result.kill(signal);
    return this.result;
  }
}

/** Starts `command args` (killed after `timeoutMs`). */
export function startCoordinator(command: string, args: string[] = [], timeoutMs = 30_000): RunningCoordinator {
  return new RunningCoordinator(command, args, timeoutMs);
}
