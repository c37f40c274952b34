// `--watch` for `compile` and `build`: run once, then again each time the
// `.ks` file changes, until SIGINT/SIGTERM. A failed run prints its located
// errors and the watcher keeps going; the exit code is 0 when stopped.
import { readFile } from 'node:fs/promises';
import { watch as chokidarWatch } from 'chokidar';

export interface WatchIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface WatchOptions {
  /** Ends the watch (the CLI passes one aborted by SIGINT/SIGTERM). */
  signal: AbortSignal;
  /** Coalesce the burst of events one save makes (ms). */
  settle?: number;
}

/** Runs `run` now and after every change of `file`; resolves when `signal` aborts. */
export async function watchFile(file: string, run: () => Promise<number>, io: WatchIo, options: WatchOptions): Promise<number> {
  const report = (code: number) => io.stderr.write(code === 0 ? `[watch] ok; waiting for changes to ${file}\n` : `[watch] failed (exit ${code}); waiting for changes to ${file}\n`);
  const watcher = chokidarWatch(file, { ignoreInitial: true, atomic: true });
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  /** The text the last run started from: events that change nothing (a save without edits, a second event of one save) run nothing. */
  let built: string | null = await readFile(file, 'utf8').catch(() => null);
  /** Runs one after another; a check that finds the file as last built does nothing. */
  let queue: Promise<void> = Promise.resolve();
  const timers = new Set<NodeJS.Timeout>();
  const check = () =>
    (queue = queue.then(async () => {
      const text = await readFile(file, 'utf8').catch(() => null);
      if (text === null || text === built || options.signal.aborted) return;
      built = text;
      io.stderr.write(`[watch] ${file} changed; rebuilding\n`);
      report(await runSafely(run, io));
    }));
  const after = (ms: number) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      void check();
    }, ms);
    timers.add(timer);
  };
  const changed = () => {
    after(options.settle ?? 30);
    // chokidar drops a second change of a path within 50 ms of the first: look again once that window has passed.
    after(100);
  };
  watcher.on('add', changed).on('change', changed);
  watcher.on('unlink', () => io.stderr.write(`[watch] ${file} was removed; waiting for it to come back\n`));
  watcher.on('error', (error) => io.stderr.write(`[watch] watcher error: ${(error as Error).message}\n`));
  await ready;
  report(await runSafely(run, io));
  await new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    else options.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  for (const timer of timers) clearTimeout(timer);
  await watcher.close();
  await queue;
  return 0;
}

/** A run that throws (a bad usage, an unreadable file) is reported like a failed build, not the end of the watch. */
async function runSafely(run: () => Promise<number>, io: WatchIo): Promise<number> {
  try {
    return await run();
  } catch (error) {
    io.stderr.write(`kernelscript: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

/** `watchFile` until the process gets SIGINT or SIGTERM. */
export async function watchUntilSignal(file: string, run: () => Promise<number>, io: WatchIo): Promise<number> {
  const stop = new AbortController();
  const abort = () => stop.abort();
  process.once('SIGINT', abort).once('SIGTERM', abort);
  try {
    return await watchFile(file, run, io, { signal: stop.signal });
  } finally {
    process.off('SIGINT', abort).off('SIGTERM', abort);
  }
}
