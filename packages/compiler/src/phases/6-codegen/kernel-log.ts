// Kernel print(): each call formats one line with bpf_snprintf — the kernel's
// own printk formatting, the same rules bpf_printk follows — into a ring
// buffer the compiler adds to the object. The coordinator prints the lines and
// the Node runtime streams them as `sys.logs`, as aya-log carries a program's
// log records to userspace, instead of trace_pipe, which every program on the
// machine shares. The constants and both sides' C live here, in one place.
import type { MapMetadata } from '../../metadata.js';
import { BUILTIN_FUNCTIONS } from '../../language/builtin-functions.js';
import { MAP_KINDS } from '../../language/map-kinds.js';
import { describeType, INT_TYPES } from '../2-symbols/types.js';
import type { IrSystem } from '../5-ir/ir.js';
import { callsIn } from '../5-ir/call-graph.js';

/** What kernel `print` lowers to. */
export const LOG_CALL = BUILTIN_FUNCTIONS['print']!.cName;
/** The hidden ring buffer in the object. */
export const LOG_MAP = 'ks_log';
/** Bytes per line, the NUL included: a longer line is cut there. */
export const LOG_LINE_SIZE = 256;
/** The ring's size: a power of two and a multiple of the page size; about 250 lines (256 bytes and an 8-byte header each) wait there before new ones are dropped. */
export const LOG_RING_BYTES = 64 * 1024;

/** Whether some kernel function prints: only then does the object carry the log ring buffer. */
export function usesKernelLog(ir: IrSystem): boolean {
  return ir.kernelFunctions.some((fn) => callsIn(fn.body).includes(LOG_CALL));
}

/** The ring buffer and the macro kernel print() calls. */
export function kernelLogDefinitions(): string {
  return [
    '/* print(): one line per call, formatted by bpf_snprintf into this ring buffer; the coordinator and sys.logs read it. */',
    'struct {',
    '    __uint(type, BPF_MAP_TYPE_RINGBUF);',
    `    __uint(max_entries, ${LOG_RING_BYTES});`,
    `} ${LOG_MAP} SEC(".maps");`,
    '',
    `#define KS_LOG_LINE_SIZE ${LOG_LINE_SIZE}`,
    '/* A line the ring has no room for (the reader is behind) is dropped. */',
    `#define ${LOG_CALL}(fmt, args...) ({ \\`,
    `    char *ks_log_line = bpf_ringbuf_reserve(&${LOG_MAP}, KS_LOG_LINE_SIZE, 0); \\`,
    '    if (ks_log_line) { \\',
    '        BPF_SNPRINTF(ks_log_line, KS_LOG_LINE_SIZE, fmt, ##args); \\',
    '        bpf_ringbuf_submit(ks_log_line, 0); \\',
    '    } \\',
    '})',
  ].join('\n');
}

/** The log ring buffer as loaders see it: not one of the system's maps, but in the metadata so they can check and read it. */
export function logMapMetadata(): MapMetadata {
  const kind = MAP_KINDS.ring_buffer;
  const line = describeType({ kind: 'array', element: INT_TYPES.u8, length: LOG_LINE_SIZE });
  return { name: LOG_MAP, objectName: LOG_MAP, kind: kind.kind, bpfType: kind.bpfType, access: kind.access, perCpu: false, isArray: false, ifindexValues: false, key: null, value: line, maxEntries: LOG_RING_BYTES, pinPath: null, scope: 'global', flags: [] };
}

/** Coordinator: the thread that prints each line as it arrives, and its start and stop. */
export function coordinatorLogReader(): string {
  return [
    'static struct ring_buffer *log_rb = NULL;',
    'static pthread_t log_thread;',
    'static bool log_thread_started = false;',
    'static volatile sig_atomic_t log_thread_stopping = 0;',
    '',
    `/* Kernel print(): each ${LOG_MAP} record is one NUL-terminated line; printed with one newline. */`,
    'static int print_log_line(void *ctx, void *data, size_t size)',
    '{',
    '    (void)ctx;',
    '    const char *line = data;',
    '    int length = (int)strnlen(line, size);',
    "    if (length > 0 && line[length - 1] == '\\n')",
    '        length--;',
    '    printf("%.*s\\n", length, line);',
    '    return 0;',
    '}',
    '',
    'static void *read_log_lines(void *unused)',
    '{',
    '    (void)unused;',
    '    while (!log_thread_stopping)',
    '        ring_buffer__poll(log_rb, 100);',
    '    return NULL;',
    '}',
    '',
    '/* The thread starts with SIGINT/SIGTERM blocked: they stay with main, whose sleep and poll they end. */',
    'static int start_log_reader(void)',
    '{',
    `    log_rb = ring_buffer__new(bpf_object__find_map_fd_by_name(bpf_obj, "${LOG_MAP}"), print_log_line, NULL, NULL);`,
    '    if (!log_rb)',
    '        return -errno;',
    '    sigset_t stop_signals, previous;',
    '    sigemptyset(&stop_signals);',
    '    sigaddset(&stop_signals, SIGINT);',
    '    sigaddset(&stop_signals, SIGTERM);',
    '    pthread_sigmask(SIG_BLOCK, &stop_signals, &previous);',
    '    int err = pthread_create(&log_thread, NULL, read_log_lines, NULL);',
    '    pthread_sigmask(SIG_SETMASK, &previous, NULL);',
    '    if (err)',
    '        return -err;',
    '    log_thread_started = true;',
    '    return 0;',
    '}',
    '',
    '/* After the programs are detached: the thread stops, and the lines still in the ring are printed. */',
    'static void stop_log_reader(void)',
    '{',
    '    if (log_thread_started) {',
    '        log_thread_stopping = 1;',
    '        pthread_join(log_thread, NULL);',
    '        log_thread_started = false;',
    '    }',
    '    if (log_rb)',
    '        ring_buffer__consume(log_rb);',
    '    ring_buffer__free(log_rb);',
    '    log_rb = NULL;',
    '}',
  ].join('\n');
}
