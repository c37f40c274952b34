// A reader of raw BTF (the format of /sys/kernel/btf/vmlinux): header and
// sections checked up front, the type section walked once on first use to find
// where each type starts and to index the names of named types, and each type
// decoded only when asked for. A vmlinux BTF holds ~130,000 types; a program
// uses a few dozen of them.
import {
  BTF_HEADER_SIZE,
  BTF_INT_BOOL,
  BTF_INT_CHAR,
  BTF_INT_SIGNED,
  BTF_KIND_NUMBER,
  BTF_KINDS,
  BTF_MAGIC,
  BTF_TYPE_HEADER_WORDS,
  KIND_FIXED_WORDS,
  KIND_NAME_GROUP,
  KIND_WORDS_PER_ENTRY,
  infoKind,
  infoKindFlag,
  infoVlen,
  type BtfNameGroup,
} from './btf-kinds.js';
import type { BtfKind, BtfLinkage, BtfType, BtfTypeId, BtfTypeOf } from './btf-types.js';

/** Raw bytes that are not BTF, or BTF that contradicts itself. */
export class BtfError extends Error {
  override name = 'BtfError';
}

/** The raw kinds each decoded kind comes from (ENUM64 decodes as `enum`). */
const RAW_KINDS: Record<BtfKind, number[]> = {
  void: [],
  int: [BTF_KIND_NUMBER.int],
  ptr: [BTF_KIND_NUMBER.ptr],
  array: [BTF_KIND_NUMBER.array],
  struct: [BTF_KIND_NUMBER.struct],
  union: [BTF_KIND_NUMBER.union],
  enum: [BTF_KIND_NUMBER.enum, BTF_KIND_NUMBER.enum64],
  fwd: [BTF_KIND_NUMBER.fwd],
  typedef: [BTF_KIND_NUMBER.typedef],
  volatile: [BTF_KIND_NUMBER.volatile],
  const: [BTF_KIND_NUMBER.const],
  restrict: [BTF_KIND_NUMBER.restrict],
  func: [BTF_KIND_NUMBER.func],
  func_proto: [BTF_KIND_NUMBER.func_proto],
  var: [BTF_KIND_NUMBER.var],
  datasec: [BTF_KIND_NUMBER.datasec],
  float: [BTF_KIND_NUMBER.float],
  decl_tag: [BTF_KIND_NUMBER.decl_tag],
  type_tag: [BTF_KIND_NUMBER.type_tag],
};

const ALL_KINDS = Object.keys(RAW_KINDS) as BtfKind[];
const LINKAGES: readonly BtfLinkage[] = ['static', 'global', 'extern'];
const MODIFIERS = new Set<BtfKind>(['typedef', 'volatile', 'const', 'restrict', 'type_tag']);
const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** What one walk over the type section learns. */
interface TypeOffsets {
  /** Word offset of type id i's record, for i = 1..count ([0] is void's, unused). */
  offsets: Uint32Array;
  count: number;
  /** The ids of the named types of each name group, in id order. */
  named: Record<BtfNameGroup, Int32Array>;
}

export class Btf {
  /** The type section as 32-bit words in host order (every field of it is one). */
  private readonly words: Uint32Array;
  /** The string section. */
  private readonly strings: Uint8Array;
  private index: TypeOffsets | null = null;
  /** Name lookups already answered: `group:name` → every id of that group with that name. */
  private readonly lookups = new Map<string, BtfTypeId[]>();
  private readonly decoded = new Map<BtfTypeId, BtfType>();
  private readonly decodedStrings = new Map<number, string>();

  private constructor(words: Uint32Array, strings: Uint8Array) {
    this.words = words;
    this.strings = strings;
  }

