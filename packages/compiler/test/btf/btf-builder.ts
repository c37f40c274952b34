// Builds raw BTF blobs by hand, for tests of the reader and for BTF files a
// test derives (a kernel whose layout differs). Types get ids in the order
// they are added, starting at 1; references are plain ids, so a type may
// point at one added later.
import { Btf } from '../../src/btf/btf.js';
import { BTF_KIND_NUMBER, BTF_MAGIC, type BtfKindName } from '../../src/btf/btf-kinds.js';

export interface BuildOptions {
  bigEndian?: boolean;
}

export class BtfBuilder {
  private readonly records: number[][] = [];
  private readonly strings: number[] = [0];
  private readonly stringOffsets = new Map<string, number>();

  /** The id the next added type will get. */
  get nextId(): number {
    return this.records.length + 1;
  }

  int(name: string, size: number, options: { signed?: boolean; char?: boolean; bool?: boolean; bits?: number } = {}): number {
    const encoding = ((options.signed ? 1 : 0) | (options.char ? 2 : 0) | (options.bool ? 4 : 0)) << 24;
    return this.add(name, 'int', 0, false, size, [encoding | (options.bits ?? size * 8)]);
  }

  ptr(target: number): number {
    return this.add('', 'ptr', 0, false, target);
  }

  array(element: number, length: number, indexType = element): number {
    return this.add('', 'array', 0, false, 0, [element, indexType, length]);
  }

  /** Members: [name, type, bit offset, bit-field size (omit for none)]. */
  struct(name: string, size: number, members: [string, number, number, number?][], kind: 'struct' | 'union' = 'struct'): number {
    const bitfields = members.some(([, , , bits]) => bits !== undefined);
    const words = members.flatMap(([member, type, bitOffset, bits]) => [this.string(member), type, bitfields ? ((bits ?? 0) << 24) | bitOffset : bitOffset]);
    return this.add(name, kind, members.length, bitfields, size, words);
  }

  union(name: string, size: number, members: [string, number, number, number?][]): number {
    return this.struct(name, size, members, 'union');
  }

  enum(name: string, size: number, values: [string, bigint][], signed = false): number {
    const wide = size === 8;
    const words = values.flatMap(([value, n]) => {
      const bits = BigInt.asUintN(64, n);
      return wide ? [this.string(value), Number(bits & 0xffffffffn), Number(bits >> 32n)] : [this.string(value), Number(bits & 0xffffffffn)];
    });
    return this.add(name, wide ? 'enum64' : 'enum', values.length, signed, size, words);
  }

  fwd(name: string, union = false): number {
    return this.add(name, 'fwd', 0, union, 0);
  }

  modifier(kind: 'typedef' | 'volatile' | 'const' | 'restrict' | 'type_tag', target: number, name = ''): number {
    return this.add(name, kind, 0, false, target);
  }

  func(name: string, proto: number, linkage: 0 | 1 | 2 = 1): number {
    return this.add(name, 'func', linkage, false, proto);
  }

  /** Params: [name, type]; `variadic` appends the nameless void parameter C's `...` becomes. */
  funcProto(returns: number, params: [string, number][], variadic = false): number {
    const all: [string, number][] = variadic ? [...params, ['', 0]] : params;
    return this.add('', 'func_proto', all.length, false, returns, all.flatMap(([param, type]) => [this.string(param), type]));
  }

  variable(name: string, type: number, linkage = 1): number {
    return this.add(name, 'var', 0, false, type, [linkage]);
  }

  datasec(name: string, size: number, vars: [number, number, number][]): number {
    return this.add(name, 'datasec', vars.length, false, size, vars.flat());
  }

  float(name: string, size: number): number {
    return this.add(name, 'float', 0, false, size);
  }

  declTag(name: string, target: number, componentIndex = -1): number {
    return this.add(name, 'decl_tag', 0, false, target, [componentIndex >>> 0]);
  }

  /** Points an added pointer (or typedef, qualifier) at another type: for types that refer to each other. */
  retarget(id: number, target: number): void {
    this.records[id - 1]![2] = target;
  }

  /** Replaces the members of an added struct or union. */
  setMembers(id: number, members: [string, number, number, number?][]): void {
    const record = this.records[id - 1]!;
    const bitfields = members.some(([, , , bits]) => bits !== undefined);
    const kind = (record[1]! >>> 24) & 0x1f;
    const words = members.flatMap(([member, type, bitOffset, bits]) => [this.string(member), type, bitfields ? ((bits ?? 0) << 24) | bitOffset : bitOffset]);
    this.records[id - 1] = [record[0]!, (((bitfields ? 1 : 0) << 31) | (kind << 24) | members.length) >>> 0, record[2]!, ...words];
  }

