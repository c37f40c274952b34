// koffi bindings to the parts of libbpf.so.1 the runtime uses, plus the
// libbpf print hook that collects libbpf's messages (the verifier log among
// them) so a failure can carry them. libbpf 1.x reports errors as negative
// errno return values, or NULL with errno set; `check` and `checkPointer`
// turn both into BpfError.
import koffi, { type LibraryHandle } from 'koffi';
import { BpfError } from './errors.js';
import { verifierRefusal } from './verifier-log.js';

/** Opaque libbpf pointers (koffi 3 passes pointers as bigints); branded so they cannot be mixed up. */
export type BpfObject = bigint & { readonly __brand: 'bpf_object' };
export type BpfMap = bigint & { readonly __brand: 'bpf_map' };
export type BpfProgram = bigint & { readonly __brand: 'bpf_program' };
export type BpfLink = bigint & { readonly __brand: 'bpf_link' };
export type Btf = bigint & { readonly __brand: 'btf' };
export type RingBuffer = bigint & { readonly __brand: 'ring_buffer' };

// Options structs. libbpf reads `sz` to know which fields the caller knows about.
export const bpfObjectOpenOpts = koffi.struct('bpf_object_open_opts', {
  sz: 'size_t',
  object_name: 'const char *',
});

export const bpfTestRunOpts = koffi.struct('bpf_test_run_opts', {
  sz: 'size_t',
  data_in: 'void *',
  data_out: 'void *',
  data_size_in: 'uint32_t',
  data_size_out: 'uint32_t',
  ctx_in: 'void *',
  ctx_out: 'void *',
  ctx_size_in: 'uint32_t',
  ctx_size_out: 'uint32_t',
  retval: 'uint32_t',
  repeat: 'int',
  duration: 'uint32_t',
  flags: 'uint32_t',
  cpu: 'uint32_t',
  batch_size: 'uint32_t',
});

export const bpfMapBatchOpts = koffi.struct('bpf_map_batch_opts', {
  sz: 'size_t',
  elem_flags: 'uint64_t',
  flags: 'uint64_t',
});

export const bpfTcHook = koffi.struct('bpf_tc_hook', {
  sz: 'size_t',
  ifindex: 'int',
  attach_point: 'int',
  parent: 'uint32_t',
});

export const bpfTcOpts = koffi.struct('bpf_tc_opts', {
  sz: 'size_t',
  prog_fd: 'int',
  flags: 'uint32_t',
  prog_id: 'uint32_t',
  handle: 'uint32_t',
  priority: 'uint32_t',
});

/** struct btf_type header and struct btf_var_secinfo, read out of libbpf's BTF in memory. */
export const btfType = koffi.struct('btf_type', { name_off: 'uint32_t', info: 'uint32_t', size_or_type: 'uint32_t' });
export const btfVarSecinfo = koffi.struct('btf_var_secinfo', { type: 'uint32_t', offset: 'uint32_t', size: 'uint32_t' });

export const ringBufferSampleFn = koffi.proto('int ring_buffer_sample_fn(void *ctx, void *data, size_t size)');

