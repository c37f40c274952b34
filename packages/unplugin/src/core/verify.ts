// `verify`: loads every program of each built object into the kernel verifier
// at build time (the compiler's probe: no pins, one program at a time), so a
// refusal fails the build — at the `.ks` line it traces to — instead of the
// deployment. Needs root (or CAP_BPF).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyObject } from '@kernelscript/compiler/driver/verify';
import { refusalDiagnostic } from '@kernelscript/compiler/driver/verify-diagnostics';
import type { CompiledModule } from './compile-module.js';
import { compileError } from './diagnostics.js';

/** Returns why verification was skipped, or null when the kernel accepted every program. Throws on a refusal. */
export async function verifyInKernel(id: string, source: string, module: CompiledModule, framework: string): Promise<string | null> {
  if (process.getuid?.() !== 0) return 'not running as root';
  const dir = await mkdtemp(join(tmpdir(), 'kernelscript-verify-'));
  try {
    const object = join(dir, `${module.name}.ebpf.o`);
    await writeFile(object, module.object);
    const report = await verifyObject(object, Object.keys(module.metadata.programs), { filename: module.filename, source });
    const refused = report.programs.filter((verdict) => !verdict.accepted);
    if (refused.length === 0) return null;
    throw compileError(id, module.filename, source, refused.map(refusalDiagnostic), framework);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
