// Temporary directories of the CLI (the staging directory of an output, the
// scratch directories of verify and of the optimiser's measurements): removed
// when their work ends, and also when SIGINT or SIGTERM ends the process in
// the middle of it — a Ctrl-C during clang must not leave them behind.
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';

const live = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Runs `body` in a new directory `<parent>/<prefix>XXXXXX`, removed afterwards whatever happens. */
export async function withTemporaryDirectory<T>(parent: string, prefix: string, body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(parent, prefix));
  live.add(dir);
  if (live.size === 1) for (const signal of SIGNALS) process.on(signal, removeAndDie);
  try {
    return await body(dir);
  } finally {
    live.delete(dir);
    if (live.size === 0) for (const signal of SIGNALS) process.off(signal, removeAndDie);
    await rm(dir, { recursive: true, force: true });
  }
}

/** Removes every live directory, then lets the signal end the process as it would have (the shell sees the signal). */
function removeAndDie(signal: NodeJS.Signals): void {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
  live.clear();
  for (const each of SIGNALS) process.off(each, removeAndDie);
  process.kill(process.pid, signal);
}
