// Load-time configuration: `config { }` values live as `const volatile`
// globals in the object's `.rodata`. Before load, libbpf holds that section's
// bytes as the map's initial value; we patch the variables there (their
// offsets come from the object's BTF DATASEC) and hand the bytes back.
import koffi from 'koffi';
import { encodeInto } from './codec.js';
import { btfType, btfVarSecinfo, check, checkPointer, lib, objectMaps, type BpfMap, type BpfObject, type Btf } from './libbpf.js';
import type { ConfigMetadata } from './metadata.js';

const BTF_KIND_DATASEC = 15;
const RODATA_SECTION = '.rodata';

export type ConfigValues = Record<string, number | bigint | boolean>;

/**
 * Writes every declared config value — its default from the metadata, or the
 * override from `overrides` — into the `.rodata` initial value of an opened,
 * not yet loaded object, and returns the values written. Writing the defaults
 * too (rather than trusting the object's) keeps the metadata and the object
 * from silently disagreeing.
 */
export function applyConfig(object: BpfObject, declared: Record<string, ConfigMetadata>, overrides: ConfigValues): ConfigValues {
  if (!isPlainObject(overrides)) throw new TypeError(`config must be a plain object of values by name, got ${describeObject(overrides)}`);
  // Own keys only: `in` would take `constructor` or `toString` from Object.prototype for declared names.
  for (const name of Object.keys(overrides)) {
    if (!Object.hasOwn(declared, name)) throw new TypeError(`unknown config '${name}' (declared: ${Object.keys(declared).join(', ') || 'none'})`);
  }
  const values: ConfigValues = Object.fromEntries(
    Object.entries(declared).map(([name, config]) => [name, Object.hasOwn(overrides, name) ? overrides[name]! : config.default]),
  );
  if (Object.keys(values).length === 0) return values;

  const rodata = findRodataMap(object);
  const size = [0];
  const initial = checkPointer<bigint>(`reading ${RODATA_SECTION}`, () => lib.bpf_map__initial_value(rodata, size) as bigint | null);
  const bytes = Buffer.from(koffi.view(initial, size[0]));
  const offsets = rodataOffsets(object);
  for (const [name, value] of Object.entries(values)) {
    const config = declared[name];
    const offset = offsets.get(config.symbol);
    if (offset === undefined) throw new Error(`config '${name}': symbol '${config.symbol}' is not in the object's ${RODATA_SECTION}`);
    encodeInto(config.type, value, bytes, offset, `config '${name}'`);
  }
  check(`setting ${RODATA_SECTION}`, () => lib.bpf_map__set_initial_value(rodata, bytes, bytes.length) as number);
  return values;
}

/**
 * An object literal or a null-prototype object. Anything else — a class
 * instance, or `{ __proto__: values }`, whose values are inherited and not
 * own — would have its settings silently ignored.
 */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function describeObject(value: unknown): string {
  if (value === null || typeof value !== 'object') return value === null ? 'null' : typeof value;
  return Array.isArray(value) ? 'an array' : 'an object with a prototype of its own';
}

/** libbpf names the section's map `<object name prefix>.rodata`. */
function findRodataMap(object: BpfObject): BpfMap {
  for (const { map, name } of objectMaps(object)) if (name.endsWith(RODATA_SECTION)) return map;
  throw new Error(`the object has no ${RODATA_SECTION} section: was it compiled from this metadata?`);
}

/** Variable name → byte offset inside `.rodata`, from the BTF DATASEC libbpf finalised at open. */
function rodataOffsets(object: BpfObject): Map<string, number> {
  const btf = checkPointer<Btf>('reading the object BTF', () => lib.bpf_object__btf(object) as bigint | null);
  const datasecId = check(`finding BTF DATASEC ${RODATA_SECTION}`, () => lib.btf__find_by_name_kind(btf, RODATA_SECTION, BTF_KIND_DATASEC) as number);
  const datasec = lib.btf__type_by_id(btf, datasecId) as bigint;
  const header = koffi.decode(datasec, btfType) as { info: number };
  const variableCount = header.info & 0xffff;
  const offsets = new Map<string, number>();
  for (let index = 0; index < variableCount; index++) {
    const secinfo = koffi.decode(datasec, btfType.size + index * btfVarSecinfo.size, btfVarSecinfo) as { type: number; offset: number };
    const variable = koffi.decode(lib.btf__type_by_id(btf, secinfo.type), btfType) as { name_off: number };
    offsets.set(lib.btf__name_by_offset(btf, variable.name_off) as string, secinfo.offset);
  }
  return offsets;
}
