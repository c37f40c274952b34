// Phase 6a: the kernel side as libbpf-style C — BTF-defined maps in `.maps`,
// one SEC() function per program, helpers inlined, `#line` back to the .ks.
import { sizeOf, type Type } from '../2-symbols/types.js';
import type { SystemAnalysis } from '../4-analyze/analysis.js';
import { typeOf, type IrFunction, type IrLocal, type IrMap, type IrStmt, type IrSystem } from '../5-ir/ir.js';
import { CFunctionWriter, functionSignature, pathType, type CTarget } from './c-function-writer.js';
import { cComment, cString, cType, declaration, zeroInitializer } from './c-types.js';
import { enumDefinition, MIN_MAX_MACROS, structDefinition } from './c-declarations.js';
import { headerComment } from './header-comment.js';
import { HEADER_C_DEFINITIONS } from '../../language/headers.js';
import { packetPointer } from '../../language/context-members.js';
import { checksumDefinitions } from './checksum-c.js';
import { PROGRAM_KINDS } from '../../language/program-kinds.js';
import { restoreLineMapping } from './line-directives.js';
import { callsIn, reachableFunctions } from '../5-ir/call-graph.js';
import { statements } from '../5-ir/ir-walk.js';
import { kernelLogDefinitions, usesKernelLog } from './kernel-log.js';

/** BPF has no atomic subtract: `-=` adds the negation. */
const ATOMIC_BUILTINS: Partial<Record<string, string>> = {
  '+=': '__sync_fetch_and_add',
  '-=': '__sync_fetch_and_add',
  '|=': '__sync_fetch_and_or',
  '&=': '__sync_fetch_and_and',
  '^=': '__sync_fetch_and_xor',
};

const kernelTarget: CTarget = {
  side: 'kernel',
  call: (name) => name,
  statement(stmt: IrStmt, writer: CFunctionWriter): boolean {
    switch (stmt.op) {
      case 'mapLookup':
        writer.emit(`${declaration(stmt.ref.type, stmt.ref.name)} = bpf_map_lookup_elem(&${stmt.map.objectName}, &${stmt.key.name});`);
        return true;
      case 'mapUpdate':
        writer.emit(`bpf_map_update_elem(&${stmt.map.objectName}, &${stmt.key.name}, &${stmt.value.name}, ${stmt.flags});`);
        return true;
      case 'mapDelete':
        writer.emit(`bpf_map_delete_elem(&${stmt.map.objectName}, &${stmt.key.name});`);
        return true;
      case 'mapElementRef':
        lookupOrInsert(writer, stmt);
        return true;
      case 'mapAtomic':
      case 'mapFieldStore': {
        const { map, ref } = stmt;
        const place = writer.elementPlace(ref.name, stmt.path);
        const address = stmt.path.length > 0 ? `&${place}` : ref.name;
        // An earlier update of this element found it: `ref` is that pointer (element-reuse.ts).
        if (!stmt.reusesLookup) lookupOrInsert(writer, stmt);
        // An index out of range in the path: nothing is written.
        writer.emit(`if (${[ref.name, ...writer.pathGuards(stmt.path, map.value)].join(' && ')})`);
        if (stmt.op === 'mapFieldStore') {
          // C cannot assign arrays: an array field is copied.
          writer.emit(`    ${typeOf(stmt.value).kind === 'array' ? writer.copyArray(place, stmt.value) : `${place} = ${writer.expr(stmt.value)}`};`);
        } else {
          const valueType = pathType(map.value, stmt.path);
          const builtin = ATOMIC_BUILTINS[stmt.operator];
          // BPF atomics exist for 32- and 64-bit words only.
          const atomic = builtin && (sizeOf(valueType) === 4 || sizeOf(valueType) === 8);
          const operand = stmt.operator === '-=' ? `-(${writer.expr(stmt.operand)})` : writer.expr(stmt.operand);
          writer.emit(atomic ? `    ${builtin}(${address}, ${operand});` : `    ${place} ${stmt.operator} ${writer.expr(stmt.operand)};`);
        }
        return true;
      }
      case 'ringSubmit': {
        const call = `bpf_ringbuf_output(&${stmt.map.objectName}, &${stmt.value.name}, sizeof(${stmt.value.name}), 0)`;
        writer.emit(stmt.result ? `${declaration(stmt.result.type, stmt.result.name)} = ${call};` : `${call};`);
        return true;
      }
      case 'packetView': {
        const { ref, copy } = stmt;
        const ctx = writer.contextParam().name;
        if (stmt.region === 'metadata') {
          writer.emit(`${declaration(ref.type, ref.name)} = ks_meta_view(${packetPointer(ctx, 'data_meta')}, ${packetPointer(ctx, 'data')}, sizeof(*${ref.name}));`);
          return true;
        }
        const offset = writer.expr(stmt.offset);
        if (copy) {
          writer.emit(`${declaration(copy.type, copy.name)};`);
          // Relative to the network header: an AF_PACKET socket's skb->data starts at the MAC header, an AF_INET one's does not.
          writer.emit(`${declaration(ref.type, ref.name)} = bpf_skb_load_bytes_relative(${ctx}, ${offset}, &${copy.name}, sizeof(${copy.name}), BPF_HDR_START_NET) == 0 ? &${copy.name} : NULL;`);
        } else {
          writer.emit(`${declaration(ref.type, ref.name)} = ks_packet_view(${packetPointer(ctx, 'data')}, ${packetPointer(ctx, 'data_end')}, ${offset}, sizeof(*${ref.name}));`);
        }
        return true;
      }
      case 'tailCall':
        writer.emit(`bpf_tail_call(${writer.contextParam().name}, &${stmt.table}, ${stmt.slot}); ${cComment(stmt.target)}`);
        writer.emit(`return ${stmt.fallback ? writer.expr(stmt.fallback) : '0'};`);
        return true;
      default:
        return false;
    }
  },
};

