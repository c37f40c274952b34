// Phase 6b: the userspace coordinator, shaped like libbpf-bootstrap's loaders
// (bootstrap.c): static helpers, then main. It opens the eBPF object embedded
// in the binary (as a libbpf skeleton embeds it), sets config, pins maps,
// loads, fills the tail-call table, runs the `.ks` userspace main, and on exit
// or SIGINT/SIGTERM detaches and frees everything.
import { integerView, roundUp, sizeOf, type Type } from '../2-symbols/types.js';
import type { SystemAnalysis } from '../4-analyze/analysis.js';
import type { IrFunction, IrMap, IrStmt, IrSystem } from '../5-ir/ir.js';
import { statements } from '../5-ir/ir-walk.js';
import { callsIn } from '../5-ir/call-graph.js';
import { enumDefinition, MIN_MAX_MACROS, structDefinition } from './c-declarations.js';
import { checksumDefinitions } from './checksum-c.js';
import { attachFunctions, attachIncludes, attachmentTable, perfEventSupport } from './coordinator-attach.js';
import { commandLineSection } from './coordinator-command-line.js';
import { CFunctionWriter, functionSignature, type CTarget } from './c-function-writer.js';
import { cComment, cString, cType, declaration } from './c-types.js';
import { headerComment } from './header-comment.js';
import { restoreLineMapping } from './line-directives.js';
import { coordinatorLogReader, usesKernelLog } from './kernel-log.js';

const USERSPACE_CALLS: Record<string, string> = { bpf_ntohs: 'ntohs', bpf_htons: 'htons', bpf_ntohl: 'ntohl', bpf_htonl: 'htonl' };

const userspaceTarget: CTarget = {
  side: 'userspace',
  call: (name) => USERSPACE_CALLS[name] ?? name,
  statement(stmt: IrStmt, writer: CFunctionWriter): boolean {
    switch (stmt.op) {
      case 'mapLookup': {
        const storage = `${stmt.ref.name}_storage`;
        const value = (stmt.ref.type as Extract<Type, { kind: 'pointer' }>).target;
        // Zeroed: gcc cannot tell that the accessor fills it whenever the pointer is not NULL.
        writer.emit(`${declaration(value, storage)} = ${zeroInitializer(value)};`);
        writer.emit(`${declaration(stmt.ref.type, stmt.ref.name)} = ${stmt.map.objectName}_lookup(&${stmt.key.name}, &${storage}) == 0 ? &${storage} : NULL;`);
        return true;
      }
      case 'mapUpdate':
        writer.emit(`${stmt.map.objectName}_update(&${stmt.key.name}, &${stmt.value.name}, ${stmt.flags});`);
        return true;
      case 'mapDelete':
        writer.emit(`${stmt.map.objectName}_delete(&${stmt.key.name});`);
        return true;
      case 'mapAtomic':
      case 'mapFieldStore': {
        // Userspace works on a copy: read it (zero when absent), change it, write it back.
        const { map, key, zero: copy } = stmt;
        const place = `${copy.name}${writer.pathSuffix(stmt.path)}`;
        writer.emit(`${declaration(copy.type, copy.name)} = ${zeroInitializer(copy.type)};`);
        writer.emit(`${map.objectName}_lookup(&${key.name}, &${copy.name});`);
        writer.emit(stmt.op === 'mapAtomic' ? `${place} ${stmt.operator} ${writer.expr(stmt.operand)};` : `${place} = ${writer.expr(stmt.value)};`);
        writer.emit(`${map.objectName}_update(&${key.name}, &${copy.name}, BPF_ANY);`);
        return true;
      }
      case 'iterate': {
        const { map, key, value } = stmt;
        writer.emit(`${declaration(key.type, key.name)};`);
        writer.emit(`${declaration(value.type, value.name)};`);
        // `continue` in the body lands on the next-key step of the for header.
        writer.emit(`for (int more = bpf_map_get_next_key(${map.objectName}_fd, NULL, &${key.name}) == 0; more; more = bpf_map_get_next_key(${map.objectName}_fd, &${key.name}, &${key.name}) == 0) {`);
        writer.indent(() => {
          writer.emit(`if (${map.objectName}_lookup(&${key.name}, &${value.name}) != 0)`);
          writer.emit('    continue;');
        });
        writer.nested(stmt.body);
        writer.emit('}');
        return true;
      }
      case 'poll': {
        const call = `ks_poll(${ringBufferVariable(stmt.map, stmt.handler)}, ${writer.expr(stmt.timeout)})`;
        writer.emit(stmt.result ? `${declaration(stmt.result.type, stmt.result.name)} = ${call};` : `${call};`);
        return true;
      }
      default:
        return false;
    }
  },
};

