// The kernel as one compile sees it (LANGUAGE.md §13): its structs, unions,
// enums and typedefs by C name, their fields as language types, function
// prototypes for typed probes and kfuncs, and tracepoint records. Built on the
// KernelInputs the driver hands in; the BTF is read the first time a program
// needs it, so a compile that names no kernel type never reads it.
import type * as ast from '../phases/1-parse/ast.js';
import { located } from '../diagnostics/diagnostic.js';
import type { Btf } from '../btf/btf.js';
import { BtfError } from '../btf/btf.js';
import type { BtfTypeId } from '../btf/btf-types.js';
import { BOOL, INT_TYPES, sameType, typeName, VOID, type KernelStructType, type Type } from '../phases/2-symbols/types.js';
import type { KfuncSymbol } from '../phases/2-symbols/symbol-table.js';
import type { IntName } from '../metadata.js';
import { nearestNames } from '../util/suggest.js';
import { KernelTypeSet } from './kernel-c-types.js';
import { compositeOf, fieldNames, findField, findKernelType, nearestFields, type FieldPath, type KernelComposite } from './kernel-fields.js';
import type { KernelInputs, TracepointField } from './kernel-inputs.js';
import { tracepointRecord, type TracepointRecord } from './tracepoint-record.js';

/** A field of a kernel struct, as a program reads it. */
export interface KernelField {
  path: FieldPath;
  type: Type;
  /** A bit-field: read with a bit-field relocation, not as a plain member. */
  bitfield: boolean;
}

/** A kernel struct's field as the editor describes it. */
export interface DescribedField {
  name: string;
  /** Null where a read of it is an error (a float). */
  type: Type | null;
  offset: number;
}

/** A kernel function's prototype, as `ctx.args.NAME` and `ctx.ret()` see it. */
export interface KernelPrototype {
  name: string;
  params: { name: string; type: Type }[];
  returns: Type;
}

interface Loaded {
  btf: Btf;
  uses: KernelTypeSet;
}

/** Where no source position applies (a listing for completion, never reported). */
const NO_SPAN: ast.Span = { start: { offset: 0, line: 1, column: 1 }, end: { offset: 0, line: 1, column: 1 } };

const HELP_BTF = "help: compile on a machine whose kernel has BTF (/sys/kernel/btf/vmlinux), or name a BTF file: kernelscript --btf FILE, or the plugin's `btf` option";

export class KernelTypes {
  private loaded: Loaded | { error: string } | null = null;
  private readonly records = new Map<string, TracepointRecord | null>();

  constructor(private readonly inputs: KernelInputs | undefined) {}

  /** The declarations of the kernel types the program used, for the generated C; null when it used none. */
  get uses(): KernelTypeSet | null {
    return this.loaded && 'uses' in this.loaded && !this.loaded.uses.empty ? this.loaded.uses : null;
  }

  /** The BTF, or why there is none; read on first call. */
  private load(): Loaded | { error: string } {
    if (this.loaded) return this.loaded;
    if (!this.inputs?.btf) return (this.loaded = { error: 'no kernel BTF was given to the compiler' });
    try {
      const btf = this.inputs.btf();
      this.loaded = { btf, uses: new KernelTypeSet(btf) };
    } catch (error) {
      this.loaded = { error: error instanceof Error ? error.message : String(error) };
    }
    return this.loaded;
  }

  /** The BTF, or a located error saying what needed it and why there is none. */
  private require(what: string, span: ast.Span): Loaded {
    const loaded = this.load();
    if ('error' in loaded) throw located('KS6001', `${what} needs the kernel's BTF, which is not available: ${loaded.error}`, span, HELP_BTF);
    return loaded;
  }

  /** `*NAME` for a kernel struct or union NAME (also through a typedef), or null when the BTF has none (or there is no BTF). */
  pointerTo(name: string, span: ast.Span): Type | null {
    const found = this.composite(name);
    return found && this.pointer(found.loaded, found.composite, span);
  }