/** `ref` = the element at `key`, inserted as a zero element first when absent (not in Array maps, which hold every index). */
function lookupOrInsert(writer: CFunctionWriter, stmt: { map: IrMap; key: IrLocal; ref: IrLocal; zero: IrLocal }): void {
  const { map, key, ref, zero } = stmt;
  writer.emit(`${declaration(ref.type, ref.name)} = bpf_map_lookup_elem(&${map.objectName}, &${key.name});`);
  // Array maps hold every index: a failed lookup is an index out of range, nothing to insert.
  if (map.kind.isArray) return;
  writer.emit(`if (!${ref.name}) {`);
  writer.indent(() => {
    if (zero.role === 'constant') {
      // Read-only data, all zero bytes (padding too): no stack for a large value.
      writer.emit(`static const ${declaration(zero.type, zero.name)} = ${zeroInitializer(zero.type)};`);
    } else if (zero.type.kind === 'struct' || zero.type.kind === 'array') {
      // memset, not `= {}`: padding bytes must be zero too, or the verifier refuses to read them.
      writer.emit(`${declaration(zero.type, zero.name)};`);
      writer.emit(`__builtin_memset(&${zero.name}, 0, sizeof(${zero.name}));`);
    } else {
      writer.emit(`${declaration(zero.type, zero.name)} = 0;`);
    }
    // BPF_NOEXIST: if another CPU inserted it meanwhile, keep theirs and update it below.
    writer.emit(`bpf_map_update_elem(&${map.objectName}, &${key.name}, &${zero.name}, BPF_NOEXIST);`);
    writer.emit(`${ref.name} = bpf_map_lookup_elem(&${map.objectName}, &${key.name});`);
  });
  writer.emit('}');
}

export interface EbpfCOptions {
  filename: string;
  /** Name of the generated file, for `#line` directives that point back into it. */
  cFileName: string;
  analysis: SystemAnalysis;
  /** Emit `#line` directives (on by default). */
  lineDirectives: boolean;
}

