// Checks an eBPF object before libbpf parses it. libbpf trusts the ELF it is
// given: a few corrupted bytes in a section header, a symbol or a relocation
// make it read out of bounds and crash the whole Node process. Our objects
// come from our compiler, so the module of a `.ks` import carries the
// object's SHA-256 and a mismatch is refused outright; an object given by
// path (or as bytes without a hash) must pass an ELF sanity check: every
// offset, size, index and string table that libbpf follows stays inside the
// file.
import { createHash } from 'node:crypto';

const ELF_HEADER_SIZE = 64;
const SECTION_HEADER_SIZE = 64;
const SYMBOL_SIZE = 24;
const REL_SIZE = 16;
const EM_BPF = 247;
const ET_REL = 1;
const SHT_SYMTAB = 2;
const SHT_STRTAB = 3;
const SHT_REL = 9;
const SHT_NOBITS = 8;
const SHF_EXECINSTR = 0x4;
const STT_FUNC = 2;
const BPF_INSN_SIZE = 8;
/** Section indices at and above this are special (SHN_ABS, SHN_COMMON, ...), not sections. */
const SHN_LORESERVE = 0xff00;
const BTF_MAGIC = 0xeb9f;

/** Refuses `bytes` when they do not match `sha256` (hex), or when they are not a sane eBPF ELF object. */
export function checkObject(bytes: Uint8Array, systemName: string, sha256?: string): void {
  if (sha256 !== undefined) {
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== sha256) {
      throw new Error(
        `the eBPF object of '${systemName}' is not the one its module was built with ` +
          `(SHA-256 ${actual.slice(0, 16)}…, the module says ${sha256.slice(0, 16)}…): it was changed or corrupted; rebuild it`,
      );
    }
  }
  const problem = elfProblem(bytes);
  if (problem !== null) throw new Error(`the eBPF object of '${systemName}' is not a valid eBPF ELF object: ${problem}`);
}

interface Section {
  index: number;
  name: number;
  type: number;
  flags: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  entrySize: number;
}

/** What is wrong with `bytes` as an ELF64 little-endian eBPF relocatable object, or null. */
export function elfProblem(bytes: Uint8Array): string | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < ELF_HEADER_SIZE) return `${bytes.length} bytes is shorter than an ELF header`;
  if (view.getUint32(0) !== 0x7f454c46) return 'no ELF magic number';
  if (bytes[4] !== 2 || bytes[5] !== 1 || bytes[6] !== 1) return 'not a 64-bit little-endian ELF file of version 1';
  if (view.getUint16(16, true) !== ET_REL) return 'not a relocatable object (ET_REL)';
  if (view.getUint16(18, true) !== EM_BPF) return `built for machine ${view.getUint16(18, true)}, not eBPF (${EM_BPF})`;
  if (view.getUint16(52, true) !== ELF_HEADER_SIZE || view.getUint16(58, true) !== SECTION_HEADER_SIZE) return 'unexpected ELF header or section header size';
  const sectionTable = offsetOf(view, 40);
  const count = view.getUint16(60, true);
  const namesIndex = view.getUint16(62, true);
  if (count === 0 || count >= SHN_LORESERVE) return `unsupported section count ${count}`;
  if (!within(sectionTable, count * SECTION_HEADER_SIZE, bytes.length)) return 'the section header table lies outside the file';
  if (namesIndex >= count) return 'the section name table index is out of range';

  const sections: Section[] = [];
  for (let index = 0; index < count; index++) {
    const at = sectionTable + index * SECTION_HEADER_SIZE;
    const section = {
      index,
      name: view.getUint32(at, true),
      type: view.getUint32(at + 4, true),
      flags: view.getUint32(at + 8, true),
      offset: offsetOf(view, at + 24),
      size: offsetOf(view, at + 32),
      link: view.getUint32(at + 40, true),
      info: view.getUint32(at + 44, true),
      entrySize: offsetOf(view, at + 56),
    };
    if (section.type !== SHT_NOBITS && index > 0 && !within(section.offset, section.size, bytes.length)) return `section ${index} lies outside the file`;
    if (section.link >= count) return `section ${index} links to a section that does not exist`;
    sections.push(section);
  }
  const names = sections[namesIndex]!;
  if (names.type !== SHT_STRTAB || !terminated(bytes, names)) return 'the section name table is not a string table';
  for (const section of sections) {
    if (section.name >= names.size) return `section ${section.index} has its name outside the name table`;
  }
  const sectionNames = sections.map((section) => sectionName(bytes, names, section));
  for (const section of sections) {
    const problem = sectionProblem(view, bytes, section, sections);
    if (problem !== null) return `section ${section.index} (${sectionNames[section.index]}): ${problem}`;
  }
  // libbpf 1.x follows type ids and string offsets in BTF without checking them all.
  const btfSection = sections[sectionNames.indexOf('.BTF')];
  const btfExtSection = sections[sectionNames.indexOf('.BTF.ext')];
  if (btfSection === undefined) return btfExtSection === undefined ? null : '.BTF.ext without .BTF';
  const btf = btfLayout(view, btfSection);
  if (typeof btf === 'string') return `.BTF: ${btf}`;
  if (btfExtSection !== undefined) {
    const problem = btfExtProblem(view, btfExtSection, btf);
    if (problem !== null) return `.BTF.ext: ${problem}`;
  }
  return null;
}

