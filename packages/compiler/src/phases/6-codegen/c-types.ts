// Spelling KernelScript types in C (both the BPF and the userspace side use the
// kernel's fixed-width `__u32`-style names from <linux/types.h>).
import { CONTEXTS } from '../../language/context-members.js';
import type { Type } from '../2-symbols/types.js';

/** `T name`, with C's declarator syntax for arrays and pointers. */
export function declaration(type: Type, name: string): string {
  switch (type.kind) {
    case 'array':
      return declaration(type.element, `${name}[${type.length}]`);
    case 'pointer':
      return declaration(type.target, type.target.kind === 'array' ? `(*${name})` : `*${name}`);
    case 'context':
      return `${CONTEXTS[type.name]!.cType} *${name}`;
    case 'kernel_pointer':
      return `${type.target.cName} *${name}`;
    default:
      return `${cType(type)} ${name}`;
  }
}

/** The C spelling of a non-array type. */
export function cType(type: Type): string {
  switch (type.kind) {
    case 'int':
      return `__${type.signed ? 's' : 'u'}${type.size * 8}`;
    case 'bool':
      return 'bool';
    case 'char':
      return 'char';
    case 'void':
      return 'void';
    case 'struct':
      return type.cName;
    case 'enum':
      return `enum ${type.name}`;
    case 'pointer':
      return `${cType(type.target)} *`;
    case 'context':
      return `${CONTEXTS[type.name]!.cType} *`;
    case 'action':
      return 'int';
    case 'array':
      return `${cType(type.element)} *`;
    case 'kernel_pointer':
      return `${type.target.cName} *`;
    default:
      throw new Error(`no C type for ${type.kind}`);
  }
}

/** The zero value as a C initializer. */
export function zeroInitializer(type: Type): string {
  switch (type.kind) {
    case 'struct':
    case 'array':
      return '{}';
    case 'bool':
      return 'false';
    case 'pointer':
    case 'kernel_pointer':
      return 'NULL';
    default:
      return '0';
  }
}

/** A C string literal. */
export function cString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.charCodeAt(0);
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || code > 0x7e) out += `\\x${code.toString(16).padStart(2, '0')}"${'"'}`;
    else out += ch;
  }
  return `${out}"`;
}
