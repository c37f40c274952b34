// Converts JS values to and from the raw bytes the kernel stores, following a
// TypeDescriptor's C layout. Integers are host order (little-endian on every
// machine this targets); 64-bit integers are bigints so no value loses bits.
// Encoding validates everything first, so a wrong value is a TypeError before
// any syscall.
import { endianness } from 'node:os';
import type { TypeDescriptor } from './metadata.js';

if (endianness() !== 'LE') throw new Error('@kernelscript/runtime supports little-endian hosts only');

/** The JS form of a decoded kernel value. */
export type KernelValue = number | bigint | boolean | string | KernelValue[] | { [field: string]: KernelValue };

/** Encodes `value` into a new zero-filled buffer of the type's size (padding stays zero). */
export function encode(type: TypeDescriptor, value: unknown, path: string): Buffer {
  const buffer = Buffer.alloc(type.size);
  encodeInto(type, value, buffer, 0, path);
  return buffer;
}

/** Encodes `value` at `offset` of `buffer`; `path` names the value in error messages. */
export function encodeInto(type: TypeDescriptor, value: unknown, buffer: Buffer, offset: number, path: string): void {
  switch (type.kind) {
    case 'int':
      writeInt(buffer, offset, type.size, type.signed, checkInt(value, type.size, type.signed, type.name, path));
      return;
    case 'enum':
      writeInt(buffer, offset, type.size, false, checkInt(enumNumber(value, path), type.size, false, type.name, path));
      return;
    case 'bool':
      if (typeof value !== 'boolean') throw new TypeError(`${path}: expected a boolean, got ${describe(value)}`);
      buffer[offset] = value ? 1 : 0;
      return;
    case 'char':
      buffer[offset] = charCode(value, path);
      return;
    case 'array': {
      if (!Array.isArray(value) || value.length !== type.length) {
        throw new TypeError(`${path}: expected an array of ${type.length} elements, got ${describe(value)}`);
      }
      const stride = type.element.size;
      value.forEach((element, index) => encodeInto(type.element, element, buffer, offset + index * stride, `${path}[${index}]`));
      return;
    }
    case 'struct': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new TypeError(`${path}: expected a ${type.name} object, got ${describe(value)}`);
      }
      const fields = value as Record<string, unknown>;
      const known = new Set(type.fields.map((field) => field.name));
      const unknown = Object.keys(fields).filter((name) => !known.has(name));
      if (unknown.length > 0) throw new TypeError(`${path}: ${type.name} has no field ${unknown.map((n) => `'${n}'`).join(', ')}`);
      for (const field of type.fields) {
        if (!(field.name in fields)) throw new TypeError(`${path}: missing field '${field.name}' of ${type.name}`);
        encodeInto(field.type, fields[field.name], buffer, offset + field.offset, `${path}.${field.name}`);
      }
      return;
    }
  }
}

/** Decodes the value of `type` stored at `offset` of `buffer`. */
export function decode(type: TypeDescriptor, buffer: Buffer, offset = 0): KernelValue {
  switch (type.kind) {
    case 'int':
      return readInt(buffer, offset, type.size, type.signed);
    case 'enum':
      return Number(readInt(buffer, offset, type.size, false));
    case 'bool':
      return buffer[offset] !== 0;
    case 'char':
      return String.fromCharCode(buffer[offset]);
    case 'array':
      return Array.from({ length: type.length }, (_, index) => decode(type.element, buffer, offset + index * type.element.size));
    case 'struct':
      return Object.fromEntries(type.fields.map((field) => [field.name, decode(field.type, buffer, offset + field.offset)]));
  }
}

/**
 * A decoder specialised for `type` once, for hot paths (batch reads): the
 * switch over the descriptor runs at creation, not per value.
 */
export function decoder(type: TypeDescriptor): (buffer: Buffer, offset: number) => KernelValue {
  switch (type.kind) {
    case 'int':
      if (type.size === 8) return type.signed ? (b, o) => b.readBigInt64LE(o) : (b, o) => b.readBigUInt64LE(o);
      if (type.size === 4) return type.signed ? (b, o) => b.readInt32LE(o) : (b, o) => b.readUInt32LE(o);
      return (b, o) => readInt(b, o, type.size, type.signed);
    case 'struct': {
      const fields = type.fields.map((field) => ({ name: field.name, offset: field.offset, read: decoder(field.type) }));
      return (b, o) => {
        const value: Record<string, KernelValue> = {};
        for (const field of fields) value[field.name] = field.read(b, o + field.offset);
        return value;
      };
    }
    default:
      return (b, o) => decode(type, b, o);
  }
}

function checkInt(value: unknown, size: number, signed: boolean, name: string, path: string): number | bigint {
  const bits = BigInt(size * 8);
  const min = signed ? -(1n << (bits - 1n)) : 0n;
  const max = signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
  if (size === 8) {
    if (typeof value !== 'bigint') throw new TypeError(`${path}: expected a bigint for ${name}, got ${describe(value)}`);
    if (value < min || value > max) throw new TypeError(`${path}: ${value} is out of range for ${name}`);
    return value;
  }
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`${path}: expected an integer number for ${name}, got ${describe(value)}`);
  }
  if (value < Number(min) || value > Number(max)) throw new TypeError(`${path}: ${value} is out of range for ${name}`);
  return value;
}

function enumNumber(value: unknown, path: string): unknown {
  // Enums travel as their numeric value; a bigint would only fit 8-byte enums, which use numbers too.
  if (typeof value !== 'number') throw new TypeError(`${path}: expected an enum value (number), got ${describe(value)}`);
  return value;
}

function charCode(value: unknown, path: string): number {
  if (typeof value === 'string' && value.length === 1 && value.charCodeAt(0) <= 0xff) return value.charCodeAt(0);
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xff) return value;
  throw new TypeError(`${path}: expected a one-character latin1 string or a byte for char, got ${describe(value)}`);
}

function writeInt(buffer: Buffer, offset: number, size: number, signed: boolean, value: number | bigint): void {
  if (size === 8) {
    if (signed) buffer.writeBigInt64LE(value as bigint, offset);
    else buffer.writeBigUInt64LE(value as bigint, offset);
  } else if (signed) {
    buffer.writeIntLE(value as number, offset, size);
  } else {
    buffer.writeUIntLE(value as number, offset, size);
  }
}

function readInt(buffer: Buffer, offset: number, size: number, signed: boolean): number | bigint {
  if (size === 8) return signed ? buffer.readBigInt64LE(offset) : buffer.readBigUInt64LE(offset);
  return signed ? buffer.readIntLE(offset, size) : buffer.readUIntLE(offset, size);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  if (typeof value === 'number' || typeof value === 'bigint') return `${typeof value} ${value}`;
  return typeof value;
}