function zeroInitializer(type: Type): string {
  return type.kind === 'struct' || type.kind === 'array' ? '{0}' : '0';
}

function ringBufferVariable(map: IrMap, handler: string): string {
  return `${map.objectName}_${handler}_rb`;
}

export interface UserspaceCOptions {
  /** Base name: this file is `<name>.c`; `<name>.ebpf.o` is embedded into its binary when it is built. */
  name: string;
  filename: string;
  analysis: SystemAnalysis;
  lineDirectives: boolean;
}

export function generateUserspaceC(ir: IrSystem, options: UserspaceCOptions): string {
  const lineFile = options.lineDirectives ? options.filename : null;
  const userFunctions = ir.userspaceFunctions;
  const polls = [...new Map(userFunctions.flatMap((f) => [...statements(f.body)]).flatMap((s) => (s.op === 'poll' ? [[ringBufferVariable(s.map, s.handler), s] as const] : []))).entries()];
  const main = userFunctions.find((f) => f.name === 'main');
  // Static helpers are emitted only when called: gcc -Wall warns about unused ones.
  const calls = new Set(userFunctions.flatMap((f) => callsIn(f.body)));
  const usesMinMax = calls.has('KS_MIN') || calls.has('KS_MAX');
  const attaches = calls.has('ks_attach') || calls.has('ks_detach');
  const mainTakesArguments = (main?.params.length ?? 0) > 0;
  const logs = usesKernelLog(ir);
  const sections = [
    [
      headerComment('Userspace coordinator for the multi-program eBPF system', options.filename, options.analysis),
      '#include <arpa/inet.h>',
      '#include <errno.h>',
      '#include <fcntl.h>',
      '#include <limits.h>',
      '#include <net/if.h>',
      ...(logs ? ['#include <pthread.h>'] : []),
      '#include <signal.h>',
      '#include <stdbool.h>',
      '#include <stdio.h>',
      '#include <stdlib.h>',
      '#include <string.h>',
      '#include <time.h>',
      '#include <unistd.h>',
      '#include <linux/bpf.h>',
      '#include <linux/types.h>',
      '#include <bpf/bpf.h>',
      '#include <bpf/btf.h>',
      '#include <bpf/libbpf.h>',
      ...attachIncludes(ir.programs),
    ].join('\n'),
    ...ir.enums.map(enumDefinition),
    ...ir.structs.map(structDefinition),
    ...(usesMinMax ? [MIN_MAX_MACROS] : []),
    ...checksumDefinitions(calls),
    globals(ir, polls.map(([variable]) => variable)),
    logs ? coordinatorLogReader() : '',
    perfEventSupport(ir.programs),
    ...(attaches ? [attachmentTable(ir.programs)] : []),
    embeddedObject(options.name),
    ...ir.maps.map((map) => mapAccessors(map, accessorsUsed(userFunctions, map))),
    ...polls.map(([variable, poll]) => ringBufferTrampoline(variable, poll)),
    attaches ? attachFunctions(ir.programs, { attach: calls.has('ks_attach'), detach: calls.has('ks_detach') }) : '',
    commandLineSection(options.name, ir.config, mainTakesArguments),
    loadFunction(ir, options),
    setupMapsFunction(ir, polls),
    cleanupFunction(polls.map(([variable]) => variable), attaches, logs),
    waitFunctions(calls.has('ks_sleep_ms'), polls.length > 0),
    ...userFunctionPrototypes(userFunctions),
    ...userFunctions.map((fn) => new CFunctionWriter(fn, userspaceTarget, lineFile).write(functionSignature(fn, 'static '))),
    mainFunction(main ?? null, options, logs),
  ];
  return restoreLineMapping(`${sections.filter((s) => s.length > 0).join('\n\n')}\n`, `${options.name}.c`);
}