function sectionProblem(view: DataView, bytes: Uint8Array, section: Section, sections: Section[]): string | null {
  if (section.type === SHT_STRTAB) return terminated(bytes, section) ? null : 'a string table that does not end in NUL';
  if (section.type === SHT_SYMTAB) {
    if (section.entrySize !== SYMBOL_SIZE || section.size % SYMBOL_SIZE !== 0) return 'a symbol table with a wrong entry size';
    const strings = sections[section.link]!;
    if (strings.type !== SHT_STRTAB) return 'a symbol table without a string table';
    for (let at = section.offset; at < section.offset + section.size; at += SYMBOL_SIZE) {
      if (view.getUint32(at, true) >= strings.size) return 'a symbol name outside its string table';
      const sectionIndex = view.getUint16(at + 6, true);
      if (sectionIndex >= SHN_LORESERVE || sectionIndex === 0) continue;
      if (sectionIndex >= sections.length) return 'a symbol in a section that does not exist';
      // libbpf cuts programs out of their section by a function symbol's value and size.
      const home = sections[sectionIndex]!;
      const value = offsetOf(view, at + 8);
      const size = offsetOf(view, at + 16);
      const isFunction = (view.getUint8(at + 4) & 0xf) === STT_FUNC;
      if (home.type !== SHT_NOBITS && !within(value, isFunction ? size : 0, home.size)) return 'a symbol outside its section';
      if (isFunction && isCode(home) && (value % BPF_INSN_SIZE !== 0 || size % BPF_INSN_SIZE !== 0)) return 'a function not made of whole instructions';
    }
    return null;
  }
  if (section.type === SHT_REL) {
    if (section.entrySize !== REL_SIZE || section.size % REL_SIZE !== 0) return 'a relocation table with a wrong entry size';
    const symbols = sections[section.link]!;
    if (symbols.type !== SHT_SYMTAB) return 'a relocation table without a symbol table';
    if (section.info >= sections.length) return 'relocations for a section that does not exist';
    const symbolCount = symbols.size / SYMBOL_SIZE;
    const target = sections[section.info]!;
    for (let at = section.offset; at < section.offset + section.size; at += REL_SIZE) {
      // libbpf patches the instruction at the relocated offset: it must be one inside the section.
      const offset = offsetOf(view, at);
      if (!within(offset, isCode(target) ? BPF_INSN_SIZE : 1, target.size) || (isCode(target) && offset % BPF_INSN_SIZE !== 0)) return 'a relocation outside the section it relocates';
      if (view.getUint32(at + 12, true) >= symbolCount) return 'a relocation naming a symbol that does not exist';
      if (view.getUint32(at + 8, true) > 0xff) return 'a relocation of an unknown type';
    }
    return null;
  }
  return null;
}

// ---------------------------------------------------------------------------
// BTF (the kernel's Documentation/bpf/btf.rst)
// ---------------------------------------------------------------------------

interface BtfLayout {
  /** Type ids run from 1 to typeCount (0 is void). */
  typeCount: number;
  stringLength: number;
}

