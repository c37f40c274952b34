// The intermediate representation: statements in C-like form with every map
// operation explicit and every temporary named, so code generation is a
// straight print and the resource planner can count what the code needs.
// It stands alone: maps, programs and config are described here, so code
// generation, metadata and the optimiser read only the IR.
import type * as ast from '../1-parse/ast.js';
import type { MapKindInfo } from '../../language/map-kinds.js';
import type { ProgramKindInfo } from '../../language/program-kinds.js';
import { BOOL, type KernelStructType, type StructType, type Type } from '../2-symbols/types.js';
import type { KernelTypeSet } from '../../kernel/kernel-c-types.js';

/** A map of the system, as the object file and the loaders see it. */
export interface IrMap {
  /** Source name; local maps are `program::map`. */
  name: string;
  /** The name as declared, without its program: the base of temporaries' names. */
  declName: string;
  /** Name in the object file; local maps are qualified only when two share a name. */
  objectName: string;
  kind: MapKindInfo;
  key: Type | null;
  value: Type;
  maxEntries: number;
  pinPath: string | null;
  flags: string[];
  /** Declaring program for local maps; null for global maps. */
  program: string | null;
  /** Where it is declared. */
  span: ast.Span;
}

export interface IrProgram {
  name: string;
  kind: ProgramKindInfo;
  /** `program p : kind("target")`, defaults applied. */
  target: string | null;
  section: string;
  /** The program's name in its declaration. */
  span: ast.Span;
}

/** A load-time config field: a `const volatile` global in `.rodata`. */
export interface IrConfig {
  name: string;
  /** Declaring program, or null for the global config block. */
  program: string | null;
  cName: string;
  type: Type;
  defaultValue: bigint | boolean;
  span: ast.Span;
}

/** The ProgArray the compiler adds for `tail_call`, and the program in each slot. */
export interface IrTailCalls {
  map: string;
  slots: { index: number; program: string }[];
}

export interface IrLocal {
  /** C name, unique within its function. */
  name: string;
  type: Type;
  /** `constant`: a zero value in read-only data (`static const`), never on the stack. */
  role: 'param' | 'variable' | 'temporary' | 'constant';
  /** Its address is passed to a helper (map keys and values): it lives on the stack. */
  addressTaken: boolean;
}

export type IrExpr =
  | { op: 'int'; value: bigint; type: Type }
  | { op: 'bool'; value: boolean }
  | { op: 'string'; value: string }
  | { op: 'local'; local: IrLocal }
  /** A named C constant or global: XDP_PASS, ETH_P_IP, an enum value, a config global. */
  | { op: 'symbol'; name: string; type: Type }
  | { op: 'unary'; operator: ast.UnaryOp; operand: IrExpr; type: Type }
  | { op: 'binary'; operator: ast.BinaryOp; left: IrExpr; right: IrExpr; type: Type }
  | { op: 'cast'; value: IrExpr; type: Type }
  | { op: 'call'; name: string; args: IrExpr[]; type: Type }
  | { op: 'field'; object: IrExpr; field: string; type: Type; viaPointer: boolean }
  | { op: 'index'; array: IrExpr; index: IrExpr; type: Type }
  /** The element a lookup found, or the zero value when the key was absent. */
  | { op: 'elementValue'; ref: IrLocal; path: IrPathStep[]; type: Type }
  | { op: 'isNull'; ref: IrLocal; negate: boolean }
  /** Something read from the program context (`ctx.len()`, `ctx.arg(0)`...). */
  | { op: 'context'; access: ContextAccess; type: Type }
  | { op: 'structLiteral'; type: StructType; fields: { name: string; value: IrExpr }[] }
  | { op: 'arrayLiteral'; type: Type; elements: IrExpr[] }
  /** `[value; N]`. */
  | { op: 'arrayRepeat'; type: Extract<Type, { kind: 'array' }>; value: IrExpr }
  | { op: 'zero'; type: Type }
  /** A string literal as the bytes of a `[u8; N]` (zero-padded). */
  | { op: 'stringBytes'; value: string; type: Extract<Type, { kind: 'array' }> }
  /**
   * A CO-RE read (LANGUAGE.md §13) from the kernel pointer `base` along `path`:
   * zero when a pointer on the way is null or invalid. An array-typed read is
   * only ever copied into a place (assigned, or a local's initial value).
   */
  | { op: 'kernelRead'; base: IrExpr; path: KernelStep[]; type: Type }
  /** `field_exists(p.a.b)`: whether the running kernel's `root` has that field (a CO-RE relocation, decided at load). */
  | { op: 'kernelFieldExists'; root: KernelStructType; path: KernelStep[] }
  /**
   * `bpf_probe_read_user(dst, src)` and its three siblings: copy from the address
   * `source` into `target`, as many bytes as the target holds; the helper's result.
   */
  | { op: 'probeRead'; helper: ProbeReadHelper; target: IrPlace; source: IrExpr; type: Type }
  /** `str_eq(a, "lit")` (the whole string) and `starts_with(a, "lit")` (`prefix`) on a `[u8; N]`. */
  | { op: 'stringCompare'; value: IrExpr; literal: string; prefix: boolean }
  /** `&local`: a local a helper reads and fills (bpf_fib_lookup's parameters); it lives on the stack. */
  | { op: 'addressOf'; value: Extract<IrExpr, { op: 'local' }>; type: Type }
  /** `m.redirect(key, flags)`: bpf_redirect_map through a DevMap, DevMapHash, CpuMap or XskMap. */
  | { op: 'redirectMap'; map: IrMap; key: IrExpr; flags: IrExpr; type: Type };