function globals(ir: IrSystem, ringBuffers: string[]): string {
  return [
    'static struct bpf_object *bpf_obj = NULL;',
    'static volatile sig_atomic_t exiting = 0;',
    ...ir.maps.map((m) => `static int ${m.objectName}_fd = -1;`),
    ...ringBuffers.map((rb) => `static struct ring_buffer *${rb} = NULL;`),
    '',
    '/* The first SIGINT/SIGTERM asks for a clean exit (at the next sleep or poll, or when main returns); a second one kills. */',
    'static void handle_signal(int sig)',
    '{',
    '    if (exiting) {',
    '        signal(sig, SIG_DFL);',
    '        raise(sig);',
    '    }',
    '    exiting = 1;',
    '}',
  ].join('\n');
}

/** sleep(ms) and events.poll(...): where main waits, a signal ends the coordinator cleanly (exit status 0). */
function waitFunctions(sleeps: boolean, polls: boolean): string {
  if (!sleeps && !polls) return '';
  return [
    'static void exit_if_signalled(void)',
    '{',
    '    if (!exiting)',
    '        return;',
    '    cleanup();',
    '    exit(0);',
    '}',
    ...(sleeps
      ? [
          '',
          'static void ks_sleep_ms(__u32 ms)',
          '{',
          '    struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };',
          '    while (!exiting && nanosleep(&ts, &ts) != 0 && errno == EINTR)',
          '        ;',
          '    exit_if_signalled();',
          '}',
        ]
      : []),
    ...(polls
      ? [
          '',
          '/* Returns the number of records handled, or a negative errno. */',
          'static int ks_poll(struct ring_buffer *ring_buffer, int timeout_ms)',
          '{',
          '    int handled = ring_buffer__poll(ring_buffer, timeout_ms);',
          '    exit_if_signalled();',
          '    return handled;',
          '}',
        ]
      : []),
  ].join('\n');
}

type MapAccessor = 'lookup' | 'update' | 'delete';

/** The accessors of `map` the userspace code calls: static functions, so only those are emitted (gcc -Wall warns about unused ones). */
function accessorsUsed(functions: IrFunction[], map: IrMap): Set<MapAccessor> {
  const used = new Set<MapAccessor>();
  for (const stmt of functions.flatMap((f) => [...statements(f.body)])) {
    if (!('map' in stmt) || stmt.map.objectName !== map.objectName) continue;
    const accessors: MapAccessor[] = { mapLookup: ['lookup'], mapUpdate: ['update'], mapDelete: ['delete'], mapAtomic: ['lookup', 'update'], mapFieldStore: ['lookup', 'update'], iterate: ['lookup'] }[stmt.op as string] as MapAccessor[] ?? [];
    for (const accessor of accessors) used.add(accessor);
  }
  return used;
}

/**
 * The eBPF object inside the coordinator, as a libbpf skeleton carries it: the
 * assembler's `.incbin` copies `<name>.ebpf.o` (built first, in the directory
 * the compiler runs in) into `.rodata`, so the binary runs alone, from anywhere.
 */
