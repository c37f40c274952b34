// What a `.ks` import exports besides the fixed members: the structs and enums
// its maps and config use, under names that cannot clash with the fixed ones.
// The JS module (enum objects) and the declaration file (interfaces, unions)
// both name types through this, so they always agree.
import type { SystemMetadata, TypeDescriptor } from '../../metadata.js';

export type StructDescriptor = Extract<TypeDescriptor, { kind: 'struct' }>;
export type EnumDescriptor = Extract<TypeDescriptor, { kind: 'enum' }>;

/** Value exports every `.ks` module has (plus `default`). */
export const SYSTEM_EXPORTS = ['metadata', 'programs', 'maps', 'config', 'analysis', 'object', 'objectSha256'] as const;
/** Types every declaration file declares itself. */
const SYSTEM_TYPES = ['Maps', 'Config', 'Programs', 'AttachTargets'] as const;

export interface ModuleSurface {
  /** Exported name → struct, in first-use order (maps, then config). */
  structs: Map<string, StructDescriptor>;
  enums: Map<string, EnumDescriptor>;
  /** The exported name of a struct or enum. */
  exportName(type: StructDescriptor | EnumDescriptor): string;
}

export function moduleSurface(metadata: SystemMetadata): ModuleSurface {
  const taken = new Set<string>([...SYSTEM_EXPORTS, ...SYSTEM_TYPES, 'default']);
  const names = new Map<string, string>();
  const structs = new Map<string, StructDescriptor>();
  const enums = new Map<string, EnumDescriptor>();

  const name = (sourceName: string): string => {
    let exported = sourceName;
    while (taken.has(exported)) exported += '_';
    taken.add(exported);
    names.set(sourceName, exported);
    return exported;
  };
  const visit = (type: TypeDescriptor): void => {
    if (type.kind === 'array') visit(type.element);
    if ((type.kind === 'struct' || type.kind === 'enum') && !names.has(type.name)) {
      const exported = name(type.name);
      if (type.kind === 'enum') enums.set(exported, type);
      else {
        structs.set(exported, type);
        for (const field of type.fields) visit(field.type);
      }
    }
  };
  for (const map of Object.values(metadata.maps)) {
    if (map.key) visit(map.key);
    visit(map.value);
  }
  for (const entry of Object.values(metadata.config)) visit(entry.type);

  return { structs, enums, exportName: (type) => names.get(type.name)! };
}
