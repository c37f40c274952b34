// C definitions of the structs, enums and min/max the source declares, shared
// by the eBPF and the userspace file so both agree on every layout.
import type { EnumType, StructType } from '../2-symbols/types.js';
import { declaration } from './c-types.js';
import { cIdentifier } from '../../language/c-identifiers.js';

export function structDefinition(struct: StructType): string {
  return `${struct.cName} {\n${struct.fields.map((f) => `    ${declaration(f.type, f.name)};`).join('\n')}\n};`;
}

/** Enumerators are prefixed with the enum's name: C enumerators share one namespace. */
export function enumDefinition(type: EnumType): string {
  const values = [...type.values].map(([name, value]) => `    ${type.name}_${name} = ${value}${value > 0x7fff_ffffn ? 'ULL' : ''},`);
  return `enum ${cIdentifier(type.name)} {\n${values.join('\n')}\n};`;
}

/** `min`/`max` evaluate each argument once (GNU statement expressions: clang and gcc). */
export const MIN_MAX_MACROS = [
  '#define KS_MIN(a, b) ({ __auto_type _a = (a); __auto_type _b = (b); _a < _b ? _a : _b; })',
  '#define KS_MAX(a, b) ({ __auto_type _a = (a); __auto_type _b = (b); _a > _b ? _a : _b; })',
].join('\n');