function embeddedObject(name: string): string {
  return [
    `/* The eBPF object, embedded from ${name}.ebpf.o when this file is compiled: the binary needs no file beside it. */`,
    '__asm__(',
    '    "    .pushsection .rodata\\n"',
    '    "    .balign 8\\n"',
    `    "${name}_ebpf_object:\\n"`,
    `    "    .incbin \\"${name}.ebpf.o\\"\\n"`,
    `    "${name}_ebpf_object_end:\\n"`,
    '    "    .popsection\\n");',
    `extern const char ${name}_ebpf_object[], ${name}_ebpf_object_end[];`,
  ].join('\n');
}

/** Per-map access through its fd, as the seed's coordinator has them. Per-CPU maps read as the sum. */
function mapAccessors(map: IrMap, used: Set<MapAccessor>): string {
  if (map.kind.access !== 'keyed' || used.size === 0) return '';
  const fd = `${map.objectName}_fd`;
  const guard = `    if (${fd} < 0)\n        return -1;`;
  const name = map.objectName;
  const slot = roundUp(sizeOf(map.value), 8);
  // Per-CPU maps go through a buffer of one slot per possible CPU, both directions.
  const perCpuBuffer = [guard, '    int cpus = libbpf_num_possible_cpus();', '    if (cpus <= 0)', '        return cpus;', `    __u8 per_cpu[cpus * ${slot}];`];
  const bodies: Record<MapAccessor, [string, string[]]> = {
    lookup: [
      `static int ${name}_lookup(void *key, void *value)`,
      map.kind.perCpu
        ? [
            ...perCpuBuffer,
            `    int err = bpf_map_lookup_elem(${fd}, key, per_cpu);`,
            '    if (err)',
            '        return err;',
            `    ${declaration(map.value, 'total')};`,
            `    ${declaration(map.value, 'one')};`,
            '    memcpy(&total, per_cpu, sizeof(total));',
            '    for (int cpu = 1; cpu < cpus; cpu++) {',
            `        memcpy(&one, per_cpu + cpu * ${slot}, sizeof(one));`,
            ...sumStatements(map.value, 'total', 'one').map((l) => `        ${l}`),
            '    }',
            '    memcpy(value, &total, sizeof(total));',
            '    return 0;',
          ]
        : [guard, `    return bpf_map_lookup_elem(${fd}, key, value);`],
    ],
    update: [
      `static int ${name}_update(void *key, void *value, __u64 flags)`,
      map.kind.perCpu
        ? [...perCpuBuffer, '    memset(per_cpu, 0, sizeof(per_cpu));', `    memcpy(per_cpu, value, ${sizeOf(map.value)});`, `    return bpf_map_update_elem(${fd}, key, per_cpu, flags);`]
        : [guard, `    return bpf_map_update_elem(${fd}, key, value, flags);`],
    ],
    delete: [`static int ${name}_delete(void *key)`, [guard, `    return bpf_map_delete_elem(${fd}, key);`]],
  };
  const functions = (['lookup', 'update', 'delete'] as const).filter((a) => used.has(a)).map((a) => [bodies[a][0], '{', ...bodies[a][1], '}'].join('\n'));
  const comment = map.kind.perCpu
    ? [
        cComment(`${map.name} is per-CPU: a read sums the integer parts over CPUs (other parts are CPU 0's), a write sets CPU 0 and zeroes the rest. The kernel copies one 8-byte aligned slot per possible CPU.`),
      ]
    : [];
  return [...comment, functions.join('\n\n')].join('\n');
}

/** Add the integer parts of `from` into `into` (struct fields one by one). */
function sumStatements(type: Type, into: string, from: string): string[] {
  if (type.kind === 'struct') return type.fields.flatMap((f) => sumStatements(f.type, `${into}.${f.name}`, `${from}.${f.name}`));
  if (type.kind === 'array' || !integerView(type) || type.kind === 'bool') return [];
  return [`${into} += ${from};`];
}