const BTF_TYPE_HEADER = 12;
const BTF_KIND = {
  INT: 1, PTR: 2, ARRAY: 3, STRUCT: 4, UNION: 5, ENUM: 6, FWD: 7, TYPEDEF: 8, VOLATILE: 9, CONST: 10, RESTRICT: 11,
  FUNC: 12, FUNC_PROTO: 13, VAR: 14, DATASEC: 15, FLOAT: 16, DECL_TAG: 17, TYPE_TAG: 18, ENUM64: 19,
} as const;
/** Kinds whose header's third word is a type id rather than a size. */
const REFERENCING_KINDS = new Set<number>([BTF_KIND.PTR, BTF_KIND.TYPEDEF, BTF_KIND.VOLATILE, BTF_KIND.CONST, BTF_KIND.RESTRICT, BTF_KIND.FUNC, BTF_KIND.FUNC_PROTO, BTF_KIND.VAR, BTF_KIND.DECL_TAG, BTF_KIND.TYPE_TAG]);

/** Checks the header, then walks every type record: lengths, kinds, name offsets and referenced type ids. */
function btfLayout(view: DataView, section: Section): BtfLayout | string {
  if (section.size < 24) return 'shorter than its header';
  const at = section.offset;
  if (view.getUint16(at, true) !== BTF_MAGIC) return 'no BTF magic number';
  const headerLength = view.getUint32(at + 4, true);
  if (headerLength < 24 || headerLength > section.size) return 'a header length outside the section';
  const body = section.size - headerLength;
  const [typeOffset, typeLength, stringOffset, stringLength] = [8, 12, 16, 20].map((field) => view.getUint32(at + field, true)) as [number, number, number, number];
  if (!within(typeOffset, typeLength, body) || !within(stringOffset, stringLength, body)) return 'types or strings outside the section';
  const strings = at + headerLength + stringOffset;
  if (stringLength === 0 || view.getUint8(strings) !== 0 || view.getUint8(strings + stringLength - 1) !== 0) return 'a string table that does not start and end with NUL';

  const start = at + headerLength + typeOffset;
  const end = start + typeLength;
  const references: number[] = [];
  const nameOffsets: number[] = [];
  let typeCount = 0;
  for (let offset = start; offset < end; ) {
    if (end - offset < BTF_TYPE_HEADER) return `type ${typeCount + 1} is cut short`;
    const info = view.getUint32(offset + 4, true);
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    nameOffsets.push(view.getUint32(offset, true));
    if (REFERENCING_KINDS.has(kind)) references.push(view.getUint32(offset + 8, true));
    const extra = btfRecordLength(kind, vlen);
    if (extra === null) return `type ${typeCount + 1} has unknown kind ${kind}`;
    const record = offset + BTF_TYPE_HEADER;
    if (end - record < extra) return `type ${typeCount + 1} is cut short`;
    const fields = BTF_RECORD_FIELDS[kind];
    if (fields !== undefined) {
      const entries = kind === BTF_KIND.ARRAY ? 1 : vlen;
      for (let entry = 0, cursor = record; entry < entries; entry++, cursor += fields.size) {
        for (const field of fields.names) nameOffsets.push(view.getUint32(cursor + field, true));
        for (const field of fields.types) references.push(view.getUint32(cursor + field, true));
      }
    }
    typeCount++;
    offset = record + extra;
  }
  if (nameOffsets.some((name) => name >= stringLength)) return 'a name outside the string table';
  if (references.some((id) => id > typeCount)) return 'a reference to a type that does not exist';
  return { typeCount, stringLength };
}

/** Bytes after the 12-byte header of a type of `kind` with `vlen` entries, or null for an unknown kind. */
function btfRecordLength(kind: number, vlen: number): number | null {
  switch (kind) {
    case BTF_KIND.INT:
    case BTF_KIND.VAR:
    case BTF_KIND.DECL_TAG:
      return 4;
    case BTF_KIND.ARRAY:
      return 12;
    case BTF_KIND.STRUCT:
    case BTF_KIND.UNION:
    case BTF_KIND.DATASEC:
    case BTF_KIND.ENUM64:
      return vlen * 12;
    case BTF_KIND.ENUM:
    case BTF_KIND.FUNC_PROTO:
      return vlen * 8;
    case BTF_KIND.PTR:
    case BTF_KIND.FWD:
    case BTF_KIND.TYPEDEF:
    case BTF_KIND.VOLATILE:
    case BTF_KIND.CONST:
    case BTF_KIND.RESTRICT:
    case BTF_KIND.FUNC:
    case BTF_KIND.FLOAT:
    case BTF_KIND.TYPE_TAG:
      return 0;
    default:
      return null;
  }
}