  /** The struct or union NAME (also through a typedef) in the BTF, or null when there is none or no BTF. */
  private composite(name: string): { loaded: Loaded; composite: KernelComposite } | null {
    const loaded = this.load();
    if ('error' in loaded) return null;
    const found = findKernelType(loaded.btf, name);
    const composite = found && compositeOf(loaded.btf, found.id);
    return composite ? { loaded, composite } : null;
  }

  /** `*task_struct`, for built-ins that return kernel pointers (bpf_get_current_task). */
  pointerToStruct(name: string, what: string, span: ast.Span): Type {
    const loaded = this.require(what, span);
    const composite = loaded.btf.findOne(name, 'struct');
    if (!composite) throw located('KS6002', `${what} returns a *${name}, but the kernel's BTF has no struct ${name}`, span);
    return this.pointer(loaded, composite, span);
  }

  /**
   * A kernel type used by value: an integer typedef or enum (`pid_t`, `u32`,
   * `pid_type`) is its integer type; a struct or union is an error that says
   * to read it through a pointer; null when the BTF has no such type.
   */
  byValue(name: string, span: ast.Span): Type | null {
    const loaded = this.load();
    if ('error' in loaded) return null;
    const found = findKernelType(loaded.btf, name);
    if (!found) return null;
    const resolved = loaded.btf.resolve(found.id);
    if (resolved.kind === 'int' || resolved.kind === 'enum') return this.valueType(loaded, found.id, name, span);
    throw located('KS6003', `kernel type '${name}' is read through a pointer: write *${name}`, span);
  }

  /** The kernel struct or union NAME (also through a typedef) for describing it, recording no use; null when the BTF has none. */
  describe(name: string): KernelStructType | null {
    const found = this.composite(name);
    return found && found.composite.name !== '' ? this.structType(found.loaded, found.composite, '') : null;
  }

  /** Why there are no kernel types, or null when the BTF is there (error path: reads it). */
  unavailable(): string | null {
    const loaded = this.load();
    return 'error' in loaded ? loaded.error : null;
  }

  /** Kernel struct and union names near a misspelt one (error path only: decodes every name). */
  nearestTypeNames(name: string): string[] {
    const loaded = this.load();
    if ('error' in loaded) return [];
    return nearestNames(name, loaded.btf.names(['struct', 'union']), 3);
  }

  /** The field `property` of a kernel struct or union, as the program reads it. */
  field(owner: KernelStructType, property: ast.Identifier): KernelField {
    const loaded = this.require('reading a kernel struct', property.span);
    const composite = loaded.btf.type(owner.btfId) as KernelComposite;
    const path = findField(loaded.btf, composite, property.name);
    if (!path) {
      const nearest = nearestFields(loaded.btf, composite, property.name);
      throw located(
        'KS6004',
        `${owner.union ? 'union' : 'struct'} ${owner.name} has no field '${property.name}'`,
        property.span,
        nearest.length > 0 ? `help: the nearest fields are ${nearest.map((n) => `'${n}'`).join(', ')}` : `note: its fields are ${fieldNames(loaded.btf, composite).slice(0, 8).join(', ')}...`,
      );
    }
    const member = path.steps.at(-1)!.member;
    const type = this.valueType(loaded, path.type, `${owner.name}.${property.name}`, property.span);
    if (type.kind === 'array' && type.length === 0) {
      throw located('KS6005', `${owner.name}.${property.name} is a flexible array member (its length is not in the type)`, property.span, 'help: read its elements with bpf_probe_read_kernel into a buffer of the length you know');
    }
    loaded.uses.useField(path);
    return { path, type, bitfield: member.bitSize > 0 };
  }

  /** The fields of a kernel struct or union for completion (anonymous members' fields included); empty without BTF. */
  fieldList(owner: KernelStructType): DescribedField[] {
    const loaded = this.load();
    if ('error' in loaded) return [];
    return fieldNames(loaded.btf, loaded.btf.type(owner.btfId) as KernelComposite).flatMap((name) => this.describeField(owner, name) ?? []);
  }