function ringBufferTrampoline(variable: string, poll: Extract<IrStmt, { op: 'poll' }>): string {
  const event = poll.map.value;
  return [
    `static int ${poll.handler}(${declaration(event, 'event')});`,
    '',
    `static int ${variable}_event(void *ctx, void *data, size_t size)`,
    '{',
    '    (void)ctx;',
    `    ${declaration(event, 'event')};`,
    '    if (size < sizeof(event))',
    '        return 0;',
    '    memcpy(&event, data, sizeof(event));',
    `    return ${poll.handler}(event);`,
    '}',
  ].join('\n');
}

function loadFunction(ir: IrSystem, options: UserspaceCOptions): string {
  const pins = ir.maps.filter((m) => m.pinPath);
  const lines = [
    '/* libbpf\'s warnings and errors go to stderr; its debug messages only with --verbose. */',
    'static int print_libbpf_message(enum libbpf_print_level level, const char *format, va_list args)',
    '{',
    '    if (level == LIBBPF_DEBUG && !show_libbpf_debug)',
    '        return 0;',
    '    return vfprintf(stderr, format, args);',
    '}',
    '',
    '/* Opens the embedded object, configures it and loads it: the skeleton\'s __open() and __load(). */',
    'static int load_all_bpf_programs(void)',
    '{',
    '    int err;',
    `    LIBBPF_OPTS(bpf_object_open_opts, open_opts, .object_name = ${cString(options.name)});`,
    `    bpf_obj = bpf_object__open_mem(${options.name}_ebpf_object, ${options.name}_ebpf_object_end - ${options.name}_ebpf_object, &open_opts);`,
    '    if (!bpf_obj) {',
    '        err = -errno;',
    `        fprintf(stderr, "Failed to open the BPF object: %s\\n", strerror(-err));`,
    '        return err;',
    '    }',
    ...(ir.config.length > 0 ? ['    err = write_config();', '    if (err)', '        return err;'] : []),
    ...(ir.programs.some((p) => p.kind.attach === 'perf_event') ? ['    err = check_perf_events();', '    if (err)', '        return err;'] : []),
  ];
  for (const map of pins) {
    lines.push(
      `    ${cComment(`Reuses the pin at ${map.pinPath} when it exists, pins the new map there otherwise.`)}`,
      `    err = bpf_map__set_pin_path(bpf_object__find_map_by_name(bpf_obj, ${cString(map.objectName)}), ${cString(map.pinPath!)});`,
      '    if (err)',
      '        return err;',
    );
  }
  lines.push(
    '    err = bpf_object__load(bpf_obj);',
    '    if (err) {',
    '        fprintf(stderr, "Failed to load and verify the BPF object: %s\\n", strerror(-err));',
    '        return err;',
    '    }',
    '    return 0;',
    '}',
  );
  return lines.join('\n');
}

function setupMapsFunction(ir: IrSystem, polls: (readonly [string, Extract<IrStmt, { op: 'poll' }>])[]): string {
  const lines = ['static int setup_maps(void)', '{'];
  for (const map of ir.maps) {
    lines.push(
      `    ${map.objectName}_fd = bpf_object__find_map_fd_by_name(bpf_obj, ${cString(map.objectName)});`,
      `    if (${map.objectName}_fd < 0)`,
      `        return ${map.objectName}_fd;`,
    );
  }
  if (ir.tailCalls) {
    lines.push(`    int tail_calls_fd = bpf_object__find_map_fd_by_name(bpf_obj, ${cString(ir.tailCalls.map)});`, '    if (tail_calls_fd < 0)', '        return tail_calls_fd;');
    for (const slot of ir.tailCalls.slots) {
      lines.push(
        '    {',
        `        __u32 slot = ${slot.index};`,
        `        int prog_fd = bpf_program__fd(bpf_object__find_program_by_name(bpf_obj, ${cString(slot.program)}));`,
        '        int err = bpf_map_update_elem(tail_calls_fd, &slot, &prog_fd, BPF_ANY);',
        '        if (err)',
        '            return err;',
        '    }',
      );
    }
  }
  for (const [variable, poll] of polls) {
    lines.push(
      `    ${variable} = ring_buffer__new(${poll.map.objectName}_fd, ${variable}_event, NULL, NULL);`,
      `    if (!${variable})`,
      '        return -errno;',
    );
  }
  lines.push('    return 0;', '}');
  return lines.join('\n');
}