/** Per kind with a record after the header: each entry's size and where in it the name offsets and type ids are. */
const BTF_RECORD_FIELDS: Partial<Record<number, { size: number; names: number[]; types: number[] }>> = {
  [BTF_KIND.ARRAY]: { size: 12, names: [], types: [0, 4] },
  [BTF_KIND.STRUCT]: { size: 12, names: [0], types: [4] },
  [BTF_KIND.UNION]: { size: 12, names: [0], types: [4] },
  [BTF_KIND.ENUM]: { size: 8, names: [0], types: [] },
  [BTF_KIND.ENUM64]: { size: 12, names: [0], types: [] },
  [BTF_KIND.FUNC_PROTO]: { size: 8, names: [0], types: [4] },
  [BTF_KIND.DATASEC]: { size: 12, names: [], types: [0] },
};

/** .BTF.ext: func_info, line_info and CO-RE relocation records name BTF strings and types. */
function btfExtProblem(view: DataView, section: Section, btf: BtfLayout): string | null {
  if (section.size < 24) return 'shorter than its header';
  const at = section.offset;
  if (view.getUint16(at, true) !== BTF_MAGIC) return 'no BTF magic number';
  const headerLength = view.getUint32(at + 4, true);
  if (headerLength < 24 || headerLength > section.size) return 'a header length outside the section';
  const body = at + headerLength;
  const bodyLength = section.size - headerLength;
  // Each info block: [offset, length] in the header; records of (name or type) fields to check.
  const blocks: { header: number; checks: [number, 'string' | 'type'][] }[] = [
    { header: 8, checks: [[4, 'type']] }, // func_info: insn_off, type_id
    { header: 16, checks: [[4, 'string'], [8, 'string']] }, // line_info: insn_off, file_name_off, line_off, line_col
  ];
  if (headerLength >= 32) blocks.push({ header: 24, checks: [[4, 'type'], [8, 'string']] }); // core_relo: insn_off, type_id, access_str_off, kind
  for (const block of blocks) {
    const offset = view.getUint32(at + block.header, true);
    const length = view.getUint32(at + block.header + 4, true);
    if (length === 0) continue;
    if (!within(offset, length, bodyLength) || length < 4) return 'an info block outside the section';
    const start = body + offset;
    const end = start + length;
    const recordSize = view.getUint32(start, true);
    if (recordSize < 4 + Math.max(...block.checks.map(([field]) => field))) return 'an info record size too small';
    for (let cursor = start + 4; cursor < end; ) {
      if (end - cursor < 8) return 'an info block cut short';
      if (view.getUint32(cursor, true) >= btf.stringLength) return 'a section name outside the BTF strings';
      const count = view.getUint32(cursor + 4, true);
      cursor += 8;
      if (count === 0 || (end - cursor) / recordSize < count) return 'info records outside the block';
      for (let record = 0; record < count; record++, cursor += recordSize) {
        for (const [field, what] of block.checks) {
          const value = view.getUint32(cursor + field, true);
          if (what === 'string' ? value >= btf.stringLength : value > btf.typeCount) return `an info record naming a ${what === 'string' ? 'string' : 'type'} that does not exist`;
        }
      }
    }
  }
  return null;
}

/** A 64-bit offset or size as a number; anything past 2^53 cannot be inside a file we hold. */
function offsetOf(view: DataView, at: number): number {
  const high = view.getUint32(at + 4, true);
  return high > 0x1fffff ? Number.MAX_SAFE_INTEGER : high * 2 ** 32 + view.getUint32(at, true);
}

/** A section of eBPF instructions (a program). */
function isCode(section: Section): boolean {
  return (section.flags & SHF_EXECINSTR) !== 0;
}

function within(offset: number, size: number, length: number): boolean {
  return offset <= length && size <= length - offset;
}

function terminated(bytes: Uint8Array, section: Section): boolean {
  return section.size > 0 && bytes[section.offset + section.size - 1] === 0;
}

function sectionName(bytes: Uint8Array, names: Section, section: Section): string {
  const start = names.offset + section.name;
  let end = start;
  while (end < names.offset + names.size && bytes[end] !== 0) end++;
  return Buffer.from(bytes.subarray(start, end)).toString('latin1');
}
