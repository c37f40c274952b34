// The BTF type kinds (linux/btf.h, BTF_KIND_*): one row per kind with what
// follows its 12-byte `struct btf_type` header, so the reader walks the type
// section without a case per kind.

export type BtfKindName =
  | 'unknown'
  | 'int'
  | 'ptr'
  | 'array'
  | 'struct'
  | 'union'
  | 'enum'
  | 'fwd'
  | 'typedef'
  | 'volatile'
  | 'const'
  | 'restrict'
  | 'func'
  | 'func_proto'
  | 'var'
  | 'datasec'
  | 'float'
  | 'decl_tag'
  | 'type_tag'
  | 'enum64';

export interface BtfKindInfo {
  name: BtfKindName;
  /** 32-bit words after the header, independent of vlen. */
  fixedWords: number;
  /** 32-bit words per vlen entry (members, enumerators, parameters, section variables). */
  wordsPerEntry: number;
  /**
   * Which names group holds types of this kind: C type names, or functions,
   * variables and decl tags (four times as many; a lookup scans one group).
   */
  names: BtfNameGroup | null;
}

export type BtfNameGroup = 'types' | 'symbols';

const kind = (name: BtfKindName, fixedWords: number, wordsPerEntry: number, names: BtfNameGroup | null): BtfKindInfo => ({ name, fixedWords, wordsPerEntry, names });

/** Indexed by the kind number in `btf_type.info` bits 24–28. */
export const BTF_KINDS: readonly BtfKindInfo[] = [
  kind('unknown', 0, 0, null),
  kind('int', 1, 0, 'types'),
  kind('ptr', 0, 0, null),
  kind('array', 3, 0, null),
  kind('struct', 0, 3, 'types'),
  kind('union', 0, 3, 'types'),
  kind('enum', 0, 2, 'types'),
  kind('fwd', 0, 0, 'types'),
  kind('typedef', 0, 0, 'types'),
  kind('volatile', 0, 0, null),
  kind('const', 0, 0, null),
  kind('restrict', 0, 0, null),
  kind('func', 0, 0, 'symbols'),
  kind('func_proto', 0, 2, null),
  kind('var', 1, 0, 'symbols'),
  kind('datasec', 0, 3, 'types'),
  kind('float', 0, 0, 'types'),
  kind('decl_tag', 1, 0, 'symbols'),
  kind('type_tag', 0, 0, null),
  kind('enum64', 0, 3, 'types'),
];

/** The walk over the type section reads these per raw kind number (typed arrays: the walk is the hot loop of a cold compile). */
export const KIND_FIXED_WORDS = Uint8Array.from({ length: 32 }, (_, k) => BTF_KINDS[k]?.fixedWords ?? 0);
export const KIND_WORDS_PER_ENTRY = Uint8Array.from({ length: 32 }, (_, k) => BTF_KINDS[k]?.wordsPerEntry ?? 0);
/** 1: the kind's names are in the `types` group, 2: in `symbols`, 0: unnamed. */
export const KIND_NAME_GROUP = Uint8Array.from({ length: 32 }, (_, k) => {
  const group = BTF_KINDS[k]?.names;
  return group === 'types' ? 1 : group === 'symbols' ? 2 : 0;
});

export const BTF_KIND_NUMBER: Record<BtfKindName, number> = Object.fromEntries(BTF_KINDS.map((k, i) => [k.name, i])) as Record<BtfKindName, number>;

export const BTF_MAGIC = 0xeb9f;
/** `struct btf_header`: magic, version, flags, hdr_len, then four u32 offsets/lengths. */
export const BTF_HEADER_SIZE = 24;
/** `struct btf_type`: name_off, info, size/type. */
export const BTF_TYPE_HEADER_WORDS = 3;

/** `btf_type.info`: vlen in bits 0–15, kind in bits 24–28, kind_flag in bit 31. */
export const infoVlen = (info: number): number => info & 0xffff;
export const infoKind = (info: number): number => (info >>> 24) & 0x1f;
export const infoKindFlag = (info: number): boolean => info >>> 31 === 1;

/** INT encoding bits (the trailing word, bits 24–27). */
export const BTF_INT_SIGNED = 1;
export const BTF_INT_CHAR = 2;
export const BTF_INT_BOOL = 4;