  /** The field `name` of a kernel struct or union for hover and completion; null when there is none. */
  describeField(owner: KernelStructType, name: string): DescribedField | null {
    const loaded = this.load();
    if ('error' in loaded) return null;
    const path = findField(loaded.btf, loaded.btf.type(owner.btfId) as KernelComposite, name);
    if (!path) return null;
    let type: Type | null;
    try {
      type = this.valueType(loaded, path.type, `${owner.name}.${name}`, NO_SPAN);
    } catch {
      type = null;
    }
    return { name, type, offset: Math.floor(path.bitOffset / 8) };
  }


  /** The prototype of kernel function `name` (a probe's target), or null when the BTF is missing or lacks it. */
  prototype(name: string, span: ast.Span, what: string): KernelPrototype {
    const loaded = this.require(what, span);
    const func = loaded.btf.findOne(name, 'func');
    if (!func) {
      const nearest = nearestNames(name, loaded.btf.names(['func']), 3);
      throw located('KS6006', `the kernel's BTF has no function '${name}'`, span, ...(nearest.length > 0 ? [`help: did you mean ${nearest.map((n) => `'${n}'`).join(', ')}?`] : []));
    }
    const proto = loaded.btf.typeOf(func.proto, 'func_proto');
    return {
      name,
      params: proto.params.map((p, i) => ({ name: p.name || `arg${i}`, type: this.valueType(loaded, p.type, `parameter ${p.name || i} of ${name}`, span) })),
      returns: proto.returns === 0 ? VOID : this.valueType(loaded, proto.returns, `the result of ${name}`, span),
    };
  }

  /**
   * `extern fn`: the BTF has the function, marks it a kfunc (`__bpf_kfunc`
   * leaves a `bpf_kfunc` decl tag; a BTF without any such tags is trusted),
   * and its parameters and result have the declared types.
   */
  checkKfunc(kfunc: KfuncSymbol): void {
    const { decl } = kfunc;
    const name = decl.name.name;
    const loaded = this.require(`extern fn ${name}`, decl.name.span);
    const func = loaded.btf.findOne(name, 'func');
    if (!func) {
      const nearest = nearestNames(name, loaded.btf.names(['func']), 3);
      throw located('KS6006', `the kernel has no function '${name}'`, decl.name.span, ...(nearest.length > 0 ? [`help: did you mean ${nearest.map((n) => `'${n}'`).join(', ')}?`] : []));
    }
    const tags = loaded.btf.find('bpf_kfunc', ['decl_tag']);
    if (tags.length > 0 && !tags.some((tag) => tag.kind === 'decl_tag' && tag.target === func.id)) {
      throw located('KS6007', `'${name}' is a kernel function but not a kfunc: BPF programs may call only the functions the kernel marks __bpf_kfunc`, decl.name.span);
    }
    const prototype = this.prototype(name, decl.name.span, `extern fn ${name}`);
    if (prototype.params.length !== kfunc.params.length) {
      throw located('KS6008', `${name} takes ${prototype.params.length} parameter(s) in the kernel (${prototype.params.map((p) => `${p.name}: ${typeName(p.type)}`).join(', ')}), not ${kfunc.params.length}`, decl.span);
    }
    kfunc.params.forEach((param, i) => {
      const kernel = prototype.params[i]!;
      if (!sameType(kernel.type, param.type)) throw located('KS6009', `parameter ${i + 1} of ${name} is ${typeName(kernel.type)} in the kernel, not ${typeName(param.type)}`, param.span);
    });
    if (!sameType(prototype.returns, kfunc.returnType)) {
      throw located('KS6010', `${name} returns ${typeName(prototype.returns)} in the kernel, not ${typeName(kfunc.returnType)}`, decl.returnType?.span ?? decl.name.span);
    }
  }

  /** The record of tracepoint `event` (`category/name`): from tracefs, or the BTF when tracefs lacks it. */
  tracepoint(event: string, span: ast.Span): TracepointRecord {
    if (!this.records.has(event)) {
      let record = tracepointRecord(event, this.inputs?.tracepointFormat ?? null, null);
      if (!record) {
        const loaded = this.load();
        record = 'error' in loaded ? null : tracepointRecord(event, null, loaded.btf);
      }
      this.records.set(event, record);
    }
    const record = this.records.get(event);
    if (!record) {
      throw located(
        'KS6011',
        `no description of tracepoint '${event}': tracefs has no events/${event}/format here and the kernel's BTF no struct trace_event_raw_${event.split('/')[1] ?? event}`,
        span,
        'help: mount tracefs (mount -t tracefs tracefs /sys/kernel/tracing) on the build machine, check the event name, or read the record with ctx.read<T>(offset)',
      );
    }
    return record;
  }