export function generateEbpfC(ir: IrSystem, options: EbpfCOptions): string {
  const functions = calledFromPrograms(ir.kernelFunctions);
  const sections: string[] = [headerIncludes(ir, options)];
  if (ir.kernelTypes) sections.push(ir.kernelTypes.definitions().join('\n'));
  if (ir.kfuncs.length > 0) {
    sections.push(
      [
        '/* Kernel functions (kfuncs) the programs call: libbpf finds them in the kernel\'s BTF at load. */',
        ...ir.kfuncs.map((k) => `extern ${declaration(k.returns, `${k.name}(${k.params.map((p) => declaration(p.type, p.name)).join(', ') || 'void'})`)} __ksym;`),
      ].join('\n'),
    );
  }
  const headerDefinitions = usedHeaderDefinitions(functions);
  if (headerDefinitions.length > 0) sections.push(headerDefinitions.join('\n\n'));
  if (ir.enums.length > 0) sections.push(ir.enums.map(enumDefinition).join('\n\n'));
  if (ir.structs.length > 0) sections.push(ir.structs.map(structDefinition).join('\n\n'));
  const maps = ir.maps.map(mapDefinition);
  if (ir.tailCalls) maps.push(progArrayDefinition(ir.tailCalls.map, ir.tailCalls.slots.length));
  if (usesKernelLog(ir)) maps.push(kernelLogDefinitions());
  if (maps.length > 0) sections.push(maps.join('\n\n'));
  if (ir.config.length > 0) {
    sections.push(
      ['/* Load-time configuration: set by the loader before load, constant to the verifier. */', ...ir.config.map((c) => `const volatile ${declaration(c.type, c.cName)} = ${configValue(c.defaultValue)};`)].join('\n'),
    );
  }
  const prelude = preludeFor(functions);
  if (prelude) sections.push(prelude);
  const lineFile = options.lineDirectives ? options.filename : null;
  for (const fn of functions.filter((f) => !f.program)) {
    sections.push(new CFunctionWriter(fn, kernelTarget, lineFile).write(functionSignature(fn, 'static __always_inline ')));
  }
  for (const fn of functions.filter((f) => f.program)) {
    sections.push(`SEC(${cString(fn.program!.section)})\n${new CFunctionWriter(fn, kernelTarget, lineFile).write(functionSignature(fn, ''))}`);
  }
  sections.push('char LICENSE[] SEC("license") = "GPL";');
  return restoreLineMapping(`${sections.join('\n\n')}\n`, options.cFileName);
}

/** Programs and the helpers they call, directly or not: a helper nothing calls is dead code (and clang -Wall refuses it). */
function calledFromPrograms(functions: IrFunction[]): IrFunction[] {
  const byName = new Map(functions.map((fn) => [fn.cName, fn]));
  const reached = new Set(functions.filter((fn) => fn.program).flatMap((main) => reachableFunctions(main, byName)));
  return functions.filter((fn) => reached.has(fn));
}

function headerIncludes(ir: IrSystem, options: EbpfCOptions): string {
  const kinds = new Set(ir.kernelFunctions.flatMap((f) => (f.program ? [f.program.kind.kind] : [])));
  const includes = [
    '#include <linux/bpf.h>',
    '#include <linux/if_ether.h>',
    '#include <linux/in.h>',
    '#include <linux/ip.h>',
    '#include <linux/ipv6.h>',
    '#include <linux/tcp.h>',
    '#include <linux/udp.h>',
    '#include <linux/pkt_cls.h>',
    '#include <stdbool.h>',
    '#include <bpf/bpf_helpers.h>',
    '#include <bpf/bpf_endian.h>',
  ];
  for (const info of Object.values(PROGRAM_KINDS)) if (kinds.has(info.kind)) includes.push(...info.includes.filter((line) => !includes.includes(line)));
  // CO-RE reads of kernel types (LANGUAGE.md §13).
  if (ir.kernelTypes) includes.push('#include <bpf/bpf_core_read.h>');
  return [headerComment('Enhanced Multi-Program eBPF System', options.filename, options.analysis), ...includes].join('\n');
}

function mapDefinition(map: IrMap): string {
  const fields = [`    __uint(type, ${map.kind.bpfType});`, `    __uint(max_entries, ${map.maxEntries});`];
  if (map.kind.access === 'tail_calls') {
    fields.push('    __uint(key_size, sizeof(__u32));', '    __uint(value_size, sizeof(__u32));');
  } else if (map.key) {
    fields.push(`    __type(key, ${typeSpelling(map.key)});`, `    __type(value, ${typeSpelling(map.value)});`);
  }
  if (map.flags.length > 0) fields.push(`    __uint(map_flags, ${map.flags.join(' | ')});`);
  const scope = map.program ? `${cComment(`Local to program ${map.program}`)}\n` : '';
  return `${scope}struct {\n${fields.join('\n')}\n} ${map.objectName} SEC(".maps");`;
}

