// Semantic types shared by every phase after parsing, with their C layout.
import type { IntName, TypeDescriptor } from '../../metadata.js';

export interface IntType {
  kind: 'int';
  name: IntName;
  size: 1 | 2 | 4 | 8;
  signed: boolean;
}

export interface StructField {
  name: string;
  type: Type;
  offset: number;
  /**
   * Built-in header structs: the C place of the field, given its plain C place
   * (`ip6->saddr`), where the kernel's C type differs from the language's
   * (an IPv6 address is `[u8; 16]`, C has a `struct in6_addr`).
   */
  cPlace?: (place: string) => string;
}

export interface StructType {
  kind: 'struct';
  name: string;
  fields: StructField[];
  size: number;
  align: number;
  /** C spelling, e.g. `struct Flow` or `struct ethhdr` for built-in header types. */
  cName: string;
}

export interface EnumType {
  kind: 'enum';
  name: string;
  values: Map<string, bigint>;
  underlying: IntType;
}

/**
 * A struct or union of the kernel, from its BTF (LANGUAGE.md §13): reached
 * behind a `kernel_pointer` and read field by field with CO-RE reads, never
 * held as a whole value.
 */
export interface KernelStructType {
  kind: 'kernel_struct';
  /** The C name (`task_struct`); for an anonymous one, where it sits (`an anonymous union in sock_common`). */
  name: string;
  btfId: number;
  union: boolean;
  size: number;
  /** The C spelling of the generated declaration (`struct task_struct___ks`); empty for anonymous types. */
  cName: string;
}

export type Type =
  | IntType
  | { kind: 'bool' }
  | { kind: 'char' }
  | { kind: 'void' }
  | { kind: 'array'; element: Type; length: number }
  | StructType
  | EnumType
  /** Nullable pointer: packet views and map element references. */
  | { kind: 'pointer'; target: Type }
  /** A program context (a row of CONTEXTS, language/context-members.ts). */
  | { kind: 'context'; name: string }
  /** `XdpAction` / `TcAction`: integers with named constants. */
  | { kind: 'action'; name: 'XdpAction' | 'TcAction' }
  | { kind: 'null' }
  | { kind: 'string' }
  | KernelStructType
  /** `*task_struct`: a pointer into kernel memory. Reads through it are CO-RE reads that yield zero when it is null or invalid; it is never written through. */
  | { kind: 'kernel_pointer'; target: KernelStructType };

const int = (name: IntName, size: IntType['size'], signed: boolean): IntType => ({ kind: 'int', name, size, signed });

export const INT_TYPES: Record<IntName, IntType> = {
  u8: int('u8', 1, false),
  u16: int('u16', 2, false),
  u32: int('u32', 4, false),
  u64: int('u64', 8, false),
  i8: int('i8', 1, true),
  i16: int('i16', 2, true),
  i32: int('i32', 4, true),
  i64: int('i64', 8, true),
};

export const BOOL: Type = { kind: 'bool' };
export const CHAR: Type = { kind: 'char' };
export const VOID: Type = { kind: 'void' };
export const NULL: Type = { kind: 'null' };
export const STRING: Type = { kind: 'string' };

export function isIntegerLike(type: Type): type is IntType | EnumType | { kind: 'char' } | { kind: 'action'; name: 'XdpAction' | 'TcAction' } {
  return type.kind === 'int' || type.kind === 'enum' || type.kind === 'char' || type.kind === 'action';
}

/** The integer type arithmetic on a value of `type` happens in. */
export function integerView(type: Type): IntType | null {
  switch (type.kind) {
    case 'int':
      return type;
    case 'enum':
      return type.underlying;
    case 'char':
      return INT_TYPES.u8;
    case 'action':
      return INT_TYPES.i32;
    case 'bool':
      return INT_TYPES.u8;
    default:
      return null;
  }
}

/** Whether a value of this type holds a kernel pointer or struct (which only kernel code can follow). */
export function containsKernelType(type: Type): boolean {
  return type.kind === 'kernel_pointer' || type.kind === 'kernel_struct' || (type.kind === 'array' && containsKernelType(type.element));
}

