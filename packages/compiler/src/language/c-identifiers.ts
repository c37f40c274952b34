// How a name from a .ks file becomes a C identifier. The generated C is
// compiled against libc, libbpf, bpf_helpers.h and the kernel's headers, so a
// name they (or C itself) already use — `static`, `printf`, `errno`, `SEC`,
// `bpf_map_lookup_elem` — cannot be copied into it. A safe name is kept as
// written, so the C reads like the .ks; a reserved one gets the `ks_` prefix.
// Every `ks_…` name is itself reserved (and prefixed again), so the mapping
// is one-to-one: `ks_X` in the C always comes from a reserved `X`.

/** C11 and GNU C keywords, and the macros and types every generated file sees. */
const RESERVED = new Set([
  // C keywords
  'auto', 'break', 'case', 'char', 'const', 'continue', 'default', 'do', 'double', 'else', 'enum', 'extern', 'float', 'for', 'goto', 'if',
  'inline', 'int', 'long', 'register', 'restrict', 'return', 'short', 'signed', 'sizeof', 'static', 'struct', 'switch', 'typedef', 'union',
  'unsigned', 'void', 'volatile', 'while', 'asm', 'typeof', 'alignas', 'alignof', 'noreturn', 'static_assert', 'thread_local',
  // <stdbool.h>, <stddef.h>, <stdint.h>, kernel types
  'bool', 'true', 'false', 'NULL', 'size_t', 'ssize_t', 'ptrdiff_t', 'offsetof', 'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64',
  'int8_t', 'int16_t', 'int32_t', 'int64_t', 'uint8_t', 'uint16_t', 'uint32_t', 'uint64_t', 'uintptr_t', 'intptr_t', 'pid_t', 'uid_t', 'gid_t', 'time_t',
  // libc functions, objects and macros the coordinator includes
  'errno', 'stdin', 'stdout', 'stderr', 'printf', 'fprintf', 'snprintf', 'sprintf', 'vfprintf', 'puts', 'fputs', 'putchar', 'fflush', 'setvbuf',
  'malloc', 'calloc', 'realloc', 'free', 'exit', 'abort', 'atexit', 'main', 'memcpy', 'memset', 'memcmp', 'memmove', 'strlen', 'strcmp',
  'strncmp', 'strchr', 'strrchr', 'strerror', 'strtoul', 'strtoull', 'strtol', 'strtoll', 'signal', 'sigaction', 'raise', 'kill', 'sleep',
  'usleep', 'nanosleep', 'getpid', 'getppid', 'open', 'close', 'read', 'write', 'ioctl', 'if_nametoindex', 'assert', 'va_list', 'va_start', 'va_end',
  'EINTR', 'EINVAL', 'ENOENT', 'EEXIST', 'E2BIG', 'ENOMEM', 'EPERM', 'EBUSY', 'ENODEV', 'INT_MAX', 'UINT_MAX', 'SIGINT', 'SIGTERM', 'FILE', 'EOF',
  // bpf_helpers.h, bpf_tracing.h, bpf_core_read.h and the names the generated files define
  'SEC', 'LICENSE', 'user_main', 'obj', 'err', 'skel', 'likely', 'unlikely', 'barrier', 'min', 'max', 'xdp_md', 'pt_regs', 'task_struct',
]);

/** Prefixes that libbpf, the kernel headers, C (reserved identifiers) and this compiler own. */
const RESERVED_PREFIXES = ['ks_', 'KS_', 'bpf_', 'BPF_', 'btf_', 'BTF_', 'libbpf_', 'LIBBPF_', 'ring_buffer_', 'perf_buffer_', 'PT_REGS_', '__'];

/** Whether `name` cannot appear in generated C as written. */
export function isReservedInC(name: string): boolean {
  return RESERVED.has(name) || RESERVED_PREFIXES.some((prefix) => name.startsWith(prefix)) || /^_[A-Z]/.test(name);
}

/** The C identifier for a .ks name: the name itself when that is safe, `ks_<name>` otherwise. */
export function cIdentifier(name: string): string {
  return isReservedInC(name) ? `ks_${name}` : name;
}

/** Every name isReservedInC refuses by list (for tests that try each in each position). */
export const RESERVED_C_NAMES: readonly string[] = [...RESERVED];