  /** A record with any kind number and trailing words, for malformed input. */
  raw(nameOffset: number, kind: number, vlen: number, sizeOrType: number, trailing: number[] = []): number {
    this.records.push([nameOffset, ((kind & 0x1f) << 24) | (vlen & 0xffff), sizeOrType, ...trailing]);
    return this.records.length;
  }

  /** The string's offset in the string section (added once). */
  string(text: string): number {
    if (text === '') return 0;
    let offset = this.stringOffsets.get(text);
    if (offset === undefined) {
      offset = this.strings.length;
      this.strings.push(...Buffer.from(text, 'latin1'), 0);
      this.stringOffsets.set(text, offset);
    }
    return offset;
  }

  bytes(options: BuildOptions = {}): Uint8Array {
    const little = !options.bigEndian;
    const typeWords = this.records.flat();
    const typeLength = typeWords.length * 4;
    const out = new Uint8Array(24 + typeLength + this.strings.length);
    const view = new DataView(out.buffer);
    view.setUint16(0, BTF_MAGIC, little);
    view.setUint8(2, 1);
    view.setUint8(3, 0);
    view.setUint32(4, 24, little);
    view.setUint32(8, 0, little);
    view.setUint32(12, typeLength, little);
    view.setUint32(16, typeLength, little);
    view.setUint32(20, this.strings.length, little);
    typeWords.forEach((word, i) => view.setUint32(24 + i * 4, word >>> 0, little));
    out.set(this.strings, 24 + typeLength);
    return out;
  }

  private add(name: string, kind: BtfKindName, vlen: number, kindFlag: boolean, sizeOrType: number, trailing: number[] = []): number {
    const info = ((kindFlag ? 1 : 0) << 31) | (BTF_KIND_NUMBER[kind] << 24) | vlen;
    this.records.push([this.string(name), info >>> 0, sizeOrType, ...trailing]);
    return this.records.length;
  }
}

/**
 * A copy of raw BTF in which member `member` of struct `struct` sits at
 * `byteOffset` instead: the BTF of a kernel whose layout differs, derived
 * from a real one. Only the member's offset word changes (little-endian BTF).
 */
export function withMemberMoved(bytes: Uint8Array, struct: string, member: string, byteOffset: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  const btf = Btf.parse(copy);
  const type = btf.findOne(struct, 'struct');
  if (!type) throw new Error(`no struct ${struct} in this BTF`);
  const index = type.members.findIndex((m) => m.name === member);
  if (index < 0) throw new Error(`struct ${struct} has no member ${member}`);
  const view = new DataView(copy.buffer, copy.byteOffset, copy.byteLength);
  const typeSection = view.getUint32(4, true) + view.getUint32(8, true);
  // The record: 12-byte header, then 12 bytes per member (name, type, offset).
  const offsetWord = typeSection + btf.recordOffset(type.id) + 12 + index * 12 + 8;
  const old = view.getUint32(offsetWord, true);
  const kindFlag = view.getUint32(typeSection + btf.recordOffset(type.id) + 4, true) >>> 31 === 1;
  view.setUint32(offsetWord, kindFlag ? (old & 0xff000000) | (byteOffset * 8) : byteOffset * 8, true);
  return copy;
}

/**
 * A copy of raw BTF in which member `member` of struct `struct` is named
 * `newName` instead, a string the BTF already holds (a field name of another
 * struct): the BTF of a kernel with a field this one lacks.
 */
export function withMemberRenamed(bytes: Uint8Array, struct: string, member: string, newName: string): Uint8Array {
  const copy = new Uint8Array(bytes);
  const btf = Btf.parse(copy);
  const type = btf.findOne(struct, 'struct');
  const index = type?.members.findIndex((m) => m.name === member) ?? -1;
  if (!type || index < 0) throw new Error(`no member ${struct}.${member} in this BTF`);
  const view = new DataView(copy.buffer, copy.byteOffset, copy.byteLength);
  const headerLength = view.getUint32(4, true);
  const strings = Buffer.from(copy.buffer, copy.byteOffset + headerLength + view.getUint32(16, true), view.getUint32(20, true));
  const at = strings.indexOf(Buffer.from(`\0${newName}\0`, 'latin1'));
  if (at < 0) throw new Error(`the BTF holds no string '${newName}'`);
  view.setUint32(headerLength + view.getUint32(8, true) + btf.recordOffset(type.id) + 12 + index * 12, at + 1, true);
  return copy;
}