/** One step of a read into kernel memory: a field, an element, or following the pointer read so far. */
export type KernelStep = { field: string; bitfield: boolean } | { index: IrExpr; length: number } | { deref: true };

export type ProbeReadHelper = 'bpf_probe_read_user' | 'bpf_probe_read_kernel' | 'bpf_probe_read_user_str' | 'bpf_probe_read_kernel_str';

/**
 * Where a probe read writes: a local, a field or element of one, a map
 * element's part (`ref` from a lookup that inserted a zero element when the
 * key was absent; null when even that failed), or the tail `array[start..]` of an array.
 */
export type IrPlace =
  | { kind: 'value'; place: IrExpr }
  | { kind: 'element'; ref: IrLocal; path: IrPathStep[]; type: Type }
  | { kind: 'tail'; array: IrPlace; start: IrExpr; length: number };

/** Where a view points: into the packet data, or into the metadata XDP put before it (`ctx.meta<T>()`). */
export type PacketRegion = 'packet' | 'metadata';

/** A step from a map element to a part of it: `m[k].flows[i].bytes` is [flows, [i], bytes]. */
export type IrPathStep = { field: string } | { index: IrExpr };

export type ContextAccess =
  | { kind: 'field'; name: string }
  | { kind: 'len' }
  | { kind: 'read'; offset: bigint }
  | { kind: 'arg'; index: number }
  | { kind: 'ret' }
  /** `ctx.args.NAME` of a typed probe: parameter `index` of the probed function, as its BTF type. */
  | { kind: 'probeArg'; index: number }
  /** Typed `ctx.ret()`: the probed function's result; `params` is its parameter count (fexit finds the result after them). */
  | { kind: 'probeRet'; params: number }
  /** The address of a tracepoint record's `__data_loc` data: the u32 at `offset` holds its offset (low 16 bits), from the record start or, `relative`, from the end of the field. */
  | { kind: 'dataLocation'; offset: number; relative: boolean }
  /** The end of the packet data as a pointer (what a helper bounds its reads of a view by). */
  | { kind: 'packetEnd' };

interface Located {
  /** Source line, for `#line`. */
  line: number;
}

