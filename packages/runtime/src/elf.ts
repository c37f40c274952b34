// The function symbols of an ELF file and how its addresses map to file
// offsets: what a uprobe attach needs (a symbol's file offset) and what
// symbolising a user stack needs (the function at an address). 64-bit
// little-endian ELF only, like the hosts the runtime supports. The file is
// read piecewise (headers, then the symbol and string tables), never whole:
// binaries such as node are large.
import { closeSync, openSync, readSync } from 'node:fs';

export interface ElfSymbol {
  name: string;
  /** Virtual address in the file's own address space (st_value). */
  address: number;
  size: number;
}

interface Segment {
  offset: number;
  vaddr: number;
  fileSize: number;
}

const ELF_MAGIC = 0x464c457f;
const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;
const SHT_SYMTAB = 2;
const SHT_DYNSYM = 11;
const PT_LOAD = 1;
const STT_FUNC = 2;
const STT_GNU_IFUNC = 10;
const SHN_UNDEF = 0;
const SECTION_HEADER_SIZE = 64;
const SYMBOL_SIZE = 24;

export class ElfFile {
  /** Function symbols, by address (then by name); defined ones only. */
  readonly functions: readonly ElfSymbol[];
  private readonly segments: readonly Segment[];
  private byName: Map<string, ElfSymbol> | null = null;

  private constructor(
    readonly path: string,
    functions: ElfSymbol[],
    segments: Segment[],
  ) {
    this.functions = functions;
    this.segments = segments;
  }

  /** Reads the symbol tables (.symtab and .dynsym) and loadable segments of `path`. */
  static read(path: string): ElfFile {
    const fd = openSync(path, 'r');
    try {
      const read = (offset: number, length: number): Buffer => {
        const buffer = Buffer.alloc(length);
        const got = readSync(fd, buffer, 0, length, offset);
        if (got !== length) throw new Error(`${path}: truncated ELF file (wanted ${length} bytes at ${offset})`);
        return buffer;
      };
      const header = read(0, 64);
      if (header.readUInt32LE(0) !== ELF_MAGIC) throw new Error(`${path} is not an ELF file`);
      if (header[4] !== ELFCLASS64 || header[5] !== ELFDATA2LSB) throw new Error(`${path}: only 64-bit little-endian ELF files are supported`);
      const phoff = Number(header.readBigUInt64LE(0x20));
      const shoff = Number(header.readBigUInt64LE(0x28));
      const phentsize = header.readUInt16LE(0x36);
      const phnum = header.readUInt16LE(0x38);
      const shnum = header.readUInt16LE(0x3c);

      const segments: Segment[] = [];
      if (phnum > 0) {
        const table = read(phoff, phentsize * phnum);
        for (let i = 0; i < phnum; i++) {
          const at = i * phentsize;
          if (table.readUInt32LE(at) !== PT_LOAD) continue;
          segments.push({ offset: Number(table.readBigUInt64LE(at + 8)), vaddr: Number(table.readBigUInt64LE(at + 16)), fileSize: Number(table.readBigUInt64LE(at + 32)) });
        }
      }

      const sections = shnum > 0 ? read(shoff, SECTION_HEADER_SIZE * shnum) : Buffer.alloc(0);
      const section = (index: number) => {
        const at = index * SECTION_HEADER_SIZE;
        return { type: sections.readUInt32LE(at + 4), offset: Number(sections.readBigUInt64LE(at + 24)), size: Number(sections.readBigUInt64LE(at + 32)), link: sections.readUInt32LE(at + 40) };
      };
      const seen = new Set<string>();
      const functions: ElfSymbol[] = [];
      for (let index = 0; index < shnum; index++) {
        const table = section(index);
        if (table.type !== SHT_SYMTAB && table.type !== SHT_DYNSYM) continue;
        const strings = section(table.link);
        const names = read(strings.offset, strings.size);
        const symbols = read(table.offset, table.size);
        for (let at = 0; at + SYMBOL_SIZE <= symbols.length; at += SYMBOL_SIZE) {
          const type = symbols[at + 4]! & 0xf;
          if ((type !== STT_FUNC && type !== STT_GNU_IFUNC) || symbols.readUInt16LE(at + 6) === SHN_UNDEF) continue;
          const nameOffset = symbols.readUInt32LE(at);
          const name = names.toString('utf8', nameOffset, names.indexOf(0, nameOffset));
          const address = Number(symbols.readBigUInt64LE(at + 8));
          // .symtab and .dynsym repeat the exported functions.
          const key = `${name}@${address}`;
          if (name === '' || seen.has(key)) continue;
          seen.add(key);
          functions.push({ name, address, size: Number(symbols.readBigUInt64LE(at + 16)) });
        }
      }
      functions.sort((a, b) => a.address - b.address || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return new ElfFile(path, functions, segments);
    } finally {
      closeSync(fd);
    }
  }

  /** The defined function named `name`. */
  findFunction(name: string): ElfSymbol | undefined {
    this.byName ??= new Map(this.functions.map((symbol) => [symbol.name, symbol]));
    return this.byName.get(name);
  }

  /** Where the byte at virtual address `vaddr` lies in the file (what the kernel's uprobe takes), or null. */
  fileOffset(vaddr: number): number | null {
    const segment = this.segments.find((s) => vaddr >= s.vaddr && vaddr < s.vaddr + s.fileSize);
    return segment ? vaddr - segment.vaddr + segment.offset : null;
  }

  /** The virtual address of the byte at `offset` in the file, or null when no loadable segment holds it. */
  virtualAddress(offset: number): number | null {
    const segment = this.segments.find((s) => offset >= s.offset && offset < s.offset + s.fileSize);
    return segment ? offset - segment.offset + segment.vaddr : null;
  }

  /** The function containing `vaddr` (within its size; a size-0 symbol covers up to the next one), or null. */
  functionAt(vaddr: number): { symbol: ElfSymbol; offset: number } | null {
    let low = 0;
    let high = this.functions.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (this.functions[middle]!.address <= vaddr) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    if (found < 0) return null;
    const symbol = this.functions[found]!;
    const next = this.functions[found + 1];
    const end = symbol.size > 0 ? symbol.address + symbol.size : (next?.address ?? Infinity);
    return vaddr < end ? { symbol, offset: vaddr - symbol.address } : null;
  }
}
