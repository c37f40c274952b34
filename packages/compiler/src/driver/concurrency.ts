// Bounds how many clang processes run at once: bundlers load every `.ks`
// module concurrently, and a project may have many.
import { availableParallelism } from 'node:os';

export type Limit = <T>(task: () => Promise<T>) => Promise<T>;

export function createLimit(concurrency: number = availableParallelism()): Limit {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}
