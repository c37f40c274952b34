// Phase 6d: the typed description of the system for the JS module and runtime.
import type { ConfigMetadata, MapMetadata, SystemMetadata, TypeDescriptor } from '../../metadata.js';
import { describeType, INT_TYPES } from '../2-symbols/types.js';
import type { IrSystem } from '../5-ir/ir.js';
import { MAP_KINDS, type MapKindInfo } from '../../language/map-kinds.js';
import { logMapMetadata, usesKernelLog } from './kernel-log.js';

export function buildMetadata(name: string, ir: IrSystem): SystemMetadata {
  return {
    name,
    programs: Object.fromEntries(
      ir.programs.map((p) => [p.name, { name: p.name, kind: p.kind.kind, attach: p.kind.attach, section: p.section, target: p.target }]),
    ),
    maps: Object.fromEntries([
      ...ir.maps.map((m): [string, MapMetadata] => [
        m.name,
        {
          name: m.name,
          objectName: m.objectName,
          ...kindMetadata(m.kind),
          key: m.key ? describeType(m.key) : null,
          value: describeType(m.value),
          maxEntries: m.maxEntries,
          pinPath: m.pinPath,
          scope: m.program ? { program: m.program } : 'global',
          flags: m.flags,
        },
      ]),
      // The ProgArray the compiler adds for tail_call: loaders find it here to fill it.
      ...(ir.tailCalls ? [[ir.tailCalls.map, tailCallMap(ir.tailCalls.map, ir.tailCalls.slots.length)] as [string, MapMetadata]] : []),
    ]),
    config: Object.fromEntries(
      ir.config.map((c) => {
        const type = describeType(c.type);
        return [c.program ? `${c.program}::${c.name}` : c.name, { name: c.name, program: c.program, symbol: c.cName, type, default: jsValue(c.defaultValue, type) }];
      }),
    ),
    tailCalls: ir.tailCalls,
    logs: usesKernelLog(ir) ? logMapMetadata() : null,
  };
}

/** A default in the runtime's JS form: bigint only for 64-bit integers, number for smaller ones and enums (as in the `.d.ts` Config type). */
function jsValue(value: bigint | boolean, type: TypeDescriptor): ConfigMetadata['default'] {
  if (typeof value === 'boolean' || (type.kind === 'int' && type.size === 8)) return value;
  return Number(value);
}

function tailCallMap(name: string, slots: number): MapMetadata {
  const u32 = describeType(INT_TYPES.u32);
  return { name, objectName: name, ...kindMetadata(MAP_KINDS.prog_array), key: u32, value: u32, maxEntries: slots, pinPath: null, scope: 'global', flags: [] };
}

/** What the runtime decides by a map's kind, from its row of the table. */
function kindMetadata(kind: MapKindInfo): Pick<MapMetadata, 'kind' | 'bpfType' | 'access' | 'perCpu' | 'isArray' | 'ifindexValues'> {
  return { kind: kind.kind, bpfType: kind.bpfType, access: kind.access, perCpu: kind.perCpu, isArray: kind.isArray, ifindexValues: kind.value === 'ifindex' };
}
