// The compiler flags for the generated code, shared by the generated Makefile
// and the driver's own toolchain calls so `make` and `kernelscript build` agree.

export const BPF_CC = 'clang';
export const CC = 'gcc';
/**
 * `-I/usr/include/<multiarch>` is added by the caller: clang -target bpf needs it for <asm/types.h>.
 * `-mcpu=v3`: atomic `|=`, `&=`, `^=` on map elements need the BPF_ATOMIC ALU
 * operations of ISA v3 (kernel 5.12+); without it clang cannot select them.
 * `-fwrapv`: KernelScript arithmetic wraps (two's complement), signed too; C
 * leaves signed overflow undefined, and the optimiser would exploit that.
 */
export const BPF_CFLAGS = ['-target', 'bpf', '-mcpu=v3', '-O2', '-fwrapv', '-Wall', '-Wextra', '-g'];
/** `-pthread`: the coordinator of a system whose kernel code prints reads the log in a thread. */
export const CFLAGS = ['-Wall', '-Wextra', '-O2', '-fwrapv', '-pthread'];
export const LIBS = ['-lbpf', '-lelf', '-lz'];

/**
 * libbpf's bpf_tracing.h reads kprobe arguments per architecture and needs
 * `-D__TARGET_ARCH_<arch>`: Node's `process.arch` → libbpf's arch name.
 */
export const BPF_TARGET_ARCH: Partial<Record<string, string>> = {
  x64: 'x86',
  arm64: 'arm64',
  arm: 'arm',
  s390x: 's390',
  ppc64: 'powerpc',
  riscv64: 'riscv',
  loong64: 'loongarch',
};

/** The same mapping for the generated Makefile, from `uname -m`. */
export const MAKE_TARGET_ARCH = "$(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/ppc64le/powerpc/' -e 's/riscv64/riscv/' -e 's/loongarch64/loongarch/' -e 's/armv.*/arm/')";
