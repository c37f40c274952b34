// `verify`: loads each built object into the kernel at build time, so a
// verifier refusal fails the build instead of the deployment. Needs root (or
// CAP_BPF) and the optional @kernelscript/runtime peer.
import { mkdtemp, rm } from 'node:fs/promises';
import type { CompiledModule } from './compile-module.js';

const BPFFS = '/sys/fs/bpf';

/** Returns why verification was skipped, or null when the kernel accepted the object. Throws on refusal. */
export async function verifyInKernel(module: CompiledModule): Promise<string | null> {
  if (process.getuid?.() !== 0) return 'not running as root';
  const runtime = await import('@kernelscript/runtime').catch(() => null);
  if (runtime === null) return '@kernelscript/runtime is not installed';
  // Pins go to a throwaway bpffs directory, never to the paths the system declares.
  const pinRoot = await mkdtemp(`${BPFFS}/kernelscript-verify-`);
  try {
    runtime.load({ metadata: module.metadata, object: module.object }, { pinRoot }).close();
    return null;
  } finally {
    await rm(pinRoot, { recursive: true, force: true });
  }
}