function cleanupFunction(ringBuffers: string[], attaches: boolean, logs: boolean): string {
  return [
    'static void cleanup(void)',
    '{',
    ...ringBuffers.map((rb) => `    ring_buffer__free(${rb});`),
    ...(attaches ? ['    detach_all();'] : []),
    ...(logs ? ['    stop_log_reader();'] : []),
    '    bpf_object__close(bpf_obj);',
    '    bpf_obj = NULL;',
    '}',
  ].join('\n');
}

/** Prototypes, so userspace functions may call each other in any order. */
function userFunctionPrototypes(functions: IrFunction[]): string[] {
  return functions.length > 1 ? [functions.map((fn) => `${functionSignature(fn, 'static ')};`).join('\n')] : [];
}

/** main as libbpf-bootstrap writes it: arguments, libbpf's messages, signals, load, run, one cleanup path. */
function mainFunction(main: IrFunction | null, options: UserspaceCOptions, logs: boolean): string {
  const run = main
    ? [
        '    /* Run the userspace main of the .ks */',
        `    ret = user_main(${main.params.map((p, i) => (i === 0 ? `(${cType(p.type)})argc` : `(${cType(p.type)})(unsigned long)argv`)).join(', ')});`,
      ]
    : [
        `    printf("${options.name}: programs loaded; press Ctrl-C to unload\\n");`,
        '    fflush(stdout);',
        '    /* Signals stay blocked except inside sigsuspend, so none is lost between the test and the wait. */',
        '    sigset_t stop_signals, unblocked;',
        '    sigemptyset(&stop_signals);',
        '    sigaddset(&stop_signals, SIGINT);',
        '    sigaddset(&stop_signals, SIGTERM);',
        '    sigprocmask(SIG_BLOCK, &stop_signals, &unblocked);',
        '    while (!exiting)',
        '        sigsuspend(&unblocked);',
        '    ret = 0;',
      ];
  return [
    'int main(int argc, char **argv)',
    '{',
    '    int ret = 1;',
    '',
    '    /* Line-buffered even into a pipe, so whoever reads the reports sees each line as it is printed. */',
    '    setvbuf(stdout, NULL, _IOLBF, 0);',
    '',
    '    /* Parse command line arguments */',
    '    if (parse_arguments(&argc, argv) != 0)',
    '        return 2;',
    '',
    '    /* Set up libbpf errors and debug info callback */',
    '    libbpf_set_print(print_libbpf_message);',
    '',
    '    /* Cleaner handling of Ctrl-C */',
    '    struct sigaction action = { .sa_handler = handle_signal };',
    '    sigaction(SIGINT, &action, NULL);',
    '    sigaction(SIGTERM, &action, NULL);',
    '',
    '    /* Open, configure, load and verify the BPF object */',
    '    if (load_all_bpf_programs() != 0) {',
    '        fprintf(stderr, "Failed to load BPF programs\\n");',
    '        goto cleanup;',
    '    }',
    '',
    '    /* Find the maps, fill the tail-call table, set up ring buffer polling */',
    '    if (setup_maps() != 0) {',
    '        fprintf(stderr, "Failed to setup maps\\n");',
    '        goto cleanup;',
    '    }',
    '',
    ...(logs
      ? [
          "    /* Print the kernel's print() lines as they arrive */",
          '    if (start_log_reader() != 0) {',
          '        fprintf(stderr, "Failed to start reading the kernel log\\n");',
          '        goto cleanup;',
          '    }',
          '',
        ]
      : []),
    ...run,
    '',
    'cleanup:',
    '    cleanup();',
    '    return ret;',
    '}',
  ].join('\n');
}
