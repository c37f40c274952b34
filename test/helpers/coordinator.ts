// Runs a generated userspace coordinator (built with test/helpers/build.ts) as
// a child process whose output a test can wait on.
import { execa, type ResultPromise } from 'execa';

/** A running coordinator: its output so far, and ways to wait for a line or stop it. */
export class RunningCoordinator {
  private output = '';
  private waiters: { pattern: RegExp; from: number; resolve: (match: RegExpMatchArray) => void }[] = [];
  readonly result: ResultPromise<{ reject: false; timeout: number; all: true }>;

  constructor(command: string, args: string[], timeoutMs: number, options: { cwd?: string } = {}) {
    this.result = execa(command, args, { reject: false, timeout: timeoutMs, all: true, cwd: options.cwd });
    this.result.all.on('data', (chunk: Buffer) => {
      this.output += chunk.toString();
      this.waiters = this.waiters.filter((waiter) => {
        const match = this.output.slice(waiter.from).match(waiter.pattern);
        if (match) waiter.resolve(match);
        return !match;
      });
    });
  }

  get stdout(): string {
    return this.output;
  }

  /** Resolves with the first match of `pattern` in the output; rejects (with the output) after `timeoutMs` or when the process ends first. */
  waitFor(pattern: RegExp, timeoutMs = 10_000, from = 0): Promise<RegExpMatchArray> {
    const found = this.output.slice(from).match(pattern);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const fail = (why: string) => reject(new Error(`${why} waiting for ${pattern}; output so far:\n${this.output}`));
      const timer = setTimeout(() => fail('timed out'), timeoutMs);
      void this.result.then(() => {
        const match = this.output.slice(from).match(pattern);
        if (match) resolve(match);
        else fail('the coordinator exited');
      });
      this.waiters.push({
        pattern,
        from,
        resolve: (match) => {
          clearTimeout(timer);
          resolve(match);
        },
      });
    });
  }

  /** Like waitFor, but only for output printed from now on (the next report of a periodic one). */
  waitForNext(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
    return this.waitFor(pattern, timeoutMs, this.output.length);
  }

  /** Sends `signal` and waits for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM') {
    this.result.kill(signal);
    return this.result;
  }
}

/** Starts `command args` (killed after `timeoutMs`), in `options.cwd` when given. */
export function startCoordinator(command: string, args: string[] = [], timeoutMs = 30_000, options: { cwd?: string } = {}): RunningCoordinator {
  return new RunningCoordinator(command, args, timeoutMs, options);
}