  /** Checks the header and the section bounds; the types are read on first use. */
  static parse(bytes: Uint8Array): Btf {
    if (bytes.byteLength < BTF_HEADER_SIZE) throw new BtfError(`not BTF: ${bytes.byteLength} bytes, shorter than the ${BTF_HEADER_SIZE}-byte header`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const little = view.getUint16(0, true) === BTF_MAGIC;
    if (!little && view.getUint16(0, false) !== BTF_MAGIC) {
      throw new BtfError(`not BTF: magic 0x${view.getUint16(0, true).toString(16).padStart(4, '0')}, expected 0x${BTF_MAGIC.toString(16)}`);
    }
    const version = view.getUint8(2);
    if (version !== 1) throw new BtfError(`unsupported BTF version ${version} (this reader knows version 1)`);
    const u32 = (at: number) => view.getUint32(at, little);
    const headerLength = u32(4);
    const [typeOffset, typeLength, stringOffset, stringLength] = [u32(8), u32(12), u32(16), u32(20)];
    if (headerLength < BTF_HEADER_SIZE || headerLength > bytes.byteLength) throw new BtfError(`bad BTF header length ${headerLength}`);
    const section = (what: string, offset: number, length: number) => {
      const start = headerLength + offset;
      if (start + length > bytes.byteLength) throw new BtfError(`BTF ${what} section (${length} bytes at ${start}) runs past the end of the data (${bytes.byteLength} bytes)`);
      return bytes.subarray(start, start + length);
    };
    const types = section('type', typeOffset, typeLength);
    const strings = section('string', stringOffset, stringLength);
    if (typeLength % 4 !== 0) throw new BtfError(`BTF type section length ${typeLength} is not a multiple of 4`);
    if (stringLength === 0 || strings[0] !== 0) throw new BtfError('BTF string section does not start with the empty string');
    return new Btf(hostWords(types, little), strings);
  }

  /** How many types there are, void (id 0) not counted. */
  get typeCount(): number {
    return this.typeIndex().count;
  }

  /** The type with this id (0 is void). */
  type(id: BtfTypeId): BtfType {
    const cached = this.decoded.get(id);
    if (cached) return cached;
    const type = this.decode(id);
    this.decoded.set(id, type);
    return type;
  }

  /** The type with this id, which must be of kind `kind`. */
  typeOf<K extends BtfKind>(id: BtfTypeId, kind: K): BtfTypeOf<K> {
    const type = this.type(id);
    if (type.kind !== kind) throw new BtfError(`BTF type ${id} is ${type.kind}, expected ${kind}`);
    return type as BtfTypeOf<K>;
  }

  /**
   * Every type named `name`, of one of `kinds` when given, in id order. A
   * lookup compares the name against the named types of its group — a
   * program names a handful of kernel types, so that is cheaper than hashing
   * every name up front — and is remembered, so a warm compile costs nothing.
   */
  find(name: string, kinds?: readonly BtfKind[]): BtfType[] {
    const rawKinds = (kinds ?? ALL_KINDS).flatMap((k) => RAW_KINDS[k]);
    const groups = new Set(rawKinds.map((k) => BTF_KINDS[k]!.names).filter((g) => g !== null));
    const ids = [...groups].flatMap((group) => this.idsNamed(name, group));
    return ids
      .filter((id) => rawKinds.includes(infoKind(this.words[this.typeIndex().offsets[id]! + 1]!)))
      .sort((a, b) => a - b)
      .map((id) => this.type(id));
  }

  /** The first type named `name` of kind `kind`, or null. */
  findOne<K extends BtfKind>(name: string, kind: K): BtfTypeOf<K> | null {
    return (this.find(name, [kind])[0] as BtfTypeOf<K> | undefined) ?? null;
  }

  /** The type behind typedefs and qualifiers (const, volatile, restrict, type tags). */
  resolve(id: BtfTypeId): BtfType {
    let type = this.type(id);
    for (let steps = 0; MODIFIERS.has(type.kind); steps++) {
      if (steps > this.typeCount) throw new BtfError(`BTF type ${id}: typedef/qualifier chain loops`);
      type = this.type((type as BtfTypeOf<'typedef'>).target);
    }
    return type;
  }

  /** Bytes a value of the type takes (0 for void, functions and forward declarations). */
  sizeOf(id: BtfTypeId): number {
    const type = this.resolve(id);
    switch (type.kind) {
      case 'int':
      case 'struct':
      case 'union':
      case 'enum':
      case 'float':
      case 'datasec':
        return type.size;
      case 'ptr':
        return 8;
      case 'array': {
        // Arrays of arrays multiply out; a chain longer than the type count is a loop.
        let length = type.length;
        let element = this.resolve(type.element);
        for (let steps = 0; element.kind === 'array'; steps++) {
          if (steps > this.typeCount) throw new BtfError(`BTF type ${id}: array element chain loops`);
          length *= element.length;
          element = this.resolve(element.element);
        }
        return length * this.sizeOf(element.id);
      }
      default:
        return 0;
    }
  }

  /** The names of all types of the given kinds (for "did you mean" suggestions; decodes every name). */
  *names(kinds: readonly BtfKind[]): Iterable<string> {
    const { offsets, named } = this.typeIndex();
    const rawKinds = kinds.flatMap((k) => RAW_KINDS[k]);
    for (const group of new Set(rawKinds.map((k) => BTF_KINDS[k]!.names))) {
      if (group === null) continue;
      for (const id of named[group]) {
        const at = offsets[id]!;
        if (rawKinds.includes(infoKind(this.words[at + 1]!))) yield this.string(this.words[at]!);
      }
    }
  }

  /** Byte offset of type `id`'s record within the type section (for tools that patch BTF). */
  recordOffset(id: BtfTypeId): number {
    const index = this.typeIndex();
    if (!Number.isInteger(id) || id < 1 || id > index.count) throw new BtfError(`BTF type id ${id} out of range 1..${index.count}`);
    return index.offsets[id]! * 4;
  }

  /** The string at `offset` of the string section. */
  string(offset: number): string {
    const cached = this.decodedStrings.get(offset);
    if (cached !== undefined) return cached;
    if (offset >= this.strings.length) throw new BtfError(`BTF string offset ${offset} is past the string section (${this.strings.length} bytes)`);
    const end = this.strings.indexOf(0, offset);
    if (end < 0) throw new BtfError(`BTF string at ${offset} is not terminated`);
    let text = '';
    for (let i = offset; i < end; i++) text += String.fromCharCode(this.strings[i]!);
    this.decodedStrings.set(offset, text);
    return text;
  }

  private typeIndex(): TypeOffsets {
    return (this.index ??= walkTypes(this.words));
  }

  private idsNamed(name: string, group: BtfNameGroup): BtfTypeId[] {
    const key = `${group}:${name}`;
    let ids = this.lookups.get(key);
    if (ids === undefined) {
      const target = asciiBytes(name);
      ids = target === null || target.length === 0 ? [] : this.scanNames(target, group);
      this.lookups.set(key, ids);
    }
    return ids;
  }

  private scanNames(target: Uint8Array, group: BtfNameGroup): BtfTypeId[] {
    const { offsets, named } = this.typeIndex();
    const candidates = named[group];
    const { words, strings } = this;
    const first = target[0]!;
    const found: BtfTypeId[] = [];
    for (let i = 0; i < candidates.length; i++) {
      const id = candidates[i]!;
      const nameOffset = words[offsets[id]!]!;
      if (strings[nameOffset] === first && this.nameEquals(nameOffset, target)) found.push(id);
    }
    return found;
  }

  private decode(id: BtfTypeId): BtfType {
    if (id === 0) return { kind: 'void', id: 0, name: '' };
    const index = this.typeIndex();
    if (!Number.isInteger(id) || id < 0 || id > index.count) throw new BtfError(`BTF type id ${id} out of range 0..${index.count}`);
    const w = this.words;
    const at = index.offsets[id]!;
    const info = w[at + 1]!;
    const sizeOrType = w[at + 2]!;
    const vlen = infoVlen(info);
    const kindFlag = infoKindFlag(info);
    const name = this.string(w[at]!);
    const data = at + BTF_TYPE_HEADER_WORDS;
    const entries = <T>(wordsPer: number, read: (entry: number) => T): T[] => Array.from({ length: vlen }, (_, i) => read(data + i * wordsPer));
    const kind = BTF_KINDS[infoKind(info)]!.name;
    switch (kind) {
      case 'int': {
        const encoding = w[data]!;
        const flags = (encoding >>> 24) & 0xf;
        return {
          kind: 'int',
          id,
          name,
          size: sizeOrType,
          signed: (flags & BTF_INT_SIGNED) !== 0,
          char: (flags & BTF_INT_CHAR) !== 0,
          bool: (flags & BTF_INT_BOOL) !== 0,
          bits: encoding & 0xff,
          bitOffset: (encoding >>> 16) & 0xff,
        };
      }
      case 'ptr':
        return { kind: 'ptr', id, name, target: sizeOrType };
      case 'array':
        return { kind: 'array', id, name, element: w[data]!, indexType: w[data + 1]!, length: w[data + 2]! };
      case 'struct':
      case 'union':
        return {
          kind,
          id,
          name,
          size: sizeOrType,
          members: entries(3, (e) => {
            const offset = w[e + 2]!;
            return {
              name: this.string(w[e]!),
              type: w[e + 1]!,
              bitOffset: kindFlag ? offset & 0xffffff : offset,
              bitSize: kindFlag ? offset >>> 24 : 0,
            };
          }),
        };
      case 'enum':
        return { kind: 'enum', id, name, size: sizeOrType, signed: kindFlag, values: entries(2, (e) => ({ name: this.string(w[e]!), value: BigInt(kindFlag ? w[e + 1]! | 0 : w[e + 1]!) })) };
      case 'enum64':
        return {
          kind: 'enum',
          id,
          name,
          size: sizeOrType,
          signed: kindFlag,
          values: entries(3, (e) => {
            const raw = (BigInt(w[e + 2]!) << 32n) | BigInt(w[e + 1]!);
            return { name: this.string(w[e]!), value: kindFlag ? BigInt.asIntN(64, raw) : raw };
          }),
        };
      case 'fwd':
        return { kind: 'fwd', id, name, union: kindFlag };
      case 'typedef':
      case 'volatile':
      case 'const':
      case 'restrict':
      case 'type_tag':
        return { kind, id, name, target: sizeOrType };
      case 'func':
        return { kind: 'func', id, name, proto: sizeOrType, linkage: LINKAGES[vlen] ?? 'static' };
      case 'func_proto': {
        const params = entries(2, (e) => ({ name: this.string(w[e]!), type: w[e + 1]! }));
        // A variadic prototype ends with a nameless parameter of type void.
        const last = params.at(-1);
        const variadic = last !== undefined && last.type === 0 && last.name === '';
        return { kind: 'func_proto', id, name, returns: sizeOrType, params: variadic ? params.slice(0, -1) : params, variadic };
      }
      case 'var':
        return { kind: 'var', id, name, type: sizeOrType, linkage: LINKAGES[w[data]!] ?? 'static' };
      case 'datasec':
        return { kind: 'datasec', id, name, size: sizeOrType, vars: entries(3, (e) => ({ type: w[e]!, offset: w[e + 1]!, size: w[e + 2]! })) };
      case 'float':
        return { kind: 'float', id, name, size: sizeOrType };
      case 'decl_tag':
        return { kind: 'decl_tag', id, name, target: sizeOrType, componentIndex: w[data]! | 0 };
      case 'unknown':
        throw new BtfError(`BTF type ${id} has unknown kind`);
    }
  }

  private nameEquals(offset: number, target: Uint8Array): boolean {
    const strings = this.strings;
    if (offset + target.length >= strings.length) return false;
    for (let i = 0; i < target.length; i++) if (strings[offset + i] !== target[i]) return false;
    return strings[offset + target.length] === 0;
  }
}

/** One pass over the type section: where each type starts. */
function walkTypes(words: Uint32Array): TypeOffsets {
  // The smallest record is the 3-word header, which bounds the count.
  const offsets = new Uint32Array(Math.floor(words.length / BTF_TYPE_HEADER_WORDS) + 1);
  const types = new Int32Array(offsets.length);
  const symbols = new Int32Array(offsets.length);
  let typeCount = 0;
  let symbolCount = 0;
  let count = 0;
  let at = 0;
  while (at < words.length) {
    if (at + BTF_TYPE_HEADER_WORDS > words.length) throw new BtfError(`BTF type ${count + 1} is cut off at the end of the type section`);
    const info = words[at + 1]!;
    const kind = infoKind(info);
    if (kind === 0 || kind >= BTF_KINDS.length) throw new BtfError(`BTF type ${count + 1} has unknown kind ${kind}`);
    offsets[++count] = at;
    const group = KIND_NAME_GROUP[kind]!;
    if (group !== 0 && words[at]! !== 0) {
      if (group === 1) types[typeCount++] = count;
      else symbols[symbolCount++] = count;
    }
    at += BTF_TYPE_HEADER_WORDS + KIND_FIXED_WORDS[kind]! + KIND_WORDS_PER_ENTRY[kind]! * infoVlen(info);
  }
  if (at > words.length) throw new BtfError(`BTF type ${count} (${BTF_KINDS[infoKind(words[offsets[count]! + 1]!)]!.name}) runs past the end of the type section`);
  return {
    offsets: offsets.subarray(0, count + 1),
    count,
    named: { types: types.subarray(0, typeCount), symbols: symbols.subarray(0, symbolCount) },
  };
}

/** The type section as host-order words, viewing the bytes in place when alignment and byte order allow. */
function hostWords(bytes: Uint8Array, little: boolean): Uint32Array {
  const count = bytes.byteLength / 4;
  if (little === littleEndianHost && bytes.byteOffset % 4 === 0) return new Uint32Array(bytes.buffer, bytes.byteOffset, count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const words = new Uint32Array(count);
  for (let i = 0; i < count; i++) words[i] = view.getUint32(i * 4, little);
  return words;
}

/** C identifiers are ASCII; any other name cannot be in the BTF. */
function asciiBytes(name: string): Uint8Array | null {
  const bytes = new Uint8Array(name.length);
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code === 0 || code > 0x7f) return null;
    bytes[i] = code;
  }
  return bytes;
}