/** The values of an integer type: [min, max]. */
export function intRange(type: IntType): [bigint, bigint] {
  const bits = BigInt(type.size * 8);
  return type.signed ? [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n] : [0n, (1n << bits) - 1n];
}

export function sizeOf(type: Type): number {
  switch (type.kind) {
    case 'int':
      return type.size;
    case 'bool':
    case 'char':
      return 1;
    case 'enum':
      return type.underlying.size;
    case 'array':
      return sizeOf(type.element) * type.length;
    case 'struct':
      return type.size;
    case 'pointer':
    case 'context':
    case 'kernel_pointer':
      return 8;
    case 'action':
      return 4;
    case 'kernel_struct':
      return type.size;
    default:
      return 0;
  }
}

export function alignOf(type: Type): number {
  switch (type.kind) {
    case 'array':
      return alignOf(type.element);
    case 'struct':
      return type.align;
    default:
      return Math.max(1, sizeOf(type));
  }
}

/** C layout with natural alignment, as clang lays the struct out. */
export function layoutStruct(name: string, cName: string, fields: { name: string; type: Type }[]): StructType {
  let offset = 0;
  let align = 1;
  const laidOut = fields.map((field) => {
    const fieldAlign = alignOf(field.type);
    align = Math.max(align, fieldAlign);
    offset = roundUp(offset, fieldAlign);
    const placed = { name: field.name, type: field.type, offset };
    offset += sizeOf(field.type);
    return placed;
  });
  return { kind: 'struct', name, cName, fields: laidOut, size: roundUp(offset, align), align };
}

export function roundUp(value: number, to: number): number {
  return Math.ceil(value / to) * to;
}

export function typeName(type: Type): string {
  switch (type.kind) {
    case 'int':
      return type.name;
    case 'array':
      return `[${typeName(type.element)}; ${type.length}]`;
    case 'struct':
    case 'enum':
      return type.name;
    case 'pointer':
    case 'kernel_pointer':
      return `*${typeName(type.target)}`;
    case 'context':
    case 'action':
    case 'kernel_struct':
      return type.name;
    default:
      return type.kind;
  }
}

export function sameType(a: Type, b: Type): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'int':
      return a.name === (b as IntType).name;
    case 'array':
      return a.length === (b as typeof a).length && sameType(a.element, (b as typeof a).element);
    case 'struct':
    case 'enum':
    case 'action':
    case 'context':
      return a.name === (b as typeof a).name;
    case 'pointer':
      return sameType(a.target, (b as typeof a).target);
    case 'kernel_struct':
      return a.btfId === (b as typeof a).btfId;
    case 'kernel_pointer':
      return a.target.btfId === (b as typeof a).target.btfId;
    default:
      return true;
  }
}

/** The descriptor the JS module and runtime use to encode values of `type`. */
export function describeType(type: Type): TypeDescriptor {
  switch (type.kind) {
    case 'int':
      return { kind: 'int', name: type.name, size: type.size, signed: type.signed };
    case 'bool':
      return { kind: 'bool', size: 1 };
    case 'char':
      return { kind: 'char', size: 1 };
    case 'enum':
      return {
        kind: 'enum',
        name: type.name,
        size: type.underlying.size === 8 ? 8 : 4,
        signed: false,
        values: Object.fromEntries([...type.values].map(([k, v]) => [k, Number(v)])),
      };
    case 'array':
      return { kind: 'array', element: describeType(type.element), length: type.length, size: sizeOf(type), align: alignOf(type) };
    case 'struct':
      return {
        kind: 'struct',
        name: type.name,
        size: type.size,
        align: type.align,
        fields: type.fields.map((f) => ({ name: f.name, offset: f.offset, type: describeType(f.type) })),
      };
    case 'action':
      return { kind: 'int', name: 'i32', size: 4, signed: true };
    default:
      throw new Error(`type ${typeName(type)} has no value layout`);
  }
}