/** The libbpf functions the runtime calls, by C declaration (koffi parses them). */
const LIBBPF_FUNCTIONS = {
  bpf_object__open_mem: 'void *bpf_object__open_mem(const void *buf, size_t size, const bpf_object_open_opts *opts)',
  bpf_object__load: 'int bpf_object__load(void *obj)',
  bpf_object__close: 'void bpf_object__close(void *obj)',
  bpf_object__btf: 'void *bpf_object__btf(void *obj)',
  bpf_object__find_map_by_name: 'void *bpf_object__find_map_by_name(void *obj, const char *name)',
  bpf_object__next_map: 'void *bpf_object__next_map(void *obj, void *map)',
  bpf_object__find_program_by_name: 'void *bpf_object__find_program_by_name(void *obj, const char *name)',
  bpf_map__name: 'const char *bpf_map__name(void *map)',
  bpf_map__fd: 'int bpf_map__fd(void *map)',
  bpf_map__key_size: 'uint32_t bpf_map__key_size(void *map)',
  bpf_map__value_size: 'uint32_t bpf_map__value_size(void *map)',
  bpf_map__set_pin_path: 'int bpf_map__set_pin_path(void *map, const char *path)',
  bpf_map__initial_value: 'void *bpf_map__initial_value(void *map, _Out_ size_t *size)',
  bpf_map__set_initial_value: 'int bpf_map__set_initial_value(void *map, const void *data, size_t size)',
  bpf_map__type: 'int bpf_map__type(void *map)',
  bpf_map__max_entries: 'uint32_t bpf_map__max_entries(void *map)',
  bpf_map__map_flags: 'uint32_t bpf_map__map_flags(void *map)',
  bpf_obj_get: 'int bpf_obj_get(const char *pathname)',
  bpf_obj_get_info_by_fd: 'int bpf_obj_get_info_by_fd(int bpf_fd, void *info, _Inout_ uint32_t *info_len)',
  libbpf_bpf_map_type_str: 'const char *libbpf_bpf_map_type_str(int type)',
  bpf_program__fd: 'int bpf_program__fd(void *prog)',
  bpf_program__set_log_level: 'int bpf_program__set_log_level(void *prog, uint32_t log_level)',
  bpf_program__set_log_buf: 'int bpf_program__set_log_buf(void *prog, void *log_buf, size_t log_size)',
  bpf_program__attach: 'void *bpf_program__attach(void *prog)',
  bpf_program__attach_xdp: 'void *bpf_program__attach_xdp(void *prog, int ifindex)',
  // Mode-specific XDP attach (generic / driver / offload) is not a link in libbpf 1.1: attach and detach by ifindex.
  bpf_xdp_attach: 'int bpf_xdp_attach(int ifindex, int prog_fd, uint32_t flags, void *opts)',
  bpf_xdp_detach: 'int bpf_xdp_detach(int ifindex, uint32_t flags, void *opts)',
  bpf_program__attach_tracepoint: 'void *bpf_program__attach_tracepoint(void *prog, const char *category, const char *name)',
  bpf_program__attach_raw_tracepoint: 'void *bpf_program__attach_raw_tracepoint(void *prog, const char *name)',
  bpf_program__attach_uprobe: 'void *bpf_program__attach_uprobe(void *prog, bool retprobe, int pid, const char *binary_path, size_t func_offset)',
  bpf_program__attach_perf_event: 'void *bpf_program__attach_perf_event(void *prog, int pfd)',
  bpf_link__destroy: 'int bpf_link__destroy(void *link)',
  bpf_tc_hook_create: 'int bpf_tc_hook_create(bpf_tc_hook *hook)',
  bpf_tc_hook_destroy: 'int bpf_tc_hook_destroy(bpf_tc_hook *hook)',
  bpf_tc_attach: 'int bpf_tc_attach(const bpf_tc_hook *hook, _Inout_ bpf_tc_opts *opts)',
  bpf_tc_detach: 'int bpf_tc_detach(const bpf_tc_hook *hook, const bpf_tc_opts *opts)',
  bpf_map_lookup_elem: 'int bpf_map_lookup_elem(int fd, const void *key, void *value)',
  bpf_map_update_elem: 'int bpf_map_update_elem(int fd, const void *key, const void *value, uint64_t flags)',
  bpf_map_delete_elem: 'int bpf_map_delete_elem(int fd, const void *key)',
  bpf_map_get_next_key: 'int bpf_map_get_next_key(int fd, const void *key, void *next_key)',
  bpf_map_lookup_batch: 'int bpf_map_lookup_batch(int fd, void *in_batch, void *out_batch, void *keys, void *values, _Inout_ uint32_t *count, const bpf_map_batch_opts *opts)',
  bpf_map_update_batch: 'int bpf_map_update_batch(int fd, const void *keys, const void *values, _Inout_ uint32_t *count, const bpf_map_batch_opts *opts)',
  bpf_prog_test_run_opts: 'int bpf_prog_test_run_opts(int prog_fd, _Inout_ bpf_test_run_opts *opts)',
  btf__find_by_name_kind: 'int32_t btf__find_by_name_kind(void *btf, const char *name, uint32_t kind)',
  btf__type_by_id: 'void *btf__type_by_id(void *btf, uint32_t id)',
  btf__name_by_offset: 'const char *btf__name_by_offset(void *btf, uint32_t offset)',
  ring_buffer__new: 'void *ring_buffer__new(int map_fd, ring_buffer_sample_fn *sample, void *ctx, void *opts)',
  ring_buffer__consume: 'int ring_buffer__consume(void *rb)',
  ring_buffer__epoll_fd: 'int ring_buffer__epoll_fd(void *rb)',
  ring_buffer__free: 'void ring_buffer__free(void *rb)',
  libbpf_num_possible_cpus: 'int libbpf_num_possible_cpus(void)',
  libbpf_strerror: 'int libbpf_strerror(int err, _Out_ uint8_t *buf, size_t size)',
} as const;

const LIBC_FUNCTIONS = {
  if_nametoindex: 'unsigned int if_nametoindex(const char *ifname)',
  close: 'int close(int fd)',
  // Variadic: callers give each argument's type (perf_event_open has no libc wrapper).
  syscall: 'long syscall(long number, ...)',
  vsnprintf: 'int vsnprintf(void *buf, size_t size, void *fmt, void *args)',
} as const;

type Bindings = Record<keyof typeof LIBBPF_FUNCTIONS | keyof typeof LIBC_FUNCTIONS, ReturnType<LibraryHandle['func']>>;

/**
 * The bound functions. libbpf is loaded on first use, not at import: a program
 * that imports the runtime only for its types, or prints its `--help`, needs
 * no libbpf. Until then every entry is a stub that binds everything and
 * replaces itself, so later calls go straight to koffi.
 */
export const lib = Object.fromEntries(
  [...Object.keys(LIBBPF_FUNCTIONS), ...Object.keys(LIBC_FUNCTIONS)].map((name) => [
    name,
    (...args: unknown[]) => {
      bindLibraries();
      return lib[name as keyof Bindings](...args);
    },
  ]),
) as Bindings;

