// The C declarations of the kernel types a program uses: only the fields it
// reads, at their offsets in the BTF it was compiled against, padding in
// between, each struct marked `preserve_access_index` so clang records every
// access as a CO-RE relocation and libbpf moves it to the running kernel's
// layout at load. Named types get the libbpf "flavor" suffix `___ks`
// (`struct task_struct___ks`): libbpf matches them to `task_struct` by the
// name before `___`, and they can never collide with a UAPI header's struct.
import type { Btf } from '../btf/btf.js';
import type { BtfType, BtfTypeId } from '../btf/btf-types.js';
import type { FieldPath, KernelComposite } from './kernel-fields.js';

const FLAVOR = '___ks';

export class KernelTypeSet {
  /** Composite id → indices of the members the program reads. */
  private readonly usedMembers = new Map<BtfTypeId, Set<number>>();
  /** Named composites the program names (pointer targets), defined or forward-declared. */
  private readonly referenced = new Set<BtfTypeId>();
  private readonly cNames = new Map<BtfTypeId, string>();
  private readonly layouts = new Map<BtfTypeId, { packed: boolean; align: number }>();

  constructor(readonly btf: Btf) {}

  get empty(): boolean {
    return this.referenced.size === 0 && this.usedMembers.size === 0;
  }

  /** A program reads this field: every member on the way (anonymous ones included) is declared. */
  useField(path: FieldPath): void {
    for (const step of path.steps) {
      let members = this.usedMembers.get(step.owner.id);
      if (!members) this.usedMembers.set(step.owner.id, (members = new Set()));
      members.add(step.index);
      this.reference(step.owner);
    }
  }

  /** A program names this struct or union (as a pointer target): it needs at least a declaration. */
  reference(type: KernelComposite): void {
    if (type.name !== '') this.referenced.add(type.id);
  }

  /** The C spelling of a named struct or union: `struct task_struct___ks` (`___ks2`, ... for later types of the same name). */
  cName(type: KernelComposite): string {
    let name = this.cNames.get(type.id);
    if (name === undefined) {
      // Two different kernel types of one name (rare in deduplicated BTF) get distinct flavors, by id order.
      const rank = this.btf.find(type.name, [type.kind]).findIndex((t) => t.id === type.id);
      name = `${type.kind} ${type.name}${FLAVOR}${rank > 0 ? rank + 1 : ''}`;
      this.cNames.set(type.id, name);
    }
    return name;
  }

  /** The C type of a value read from a kernel field of type `id`, with `declarator` (the name, `*p`, `arr[4]`). */
  declare(id: BtfTypeId, declarator: string, within: { indent: string; pads: PadCounter } = { indent: '', pads: { next: 0 } }): string {
    const type = this.btf.resolve(id);
    switch (type.kind) {
      case 'int':
      case 'enum':
        // __int128 and other odd widths: bytes of the right size.
        return isPlainIntSize(type.size) ? `${intCType(type.size, type.signed && !(type.kind === 'int' && type.bool))} ${declarator}` : `__u8 ${declarator}[${type.size}]`;
      case 'ptr': {
        const target = this.btf.resolve(type.target);
        if ((target.kind === 'struct' || target.kind === 'union') && target.name !== '') return `${this.cName(this.note(target))} *${declarator}`;
        // Any other pointer: CO-RE checks only that the kernel's field is a pointer too.
        return `void *${declarator}`;
      }
      case 'array':
        return this.declare(type.element, `${declarator}[${type.length}]`, within);
      case 'struct':
      case 'union':
        // A field whose type is an anonymous struct is declared with the struct inline (`struct { ... } alloc_lock`).
        return type.name === '' ? `${this.inlineDefinition(type, within.indent, within.pads)} ${declarator}` : `${this.cName(this.note(type))} ${declarator}`;
      case 'float':
        return `${type.size === 4 ? 'float' : 'double'} ${declarator}`;
      default:
        // Functions, forward declarations, void: only their size could matter, and a field never has one.
        return `__u8 ${declarator}[${this.btf.sizeOf(id)}]`;
    }
  }

