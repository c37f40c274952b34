// A small BTF cut out of a real one: the named structs with only the named
// fields (at their offsets, the structs at their sizes, anonymous members on
// the way kept), the named functions' prototypes, and what those refer to
// (pointers to structs not kept become pointers to forward declarations).
// The repository's kernel fixture (test/fixtures/kernel) is made this way, so
// tests that compile kernel types get the same output on every machine.
import type { Btf } from '../../src/btf/btf.js';
import type { BtfMember, BtfTypeId } from '../../src/btf/btf-types.js';
import { findField, type KernelComposite } from '../../src/kernel/kernel-fields.js';
import { BtfBuilder } from './btf-builder.js';

export interface SubsetSpec {
  /** Struct or union name → the fields to keep (names as a program writes them after `p.`). */
  structs: Record<string, string[]>;
  /** Kernel functions whose prototypes to keep. */
  functions: string[];
}

export function btfSubset(source: Btf, spec: SubsetSpec): Uint8Array {
  const out = new BtfBuilder();
  const mapped = new Map<BtfTypeId, number>();
  /** Kept members of each kept composite, by index. */
  const kept = new Map<BtfTypeId, Set<number>>();
  const keptNames = new Set(Object.keys(spec.structs));
  for (const [name, fields] of Object.entries(spec.structs)) {
    const composite = source.find(name, ['struct', 'union'])[0] as KernelComposite | undefined;
    if (!composite) throw new Error(`no struct ${name} to keep`);
    kept.set(composite.id, kept.get(composite.id) ?? new Set());
    for (const field of fields) {
      const path = findField(source, composite, field);
      if (!path) throw new Error(`struct ${name} has no field ${field}`);
      for (const step of path.steps) {
        if (!kept.has(step.owner.id)) kept.set(step.owner.id, new Set());
        kept.get(step.owner.id)!.add(step.index);
      }
    }
  }

  // Types are added as they are reached; a struct gets its id before its members are mapped, so cycles close.
  const map = (id: BtfTypeId): number => {
    if (id === 0) return 0;
    const done = mapped.get(id);
    if (done !== undefined) return done;
    const type = source.type(id);
    switch (type.kind) {
      case 'int': {
        const result = out.int(type.name, type.size, { signed: type.signed, char: type.char, bool: type.bool, bits: type.bits });
        mapped.set(id, result);
        return result;
      }
      case 'enum': {
        const result = out.enum(type.name, type.size, type.values.map((v) => [v.name, v.value]), type.signed);
        mapped.set(id, result);
        return result;
      }
      case 'float': {
        const result = out.float(type.name, type.size);
        mapped.set(id, result);
        return result;
      }
      case 'typedef':
      case 'const':
      case 'volatile':
      case 'restrict':
      case 'type_tag': {
        const target = map(type.target);
        const result = out.modifier(type.kind, target, type.name);
        mapped.set(id, result);
        return result;
      }
      case 'ptr': {
        const pointee = source.resolve(type.target);
        // A pointer to a struct that is not kept points to a forward declaration of it.
        if ((pointee.kind === 'struct' || pointee.kind === 'union') && !kept.has(pointee.id) && pointee.name !== '') {
          const result = out.ptr(forward(pointee.name, pointee.kind === 'union'));
          mapped.set(id, result);
          return result;
        }
        const placeholder = out.ptr(0);
        mapped.set(id, placeholder);
        out.retarget(placeholder, map(type.target));
        return placeholder;
      }
      case 'array': {
        const result = out.array(map(type.element), type.length, map(type.indexType));
        mapped.set(id, result);
        return result;
      }
      case 'struct':
      case 'union': {
        const members = kept.get(type.id);
        // An embedded struct nothing reads keeps its size only.
        const placeholder = out.struct(type.name, type.size, [], type.kind);
        mapped.set(id, placeholder);
        const chosen = [...(members ?? [])].sort((a, b) => a - b).map((i) => type.members[i]!);
        out.setMembers(placeholder, chosen.map((m: BtfMember) => [m.name, map(m.type), m.bitOffset, m.bitSize || undefined]));
        return placeholder;
      }
      case 'fwd':
        return forward(type.name, type.union);
      case 'func_proto': {
        const result = out.funcProto(map(type.returns), type.params.map((p) => [p.name, map(p.type)]), type.variadic);
        mapped.set(id, result);
        return result;
      }
      default:
        throw new Error(`cannot keep a ${type.kind}`);
    }
  };
  const forwards = new Map<string, number>();
  const forward = (name: string, union: boolean) => {
    let id = forwards.get(name);
    if (id === undefined) forwards.set(name, (id = out.fwd(name, union)));
    return id;
  };

  for (const name of [...keptNames].sort()) map(source.find(name, ['struct', 'union'])[0]!.id);
  // Which functions are kfuncs is said by `bpf_kfunc` decl tags: keep those of the kept functions.
  const kfuncTags = source.find('bpf_kfunc', ['decl_tag']);
  for (const name of spec.functions) {
    const func = source.findOne(name, 'func');
    if (!func) throw new Error(`no function ${name} to keep`);
    const kept = out.func(name, map(func.proto), func.linkage === 'static' ? 0 : func.linkage === 'global' ? 1 : 2);
    for (const tag of kfuncTags) if (tag.kind === 'decl_tag' && tag.target === func.id) out.declTag(tag.name, kept, tag.componentIndex);
  }
  return out.bytes();
}
