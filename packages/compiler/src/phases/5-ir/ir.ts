// The intermediate representation: statements in C-like form with every map
// operation explicit and every temporary named, so code generation is a
// straight print and the resource planner can count what the code needs.
import type * as ast from '../1-parse/ast.js';
import type { ConfigSymbol, MapSymbol, ProgramSymbol } from '../2-symbols/symbol-table.js';
import type { StructType, Type } from '../2-symbols/types.js';

export interface IrLocal {
  /** C name, unique within its function. */
  name: string;
  type: Type;
  role: 'param' | 'variable' | 'temporary';
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
  | { op: 'zero'; type: Type };

/** A step from a map element to a part of it: `m[k].flows[i].bytes` is [flows, [i], bytes]. */
export type IrPathStep = { field: string } | { index: IrExpr };

export type ContextAccess =
  | { kind: 'field'; name: string }
  | { kind: 'len' }
  | { kind: 'read'; offset: bigint }
  | { kind: 'arg'; index: number }
  | { kind: 'ret' };

interface Located {
  /** Source line, for `#line`. */
  line: number;
}

export type IrStmt = Located &
  (
    | { op: 'declare'; local: IrLocal; init: IrExpr | null }
    | { op: 'assign'; target: IrExpr; operator: ast.AssignOp; value: IrExpr }
    /** `ref = lookup(map, &key)`; ref is a pointer local, null when absent. */
    | { op: 'mapLookup'; map: MapSymbol; key: IrLocal; ref: IrLocal }
    | { op: 'mapUpdate'; map: MapSymbol; key: IrLocal; value: IrLocal; flags: 'BPF_ANY' }
    | { op: 'mapDelete'; map: MapSymbol; key: IrLocal }
    /**
     * `m[k].path op= operand`; atomic for 32/64-bit integers in the kernel. An
     * absent element is first inserted as `zero` (BPF_NOEXIST) and looked up again. With `reusesLookup`, `ref` is
     * the element an earlier update of the same map and key found (element-reuse.ts): no lookup of its own.
     */
    | { op: 'mapAtomic'; map: MapSymbol; key: IrLocal; ref: IrLocal; zero: IrLocal; path: IrPathStep[]; operator: ast.AssignOp; operand: IrExpr; reusesLookup?: boolean }
    /** `m[k].path = value` in place, inserting a zero element first when absent. */
    | { op: 'mapFieldStore'; map: MapSymbol; key: IrLocal; ref: IrLocal; zero: IrLocal; path: IrPathStep[]; value: IrExpr; reusesLookup?: boolean }
    | { op: 'ringSubmit'; map: MapSymbol; value: IrLocal; result: IrLocal | null }
    /**
     * Packet view: declares `ref`, pointing into the packet at `offset`, or null when the
     * packet is shorter. With `copy` (no direct packet access for this program
     * kind) the bytes are loaded into `copy` and `ref` points there.
     */
    | { op: 'packetView'; ref: IrLocal; offset: IrExpr; copy: IrLocal | null }
    | { op: 'if'; condition: IrExpr; then: IrStmt[]; otherwise: IrStmt[] }
    /** One source statement's expansion whose stack temporaries live only for that statement (a C block). */
    | { op: 'scope'; body: IrStmt[] }
    | { op: 'forRange'; variable: IrLocal; start: IrExpr; end: IrExpr; body: IrStmt[] }
    /** `while (1) { head...; if (!condition) break; body }` when the condition needs statements. */
    | { op: 'while'; head: IrStmt[]; condition: IrExpr; body: IrStmt[] }
    | { op: 'break' }
    | { op: 'continue' }
    | { op: 'return'; value: IrExpr | null }
    | { op: 'tailCall'; slot: number; target: string; fallback: IrExpr | null }
    | { op: 'eval'; expr: IrExpr }
    /** Userspace: `for (k, v) in m`. */
    | { op: 'iterate'; map: MapSymbol; key: IrLocal; value: IrLocal; body: IrStmt[] }
    /** Userspace: `events.poll(timeout, handler)`. */
    | { op: 'poll'; map: MapSymbol; handler: string; timeout: IrExpr; result: IrLocal | null }
  );

export interface IrFunction {
  /** Source name. */
  name: string;
  /** C name. */
  cName: string;
  side: 'kernel' | 'userspace';
  /** Set for a program's main: the program it is. */
  program: ProgramSymbol | null;
  params: IrLocal[];
  returnType: Type;
  locals: IrLocal[];
  body: IrStmt[];
  line: number;
}

export interface IrSystem {
  kernelFunctions: IrFunction[];
  userspaceFunctions: IrFunction[];
  maps: MapSymbol[];
  config: ConfigSymbol[];
  /** Types declared in the source that C needs definitions for, in dependency order. */
  structs: StructType[];
  enums: Extract<Type, { kind: 'enum' }>[];
  tailCalls: { map: string; slots: { index: number; program: string }[] } | null;
}