  /** Forward declarations, then definitions (a struct after the structs it embeds), deterministic in order. */
  definitions(): string[] {
    if (this.empty) return [];
    const named = [...new Set([...this.referenced, ...[...this.usedMembers.keys()].filter((id) => this.btf.type(id).name !== '')])]
      .map((id) => this.btf.type(id) as KernelComposite)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id - b.id));
    const lines = ['/* Kernel types this program reads (from BTF; CO-RE: libbpf relocates each access to the running kernel). */'];
    const forwards = named.map((type) => `${this.cName(type)};`);
    const emitted = new Set<BtfTypeId>();
    const bodies: string[] = [];
    // A type read through a pointer needs a definition only when a field of it is read; one embedded by value always does.
    const emit = (type: KernelComposite, path: Set<BtfTypeId>, embedded: boolean) => {
      if (emitted.has(type.id) || (!embedded && !this.usedMembers.has(type.id)) || path.has(type.id)) return;
      path.add(type.id);
      for (const dependency of this.embeddedNamed(type)) emit(dependency, path, true);
      path.delete(type.id);
      emitted.add(type.id);
      bodies.push(`${this.cName(type)} ${this.body(type, '', { next: 0 })} __attribute__((preserve_access_index));`);
    };
    for (const type of named) emit(type, new Set(), false);
    // Declaring a pointer member may have named more types: forward-declare them too.
    const allNamed = [...this.cNames.entries()].sort(([a], [b]) => a - b).map(([, name]) => `${name};`);
    return [...lines, ...[...new Set([...forwards, ...allNamed])].sort(), ...bodies];
  }

  private note(type: KernelComposite): KernelComposite {
    this.reference(type);
    return type;
  }

  /** Named composites embedded by value (or as array elements) among the used members, possibly through anonymous ones. */
  private embeddedNamed(type: KernelComposite, visiting = new Set<BtfTypeId>()): KernelComposite[] {
    const found: KernelComposite[] = [];
    if (visiting.has(type.id)) return found;
    visiting.add(type.id);
    for (const index of [...(this.usedMembers.get(type.id) ?? [])].sort((a, b) => a - b)) {
      let inner: BtfType = this.btf.resolve(type.members[index]!.type);
      while (inner.kind === 'array') inner = this.btf.resolve(inner.element);
      if (inner.kind !== 'struct' && inner.kind !== 'union') continue;
      if (inner.name !== '') found.push(inner);
      else found.push(...this.embeddedNamed(inner, visiting));
    }
    return found;
  }

  private inlineDefinition(type: KernelComposite, indent: string, pads: PadCounter): string {
    return `${type.kind} ${this.body(type, indent, pads)}`;
  }

  /**
   * `{ members with padding }`, indented by `indent` inside an enclosing definition.
   * The members of anonymous members share the enclosing scope in C, so one
   * counter names the padding of a whole definition.
   */
  private body(type: KernelComposite, indent: string, pads: PadCounter): string {
    const inner = `${indent}    `;
    const open = (pads.open ??= new Set());
    if (open.has(type.id)) return `{ __u8 __ks_pad${pads.next++}[${type.size}]; }`;
    open.add(type.id);
    try {
      return this.members(type, indent, inner, pads);
    } finally {
      open.delete(type.id);
    }
  }

  private members(type: KernelComposite, indent: string, inner: string, pads: PadCounter): string {
    const used = [...(this.usedMembers.get(type.id) ?? [])].map((i) => type.members[i]!).sort((a, b) => a.bitOffset - b.bitOffset);
    const lines: string[] = [];
    const pad = (bytes: number) => {
      if (bytes > 0) lines.push(`${inner}__u8 __ks_pad${pads.next++}[${bytes}];`);
    };
    if (type.kind === 'union') {
      for (const member of used) lines.push(`${inner}${this.memberDeclaration(member, inner, pads)};`);
      // The union's size, as a member at offset 0.
      pad(type.size);
    } else {
      let cursorBits = 0;
      for (const member of used) {
        if (member.bitSize > 0) {
          // A bit-field: pad to its byte (unless it continues the byte the previous one ended in), then unnamed bits to its bit.
          const base = intCType(this.btf.sizeOf(member.type), false);
          const startByte = Math.floor(member.bitOffset / 8);
          let gapBits = member.bitOffset - cursorBits;
          if (startByte >= Math.ceil(cursorBits / 8)) {
            pad(startByte - Math.ceil(cursorBits / 8));
            gapBits = member.bitOffset % 8;
          }
          if (gapBits > 0) lines.push(`${inner}${base} : ${gapBits};`);
          lines.push(`${inner}${base} ${member.name} : ${member.bitSize};`);
          cursorBits = member.bitOffset + member.bitSize;
          continue;
        }
        pad(member.bitOffset / 8 - Math.ceil(cursorBits / 8));
        lines.push(`${inner}${this.memberDeclaration(member, inner, pads)};`);
        cursorBits = member.bitOffset + this.btf.sizeOf(member.type) * 8;
      }
      pad(type.size - Math.ceil(cursorBits / 8));
    }
    return `{\n${lines.join('\n')}\n${indent}}${this.layoutOf(type).packed ? ' __attribute__((packed))' : ''}`;
  }

  private memberDeclaration(member: { name: string; type: BtfTypeId }, indent: string, pads: PadCounter): string {
    const type = this.btf.resolve(member.type);
    // An anonymous struct or union member stays anonymous, so its fields are reached as in the kernel.
    if (member.name === '' && (type.kind === 'struct' || type.kind === 'union')) return this.inlineDefinition(type, indent, pads);
    return this.declare(member.type, member.name, { indent, pads });
  }

  /**
   * How C lays out the declaration we emit: its alignment is that of its used
   * members, so a kernel offset that is not a multiple of it (a packed kernel
   * struct), or a size that is not, needs `packed` to keep the kernel's offsets.
   */
  private layoutOf(type: KernelComposite): { packed: boolean; align: number } {
    let layout = this.layouts.get(type.id);
    if (layout) return layout;
    this.layouts.set(type.id, { packed: false, align: 1 }); // a malformed BTF that embeds a type in itself
    const used = [...(this.usedMembers.get(type.id) ?? [])].map((i) => type.members[i]!);
    let align = 1;
    let packed = false;
    for (const member of used) {
      const memberAlign = member.bitSize > 0 ? this.btf.sizeOf(member.type) : this.alignOf(member.type);
      align = Math.max(align, memberAlign);
      if (member.bitSize === 0 && (member.bitOffset / 8) % memberAlign !== 0) packed = true;
    }
    if (type.size % align !== 0) packed = true;
    layout = { packed, align: packed ? 1 : align };
    this.layouts.set(type.id, layout);
    return layout;
  }

  private alignOf(id: BtfTypeId): number {
    const type = this.btf.resolve(id);
    switch (type.kind) {
      case 'int':
      case 'enum':
        return isPlainIntSize(type.size) ? type.size : 1;
      case 'float':
        return type.size;
      case 'ptr':
        return 8;
      case 'array':
        return this.alignOf(type.element);
      case 'struct':
      case 'union':
        return this.layoutOf(type).align;
      default:
        return 1;
    }
  }
}

/** One top-level definition being written: its padding counter, and the composites open inside it (a malformed BTF may nest a type in itself). */
interface PadCounter {
  next: number;
  open?: Set<BtfTypeId>;
}

const isPlainIntSize = (size: number) => size === 1 || size === 2 || size === 4 || size === 8;

/** The libbpf integer type of a size and signedness. */
export function intCType(size: 1 | 2 | 4 | 8 | number, signed: boolean): string {
  return `__${signed ? 's' : 'u'}${size * 8}`;
}
