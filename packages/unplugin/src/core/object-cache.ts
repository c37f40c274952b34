// Built eBPF objects on disk, by content hash, so an unchanged `.ks` never
// re-runs clang — across builds, processes and watch rebuilds.
import { randomBytes, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export class ObjectCache {
  constructor(private readonly directory: string) {}

  /** A key from everything that decides the object's bytes. */
  static key(parts: string[]): string {
    const hash = createHash('sha256');
    for (const part of parts) hash.update(part).update('\0');
    return hash.digest('hex');
  }

  /** Synchronous: a small local file, read on every warm module, where the promise form costs four thread-pool round trips. */
  get(key: string): Uint8Array | null {
    try {
      return new Uint8Array(readFileSync(this.path(key)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  /** Writes through a temporary name so a concurrent build never reads half an object. */
  async set(key: string, object: Uint8Array): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    const temporary = `${this.path(key)}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temporary, object);
    await rename(temporary, this.path(key));
  }

  private path(key: string): string {
    return join(this.directory, `${key}.bpf.o`);
  }
}
