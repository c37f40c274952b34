// Kernel types by C name and their fields, as a program sees them: a field of
// an anonymous struct or union member is a field of the enclosing type (as in
// C: `sk->__sk_common.skc_daddr` reaches through two anonymous members).
import type { Btf } from '../btf/btf.js';
import type { BtfMember, BtfType, BtfTypeId, BtfTypeOf } from '../btf/btf-types.js';
import { nearestNames } from '../util/suggest.js';

/** The kinds a kernel type name may stand for, in the order a name is tried (`struct sock` before a typedef `sock`). */
export const KERNEL_TYPE_KINDS = ['struct', 'union', 'typedef', 'enum'] as const;

export type KernelComposite = BtfTypeOf<'struct'>;

/** One step of a field access: the member, and the struct or union it belongs to. */
export interface FieldStep {
  owner: KernelComposite;
  /** Index of the member in `owner.members`. */
  index: number;
  member: BtfMember;
}

/** A named field of a struct or union, reached through zero or more anonymous members. */
export interface FieldPath {
  /** The anonymous members passed through, then the named member itself. */
  steps: FieldStep[];
  /** Offset of the field from the start of the outer type, in bits. */
  bitOffset: number;
  /** The field's type (typedefs kept; resolve for its shape). */
  type: BtfTypeId;
}

/** The struct, union, typedef or enum a program means by `name`, or null. */
export function findKernelType(btf: Btf, name: string): BtfType | null {
  return btf.find(name, KERNEL_TYPE_KINDS)[0] ?? null;
}

/** The struct or union behind a type (through typedefs and qualifiers), or null. */
export function compositeOf(btf: Btf, id: BtfTypeId): KernelComposite | null {
  const type = btf.resolve(id);
  return type.kind === 'struct' || type.kind === 'union' ? type : null;
}

/** The field `name` of a struct or union, looking into anonymous members in declaration order. */
export function findField(btf: Btf, owner: KernelComposite, name: string): FieldPath | null {
  return searchField(btf, owner, name, 0, new Set());
}

function searchField(btf: Btf, owner: KernelComposite, name: string, bitOffset: number, visiting: Set<BtfTypeId>): FieldPath | null {
  if (visiting.has(owner.id)) return null; // a malformed BTF whose anonymous members contain themselves
  visiting.add(owner.id);
  for (const [index, member] of owner.members.entries()) {
    const step: FieldStep = { owner, index, member };
    if (member.name === name) return { steps: [step], bitOffset: bitOffset + member.bitOffset, type: member.type };
    if (member.name !== '') continue;
    const inner = compositeOf(btf, member.type);
    const found = inner && searchField(btf, inner, name, bitOffset + member.bitOffset, visiting);
    if (found) return { ...found, steps: [step, ...found.steps] };
  }
  visiting.delete(owner.id);
  return null;
}

/** Every field name a program can write after `p.` (anonymous members' fields included). */
export function fieldNames(btf: Btf, owner: KernelComposite, visiting = new Set<BtfTypeId>()): string[] {
  if (visiting.has(owner.id)) return [];
  visiting.add(owner.id);
  return owner.members.flatMap((member) => {
    if (member.name !== '') return [member.name];
    const inner = compositeOf(btf, member.type);
    return inner ? fieldNames(btf, inner, visiting) : [];
  });
}

/** The field names closest to a misspelt one, best first (for "unknown field" errors). */
export function nearestFields(btf: Btf, owner: KernelComposite, name: string, count = 3): string[] {
  return nearestNames(name, fieldNames(btf, owner), count);
}
