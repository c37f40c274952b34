// Spelling KernelScript types in C (both the BPF and the userspace side use the
// kernel's fixed-width `__u32`-style names from <linux/types.h>).
import { CONTEXTS } from '../../language/context-members.js';
import type { Type } from '../2-symbols/types.js';
import { cIdentifier } from '../../language/c-identifiers.js';

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
      return `enum ${cIdentifier(type.name)}`;
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

const UTF8 = new TextEncoder();

/**
 * A C string literal holding `value`'s UTF-8 bytes: printable ASCII as is,
 * everything else as a three-digit octal escape (which, unlike `\x`, cannot
 * swallow the characters after it). `?` is escaped too, so no trigraph can
 * form. Every string the generated C contains goes through here.
 */
export function cString(value: string): string {
  let out = '"';
  for (const byte of UTF8.encode(value)) {
    const ch = String.fromCharCode(byte);
    if (ch === '"' || ch === '\\' || ch === '?') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (byte < 0x20 || byte > 0x7e) out += `\\${byte.toString(8).padStart(3, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * A C block comment saying `text`. Whatever the text holds (a pin path, a
 * name, an analysis message), it cannot end the comment early: a slash
 * next to a star gets a space (gcc also warns of a nested opener) and control characters are written as `\xNN`, so the comment
 * stays on the lines it was written on. Every comment that carries text
 * from the .ks file goes through here.
 */
export function cComment(text: string): string {
  const safe = text.replace(/\/(?=\*)|\*(?=\/)/g, '$& ').replace(/[\u0000-\u001f\u007f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `/* ${safe} */`;
}
