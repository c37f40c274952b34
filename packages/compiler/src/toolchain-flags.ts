// The compiler flags for the generated code, shared by the generated Makefile
// and the driver's own toolchain calls so `make` and `kernelscript build` agree.

export const BPF_CC = 'clang';
export const CC = 'gcc';
/** `-I/usr/include/<multiarch>` is added by the caller: clang -target bpf needs it for <asm/types.h>. */
export const BPF_CFLAGS = ['-target', 'bpf', '-O2', '-Wall', '-Wextra', '-g'];
export const CFLAGS = ['-Wall', '-Wextra', '-O2'];
export const LIBS = ['-lbpf', '-lelf', '-lz'];