  /** The language type of a tracepoint record field. */
  recordFieldType(field: TracepointField): Type {
    if (field.dataLocation !== null) return INT_TYPES.u32;
    if (field.pointer) return INT_TYPES.u64;
    if (field.arrayLength !== null && field.arrayLength > 0) {
      const elementSize = field.size / field.arrayLength;
      const element = CHAR_TYPES.has(field.cType) ? INT_TYPES.u8 : intType(elementSize, field.signed) ?? INT_TYPES.u8;
      return { kind: 'array', element, length: element === INT_TYPES.u8 && elementSize !== 1 ? field.size : field.arrayLength };
    }
    if ((field.cType === 'bool' || field.cType === '_Bool') && field.size === 1) return BOOL;
    return intType(field.size, field.signed) ?? { kind: 'array', element: INT_TYPES.u8, length: field.size };
  }

  private pointer(loaded: Loaded, composite: KernelComposite, span: ast.Span): Type {
    if (composite.name === '') throw located('KS6012', 'an anonymous kernel struct cannot be read through a pointer: CO-RE finds types by name', span);
    loaded.uses.reference(composite);
    return { kind: 'kernel_pointer', target: this.structType(loaded, composite, '') };
  }

  private structType(loaded: Loaded, composite: KernelComposite, where: string): KernelStructType {
    return {
      kind: 'kernel_struct',
      name: composite.name || `(anonymous ${composite.kind} in ${where})`,
      btfId: composite.id,
      union: composite.kind === 'union',
      size: composite.size,
      cName: composite.name === '' ? '' : loaded.uses.cName(composite),
    };
  }

  /** A BTF type as the language type a read of it yields. */
  private valueType(loaded: Loaded, id: BtfTypeId, where: string, span: ast.Span): Type {
    const { btf } = loaded;
    let type;
    try {
      type = btf.resolve(id);
    } catch (error) {
      if (error instanceof BtfError) throw located('KS6013', `the kernel's BTF is malformed at ${where}: ${error.message}`, span);
      throw error;
    }
    switch (type.kind) {
      case 'int':
        if (type.bool) return BOOL;
        if (type.char && type.size === 1) return INT_TYPES.u8;
        return intType(type.size, type.signed) ?? { kind: 'array', element: INT_TYPES.u8, length: type.size };
      case 'enum':
        return intType(type.size, type.signed) ?? INT_TYPES.u32;
      case 'ptr': {
        let target = btf.resolve(type.target);
        // A pointer to a forward declaration: the full struct of that name, when the BTF has it.
        if (target.kind === 'fwd') target = btf.findOne(target.name, target.union ? 'union' : 'struct') ?? target;
        if ((target.kind === 'struct' || target.kind === 'union') && target.name !== '') return this.pointer(loaded, target, span);
        // Any other pointer (to an integer, a function, void...) is an address.
        return INT_TYPES.u64;
      }
      case 'array': {
        const element = this.valueType(loaded, type.element, where, span);
        return { kind: 'array', element, length: type.length };
      }
      case 'struct':
      case 'union':
        return this.structType(loaded, type, where);
      case 'float':
        throw located('KS6014', `${where} is a floating-point value, which BPF programs cannot use`, span);
      default:
        return INT_TYPES.u64;
    }
  }
}

const CHAR_TYPES = new Set(['char', 'unsigned char', 'signed char', 'u8', '__u8', 's8', '__s8', 'uint8_t', 'int8_t']);

function intType(size: number, signed: boolean): Type | null {
  if (size !== 1 && size !== 2 && size !== 4 && size !== 8) return null;
  return INT_TYPES[`${signed ? 'i' : 'u'}${size * 8}` as IntName];
}
