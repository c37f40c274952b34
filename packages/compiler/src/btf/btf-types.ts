// Decoded BTF types: what `Btf.type(id)` returns. Type references stay ids, so
// decoding one struct never decodes the types its members point to.

export type BtfTypeId = number;

export type BtfLinkage = 'static' | 'global' | 'extern';

export interface BtfMember {
  /** Empty for an anonymous struct or union member. */
  name: string;
  type: BtfTypeId;
  /** Offset from the start of the enclosing struct, in bits. */
  bitOffset: number;
  /** Width of a bit-field member; 0 when the member is not a bit-field. */
  bitSize: number;
}

export interface BtfEnumValue {
  name: string;
  value: bigint;
}

export interface BtfParam {
  /** Empty when the prototype does not name it. */
  name: string;
  type: BtfTypeId;
}

interface Common {
  id: BtfTypeId;
  /** The C name; empty for anonymous types and for kinds without names. */
  name: string;
}

export type BtfType =
  | (Common & { kind: 'void' })
  | (Common & { kind: 'int'; size: number; signed: boolean; char: boolean; bool: boolean; bits: number; bitOffset: number })
  | (Common & { kind: 'ptr'; target: BtfTypeId })
  | (Common & { kind: 'array'; element: BtfTypeId; indexType: BtfTypeId; length: number })
  | (Common & { kind: 'struct' | 'union'; size: number; members: BtfMember[] })
  /** BTF_KIND_ENUM and BTF_KIND_ENUM64. */
  | (Common & { kind: 'enum'; size: number; signed: boolean; values: BtfEnumValue[] })
  | (Common & { kind: 'fwd'; union: boolean })
  | (Common & { kind: 'typedef' | 'volatile' | 'const' | 'restrict' | 'type_tag'; target: BtfTypeId })
  | (Common & { kind: 'func'; proto: BtfTypeId; linkage: BtfLinkage })
  | (Common & { kind: 'func_proto'; returns: BtfTypeId; params: BtfParam[]; variadic: boolean })
  | (Common & { kind: 'var'; type: BtfTypeId; linkage: BtfLinkage })
  | (Common & { kind: 'datasec'; size: number; vars: { type: BtfTypeId; offset: number; size: number }[] })
  | (Common & { kind: 'float'; size: number })
  | (Common & { kind: 'decl_tag'; target: BtfTypeId; componentIndex: number });

export type BtfKind = BtfType['kind'];

/** The decoded shape of kind K (kinds sharing a shape, such as struct and union, share a member of the union). */
export type BtfTypeOf<K extends BtfKind> = BtfType extends infer T ? (T extends { kind: infer U } ? (K extends U ? T : never) : never) : never;
