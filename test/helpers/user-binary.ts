// Small user programs that uprobe and profiler tests probe: built with gcc
// from C source into a temporary directory, with symbols (-g, no stripping).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export interface UserBinary {
  /** The executable's absolute path. */
  path: string;
  /** Its directory, which holds nothing else of the test's. */
  dir: string;
  cleanup(): Promise<void>;
}

/** Builds `source` (C) as `dir/name`; -O1 keeps noinline functions as real calls. */
export async function buildUserBinary(name: string, source: string): Promise<UserBinary> {
  const dir = await mkdtemp(join(tmpdir(), 'ks-user-binary-'));
  try {
    await writeFile(join(dir, `${name}.c`), source);
    await execa('gcc', ['-O1', '-g', '-fno-omit-frame-pointer', '-o', name, `${name}.c`], { cwd: dir });
    return { path: join(dir, name), dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