export type IrStmt = Located &
  (
    | { op: 'declare'; local: IrLocal; init: IrExpr | null }
    | { op: 'assign'; target: IrExpr; operator: ast.AssignOp; value: IrExpr }
    /** `ref = lookup(map, &key)`; ref is a pointer local, null when absent. */
    | { op: 'mapLookup'; map: IrMap; key: IrLocal; ref: IrLocal }
    | { op: 'mapUpdate'; map: IrMap; key: IrLocal; value: IrLocal; flags: 'BPF_ANY' }
    | { op: 'mapDelete'; map: IrMap; key: IrLocal }
    /**
     * `m[k].path op= operand`; atomic for 32/64-bit integers in the kernel. An
     * absent element is first inserted as `zero` (BPF_NOEXIST) and looked up again. With `reusesLookup`, `ref` is
     * the element an earlier update of the same map and key found (element-reuse.ts): no lookup of its own.
     */
    | { op: 'mapAtomic'; map: IrMap; key: IrLocal; ref: IrLocal; zero: IrLocal; path: IrPathStep[]; operator: ast.AssignOp; operand: IrExpr; reusesLookup?: boolean }
    /** `m[k].path = value` in place, inserting a zero element first when absent. */
    | { op: 'mapFieldStore'; map: IrMap; key: IrLocal; ref: IrLocal; zero: IrLocal; path: IrPathStep[]; value: IrExpr; reusesLookup?: boolean }
    | { op: 'ringSubmit'; map: IrMap; value: IrLocal; result: IrLocal | null }
    /**
     * `ref` = the element of `map` at `key`, inserted as `zero` first when absent
     * (BPF_NOEXIST), for a helper that writes into it in place.
     */
    | { op: 'mapElementRef'; map: IrMap; key: IrLocal; ref: IrLocal; zero: IrLocal }
    /**
     * Packet view: declares `ref`, pointing into the packet at `offset`, or null when the
     * packet is shorter. With `copy` (no direct packet access for this program
     * kind) the bytes are loaded into `copy` and `ref` points there.
     */
    | { op: 'packetView'; ref: IrLocal; offset: IrExpr; copy: IrLocal | null; region: PacketRegion }
    | { op: 'if'; condition: IrExpr; then: IrStmt[]; otherwise: IrStmt[] }
    /** One source statement's expansion whose stack temporaries live only for that statement (a C block). */
    | { op: 'scope'; body: IrStmt[] }
    | { op: 'forRange'; variable: IrLocal; start: IrExpr; end: IrExpr; body: IrStmt[] }
    /** `while (1) { head...; if (!condition) break; body }` when the condition needs statements. */
    | { op: 'while'; head: IrStmt[]; condition: IrExpr; body: IrStmt[] }
    | { op: 'break' }
    | { op: 'continue' }
    | { op: 'return'; value: IrExpr | null }
    /** `bpf_tail_call` through the tail-call table `table`. */
    | { op: 'tailCall'; table: string; slot: number; target: string; fallback: IrExpr | null }
    | { op: 'eval'; expr: IrExpr }
    /** Userspace: `for (k, v) in m`. */
    | { op: 'iterate'; map: IrMap; key: IrLocal; value: IrLocal; body: IrStmt[] }
    /** Userspace: `events.poll(timeout, handler)`. */
    | { op: 'poll'; map: IrMap; handler: string; timeout: IrExpr; result: IrLocal | null }
  );

export interface IrFunction {
  /** Source name. */
  name: string;
  /** C name. */
  cName: string;
  side: 'kernel' | 'userspace';
  /** Set for a program's main: the program it is. */
  program: IrProgram | null;
  params: IrLocal[];
  returnType: Type;
  locals: IrLocal[];
  body: IrStmt[];
  line: number;
}

export interface IrSystem {
  programs: IrProgram[];
  kernelFunctions: IrFunction[];
  userspaceFunctions: IrFunction[];
  /** Every map declared in the source, global and local, in declaration order (not the tail-call table). */
  maps: IrMap[];
  config: IrConfig[];
  /** Types declared in the source that C needs definitions for, in dependency order. */
  structs: StructType[];
  /** The kernel types the programs read (their C declarations, CO-RE); null when they read none. */
  kernelTypes: KernelTypeSet | null;
  /** `extern fn` kfuncs, declared `__ksym` in the C (libbpf finds them in the kernel's BTF at load). */
  kfuncs: { name: string; params: { name: string; type: Type }[]; returns: Type }[];
  enums: Extract<Type, { kind: 'enum' }>[];
  tailCalls: IrTailCalls | null;
}

/** The type of an IR expression. */
export function typeOf(expr: IrExpr): Type {
  switch (expr.op) {
    case 'bool':
    case 'isNull':
    case 'kernelFieldExists':
    case 'stringCompare':
      return BOOL;
    case 'string':
      return { kind: 'string' };
    case 'local':
      return expr.local.type;
    default:
      return expr.type;
  }
}

/** The type of what a place holds. */
export function placeType(place: IrPlace): Type {
  switch (place.kind) {
    case 'value':
      return typeOf(place.place);
    case 'element':
      return place.type;
    case 'tail': {
      const array = placeType(place.array) as Extract<Type, { kind: 'array' }>;
      return { kind: 'array', element: array.element, length: place.length };
    }
  }
}