function progArrayDefinition(name: string, slots: number): string {
  return [
    '/* Tail-call table: filled by the loader with the programs tail_call jumps to. */',
    'struct {',
    '    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);',
    `    __uint(max_entries, ${slots});`,
    '    __uint(key_size, sizeof(__u32));',
    '    __uint(value_size, sizeof(__u32));',
    `} ${name} SEC(".maps");`,
  ].join('\n');
}

/** A type in `__type(...)`: arrays spelled as `T[N]`. */
function typeSpelling(type: Type): string {
  return type.kind === 'array' ? `${typeSpelling(type.element)}[${type.length}]` : cType(type);
}

function configValue(value: bigint | boolean): string {
  return typeof value === 'boolean' ? String(value) : value > 0xffff_ffffn ? `${value}ULL` : String(value);
}

/** Definitions of the built-in header structs the kernel functions use and no includable header defines. */
function usedHeaderDefinitions(functions: IrFunction[]): string[] {
  const used = new Set<string>();
  const visit = (type: Type): void => {
    if (type.kind === 'pointer') visit(type.target);
    else if (type.kind === 'array') visit(type.element);
    else if (type.kind === 'struct') used.add(type.cName);
  };
  for (const fn of functions) for (const local of [...fn.params, ...fn.locals]) visit(local.type);
  return [...used].sort().flatMap((cName) => HEADER_C_DEFINITIONS[cName] ?? []);
}

/** Small inline helpers, emitted only when some program uses them. */
function preludeFor(functions: IrFunction[]): string {
  const calls = new Set(functions.flatMap((f) => callsIn(f.body)));
  const views = functions.flatMap((f) => [...statements(f.body)].flatMap((s) => (s.op === 'packetView' ? [s] : [])));
  const directViews = views.some((s) => s.region === 'packet' && s.copy === null);
  const parts: string[] = [];
  if (calls.has('KS_MIN') || calls.has('KS_MAX')) parts.push(MIN_MAX_MACROS);
  if (calls.has('ks_log2')) parts.push(LOG2_FUNCTION);
  parts.push(...checksumDefinitions(calls));
  if (views.some((s) => s.region === 'metadata')) {
    parts.push(
      [
        '/* A pointer to the `size` bytes of metadata before the packet (bpf_xdp_adjust_meta), or NULL when there are fewer. */',
        'static __always_inline void *ks_meta_view(void *data_meta, void *data, __u64 size)',
        '{',
        '    if (data_meta + size > data)',
        '        return NULL;',
        '    return data_meta;',
        '}',
      ].join('\n'),
    );
  }
  if (directViews) {
    parts.push(
      [
        '/* A pointer to `size` bytes at `offset` into the packet, or NULL when the packet is shorter. */',
        'static __always_inline void *ks_packet_view(void *data, void *data_end, __u64 offset, __u64 size)',
        '{',
        '    /* Bounds a variable offset for the verifier, which tracks packet offsets up to 0xffff. */',
        '    if (offset > 0xffff - size)',
        '        return NULL;',
        '    if (data + offset + size > data_end)',
        '        return NULL;',
        '    return data + offset;',
        '}',
      ].join('\n'),
    );
  }
  return parts.join('\n\n');
}

/**
 * log2(x): the index of the highest set bit (0 for 0 and 1), the log2
 * histogram slot of x. Branch-free halving, so the verifier sees no loop.
 */
const LOG2_FUNCTION = [
  '/* log2(x): the index of the highest set bit of x (0 for 0 and 1): its log2 histogram slot. */',
  'static __always_inline __u32 ks_log2(__u64 x)',
  '{',
  '    __u32 bits = 0, shift;',
  '    shift = (x > 0xffffffffULL) << 5; x >>= shift; bits |= shift;',
  '    shift = (x > 0xffff) << 4; x >>= shift; bits |= shift;',
  '    shift = (x > 0xff) << 3; x >>= shift; bits |= shift;',
  '    shift = (x > 0xf) << 2; x >>= shift; bits |= shift;',
  '    shift = (x > 0x3) << 1; x >>= shift; bits |= shift;',
  '    return bits | (__u32)(x >> 1);',
  '}',
].join('\n');
