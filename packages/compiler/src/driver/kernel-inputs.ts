// The kernel inputs the driver and the plugin hand the core: BTF read from a
// file (the running kernel's by default), and tracepoint formats from tracefs.
// Nothing is read until the core asks; a BTF file is parsed once per process
// and reused for as long as the file is unchanged (watch mode and bundler
// builds compile many times).
import { readFileSync, statSync } from 'node:fs';
import { Btf, BtfError } from '../btf/btf.js';
import type { KernelInputs } from '../kernel/kernel-inputs.js';
import { readTracepointFormat } from './tracefs.js';

/** The running kernel's BTF. */
export const KERNEL_BTF = '/sys/kernel/btf/vmlinux';

export interface KernelInputOptions {
  /** BTF file to compile against (`--btf FILE`, the plugin's `btf`); default the running kernel's, {@link KERNEL_BTF}. */
  btf?: string;
}

export function kernelInputs(options: KernelInputOptions = {}): KernelInputs {
  const path = options.btf ?? KERNEL_BTF;
  return { btf: () => loadBtf(path), tracepointFormat: (category, event) => readTracepointFormat(category, event) };
}

const loaded = new Map<string, { identity: string; btf: Btf }>();

/** The BTF in `path`, parsed (lazily: header only) once while the file stays the same. Errors say which file and why. */
export function loadBtf(path: string): Btf {
  let identity: string;
  try {
    const info = statSync(path);
    identity = `${info.dev}:${info.ino}:${info.size}:${info.mtimeMs}`;
  } catch (error) {
    throw new Error(`cannot read BTF file '${path}': ${(error as NodeJS.ErrnoException).code ?? String(error)}${path === KERNEL_BTF ? ' (this kernel exposes no BTF; pass --btf FILE, or the plugin option btf)' : ''}`);
  }
  const cached = loaded.get(path);
  if (cached?.identity === identity) return cached.btf;
  let btf: Btf;
  try {
    btf = Btf.parse(readFileSync(path));
    // Walk the types now, so a malformed type section is reported with the file's name (the core would walk it on first use anyway).
    void btf.typeCount;
  } catch (error) {
    if (error instanceof BtfError) throw new Error(`'${path}' is not usable BTF: ${error.message}`);
    throw new Error(`cannot read BTF file '${path}': ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  loaded.set(path, { identity, btf });
  return btf;
}