/** Where libbpf is loaded from: `KERNELSCRIPT_LIBBPF` when set (a path), else the dynamic linker's `libbpf.so.1`. */
const LIBBPF = process.env.KERNELSCRIPT_LIBBPF || 'libbpf.so.1';
const INSTALL_HINT =
  'install libbpf 1.x (Debian/Ubuntu: `apt-get install libbpf1`, Fedora: `dnf install libbpf`) or set KERNELSCRIPT_LIBBPF to its path';

function bindLibraries(): void {
  let libbpf: LibraryHandle;
  try {
    libbpf = koffi.load(LIBBPF);
  } catch (error) {
    throw new Error(`@kernelscript/runtime cannot load ${LIBBPF} (${(error as Error).message}): ${INSTALL_HINT}`, { cause: error });
  }
  const libc = koffi.load('libc.so.6');
  const bound: Partial<Bindings> = {};
  for (const [name, declaration] of Object.entries(LIBBPF_FUNCTIONS)) {
    try {
      bound[name as keyof Bindings] = libbpf.func(declaration);
    } catch (error) {
      throw new Error(`@kernelscript/runtime: ${LIBBPF} is not a usable libbpf 1.x (${(error as Error).message}): ${INSTALL_HINT}`, {
        cause: error,
      });
    }
  }
  for (const [name, declaration] of Object.entries(LIBC_FUNCTIONS)) bound[name as keyof Bindings] = libc.func(declaration);
  Object.assign(lib, bound);
  installPrintHook(libbpf);
}

// ---------------------------------------------------------------------------
// libbpf's log
// ---------------------------------------------------------------------------

const LIBBPF_DEBUG = 2;

/** Messages libbpf printed since the current operation started. */
let pendingLog: string[] = [];

// libbpf hands the print hook a printf format and a va_list. koffi cannot
// read a va_list, but libc's vsnprintf can: the va_list reaches the hook as a
// pointer (x86-64 and arm64 ABIs both pass it by reference) and goes straight
// back to C. One large buffer, because a va_list can only be consumed once.
function installPrintHook(libbpf: LibraryHandle): void {
  const formatBuffer = Buffer.alloc(1 << 20);
  const printHook = koffi.register((level: number, format: bigint, args: bigint): number => {
    if (level === LIBBPF_DEBUG) return 0;
    const length = lib.vsnprintf(formatBuffer, formatBuffer.length, format, args) as number;
    if (length < 0) return 0;
    const written = Math.min(length, formatBuffer.length - 1);
    pendingLog.push(formatBuffer.toString('utf8', 0, written) + (written < length ? '[libbpf message truncated]\n' : ''));
    return 0;
  }, koffi.pointer(koffi.proto('int libbpf_print_fn(int level, void *format, void *args)')));
  libbpf.func('void *libbpf_set_print(void *fn)')(printHook);
}

/** Drops what libbpf printed so far: before an operation starts, and after one that succeeded. */
function discardLog(): void {
  pendingLog = [];
}

function takeLog(): string {
  const log = pendingLog.join('');
  pendingLog = [];
  return log;
}

function describeErrno(errno: number): string {
  const buffer = Buffer.alloc(256);
  lib.libbpf_strerror(errno, buffer, buffer.length);
  return buffer.toString('utf8', 0, buffer.indexOf(0));
}

/** A string going to C as `const char *` must not hold a NUL: C would read only the part before it. */
export function checkCString(text: string, what: string): void {
  if (text.includes('\0')) throw new TypeError(`${what} ${JSON.stringify(text)} contains a NUL character`);
}

/** A BpfError for `errno` (positive), carrying what libbpf logged during the operation (and the verifier's refusal in it). */
export function bpfError(operation: string, errno: number): BpfError {
  const log = takeLog();
  return new BpfError(operation, errno, describeErrno(errno), log, verifierRefusal(log));
}

/** Runs a libbpf call returning 0 or a negative errno; throws BpfError on failure, returns the result otherwise. */
export function check(operation: string, call: () => number): number {
  discardLog();
  const result = call();
  if (result < 0) throw bpfError(operation, -result);
  discardLog();
  return result;
}

/** Runs a libbpf call returning a pointer or NULL with errno set; throws BpfError on NULL. */
export function checkPointer<T extends bigint>(operation: string, call: () => bigint | null): T {
  discardLog();
  const pointer = call();
  if (pointer === null || pointer === 0n) throw bpfError(operation, koffi.errno() || 22 /* EINVAL */);
  discardLog();
  return pointer as T;
}

export const koffiErrno = (): number => koffi.errno();

/** Every map of an opened object, with its name (libbpf's data-section maps included). */
export function* objectMaps(object: BpfObject): Generator<{ map: BpfMap; name: string }> {
  for (let map = lib.bpf_object__next_map(object, null) as BpfMap | null; map !== null; map = lib.bpf_object__next_map(object, map) as BpfMap | null) {
    yield { map, name: lib.bpf_map__name(map) as string };
  }
}
