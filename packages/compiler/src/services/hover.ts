// Hover: what the name or expression under the cursor is. Maps show their
// layout and, from the multi-program analysis, who reads, writes and
// read-modify-writes them; programs show their section, context and
// resource figures; any other expression shows its type.
import type * as ast from '../phases/1-parse/ast.js';
import { walk } from '../phases/1-parse/walk.js';
import type { MapReport } from '../phases/4-analyze/analysis.js';
import { BPF_STACK_LIMIT } from '../phases/5-ir/resources.js';
import { kernelTypesOf } from '../phases/2-symbols/symbol-table.js';
import { sizeOf, typeName, type KernelStructType, type StructType, type Type } from '../phases/2-symbols/types.js';
import type { FunctionSymbol } from '../phases/2-symbols/symbol-table.js';
import type { BuiltinFunction } from '../language/builtin-functions.js';
import { PROGRAM_KINDS } from '../language/program-kinds.js';
import type { DocumentCheck } from './document.js';
import { indexOf, type Entity } from './symbol-index.js';

export interface Hover {
  /** Markdown: a `kernelscript` code block with the declaration, then prose. */
  markdown: string;
  span: ast.Span;
}

export function hover(check: DocumentCheck, offset: number): Hover | null {
  const occurrence = indexOf(check).at(offset);
  if (occurrence) return { markdown: describe(check, occurrence.entity), span: occurrence.span };
  const expr = innermostTypedExpression(check, offset);
  if (!expr) return null;
  return { markdown: code(typeName(expr.type)), span: expr.node.span };
}

const code = (text: string) => `\`\`\`kernelscript\n${text}\n\`\`\``;

/** The hover text of an entity; also the documentation of completion items. */
export function describe(check: DocumentCheck, entity: Entity): string {
  switch (entity.kind) {
    case 'map':
      return describeMap(check, entity.map.name);
    case 'program':
      return describeProgram(check, entity.program.name);
    case 'function':
      return [code(signature(entity.fn)), ownerText(entity.fn)].join('\n\n');
    case 'local': {
      const { local } = entity;
      const keyword = local.isParam ? 'parameter' : local.isConst ? 'const' : 'let';
      const notes = local.fromMapElement ? ['A copy of a map element: `== null` tells whether the key was present.'] : [];
      if (local.type.kind === 'pointer') notes.push('A nullable view: test it against `null` before using its fields.');
      return [code(`${keyword} ${local.name}: ${typeName(local.type)}`), ...notes].join('\n\n');
    }
    case 'struct':
      return [code(structText(entity.type)), `${entity.type.size} bytes, aligned to ${entity.type.align}${entity.decl ? '' : `; the kernel's \`${entity.type.cName}\``}.`].join('\n\n');
    case 'enum': {
      const variants = [...entity.type.values].map(([name, value]) => `  ${name} = ${value},`);
      return [code([`enum ${entity.name} {`, ...variants, '}'].join('\n')), `Stored as ${entity.type.underlying.name}.`].join('\n\n');
    }
    case 'variant':
      return code(`${entity.enumName}::${entity.name} = ${entity.value}`);
    case 'alias':
      return code(`type ${entity.name} = ${typeName(entity.type)}`);
    case 'field':
      return [code(`${entity.struct.name}.${entity.name}: ${typeName(entity.fieldType)}`), `Offset ${entity.offset}, ${sizeOf(entity.fieldType)} bytes.`].join('\n\n');
    case 'kernel-struct':
      return describeKernelStruct(check, entity.type);
    case 'kernel-field':
      return [code(`${entity.owner.name}.${entity.name}: ${kernelFieldType(entity.fieldType)}`), kernelFieldNote(entity.owner, entity.offset)].join('\n\n');
    case 'const':
      return code(`const ${entity.name}: ${typeName(entity.symbol.type)} = ${entity.symbol.value}`);
    case 'config':
      return [code(`config.${entity.name}: ${typeName(entity.config.type)} = ${entity.config.defaultValue}`), 'Load-time configuration: set by the loader before load, a constant to the verifier.'].join('\n\n');
    case 'builtin-function':
      return [code(builtinSignature(entity.builtin)), `Built-in (${entity.builtin.side === 'both' ? 'kernel and userspace' : entity.builtin.side}); C: \`${entity.builtin.cName}\`.`].join('\n\n');
    case 'builtin-constant':
      return code(`${entity.name}: ${entity.type} = ${entity.value}`);
    case 'builtin-type':
      return code(typeName(entity.type));
    case 'context-member':
      return code(`${entity.context}.${entity.name}${entity.memberType ? `: ${typeName(entity.memberType)}` : ''}`);
    case 'map-method':
      return code(`${entity.map.name}.${entity.name}(...)`);
  }
}

function describeMap(check: DocumentCheck, name: string): string {
  const map = check.symbols!.maps.find((m) => m.name === name)!;
  const report = check.analysis?.maps.find((m) => m.name === name) ?? null;
  const types = map.key ? `${typeName(map.key)}, ${typeName(map.value)}` : typeName(map.value);
  const facts = [
    `**${map.kind.sourceName}** (${map.kind.bpfType}), ${map.program ? `local to program \`${map.program}\`` : 'global'}`,
    map.key ? `key ${sizeOf(map.key)} B, value ${sizeOf(map.value)} B, ${map.maxEntries} entries` : `${map.maxEntries} bytes`,
    ...(map.pinPath ? [`pinned at \`${map.pinPath}\``] : []),
    ...(map.objectName !== map.name ? [`\`${map.objectName}\` in the object file`] : []),
  ];
  const sections = [code(`map<${types}> ${map.declName} : ${map.kind.sourceName}(${map.maxEntries})`), facts.join(' · ')];
  if (report) sections.push(accessSummary(report));
  for (const conflict of check.analysis?.conflicts.filter((c) => c.map === name) ?? []) sections.push(`⚠️ ${conflict.message} — ${conflict.fix}`);
  for (const suggestion of check.analysis?.suggestions.filter((s) => s.map === name) ?? []) sections.push(`💡 ${suggestion.message}`);
  return sections.join('\n\n');
}

/** Who reads, writes and read-modify-writes the map, and where. */
function accessSummary(report: MapReport): string {
  if (report.accesses.length === 0) return 'No program or userspace code touches this map.';
  const byAccessor = new Map<string, string[]>();
  for (const access of report.accesses) {
    const who = access.accessor.kind === 'program' ? `program \`${access.accessor.program}\`` : 'userspace';
    const what = `${access.access}${access.access === 'read-modify-write' ? (access.atomic ? ' (atomic)' : ' (not atomic)') : ''} at line ${access.location.line}`;
    if (!byAccessor.has(who)) byAccessor.set(who, []);
    if (!byAccessor.get(who)!.includes(what)) byAccessor.get(who)!.push(what);
  }
  const lines = [...byAccessor].map(([who, what]) => `- ${who}: ${what.join(', ')}`);
  const roles = [
    `readers: ${report.readers.join(', ') || 'none'}`,
    `writers: ${report.writers.join(', ') || 'none'}`,
    `read-modify-writers: ${report.readModifyWriters.join(', ') || 'none'}`,
  ];
  return [`**Accesses** (${roles.join('; ')})`, ...lines].join('\n');
}

function describeProgram(check: DocumentCheck, name: string): string {
  const program = check.symbols!.programs.find((p) => p.name === name)!;
  const kind = PROGRAM_KINDS[program.info.kind];
  const header = `program ${program.name} : ${program.info.kind}${program.target ? `("${program.target}")` : ''}`;
  const facts = [`section \`${program.section}\``, `fn main(ctx: ${program.main.params[0] ? typeName(program.main.params[0].type) : '?'}) -> ${kind.returnType}`];
  const sections = [code(header), facts.join(' · ')];
  const plan = check.resources()?.programs.find((p) => p.program === name);
  if (plan) {
    sections.push(
      `**Resources**: ~${plan.estimatedInstructions} instructions (estimated), ${plan.stackBytes} of ${BPF_STACK_LIMIT} bytes of stack, ${plan.mapMemoryBytes} bytes of maps${plan.withinLimits ? '' : ' — over the verifier limits'}` +
        (plan.largestLocals.length > 0 ? `\n\nLargest locals: ${plan.largestLocals.map((l) => `\`${l.name}\` ${l.bytes} B in ${l.function}`).join(', ')}` : ''),
    );
  }
  const report = check.analysis?.programs.find((p) => p.name === name);
  if (report) sections.push(`Reaches ${report.functions.map((f) => `\`${f}\``).join(', ')}; maps: ${report.maps.map((m) => `\`${m}\``).join(', ') || 'none'}.`);
  return sections.join('\n\n');
}

export function signature(fn: FunctionSymbol): string {
  const params = fn.params.map((p) => `${p.name}: ${typeName(p.type)}`).join(', ');
  return `fn ${fn.name}(${params})${fn.returnType.kind === 'void' ? '' : ` -> ${typeName(fn.returnType)}`}`;
}

function ownerText(fn: FunctionSymbol): string {
  switch (fn.owner.kind) {
    case 'program':
      return `In program \`${fn.owner.program}\`.`;
    case 'kernel':
      return 'A kernel helper: callable from every program (inlined into each).';
    case 'userspace':
      return 'Userspace: part of the coordinator.';
  }
}

/** How a built-in is called, from its form in the table. */
export function builtinSignature(builtin: BuiltinFunction): string {
  const { form } = builtin;
  switch (form.kind) {
    case 'format':
      return `fn ${builtin.name}(format: string, values...)`;
    case 'min-max':
      return `fn ${builtin.name}(a: T, b: T) -> T`;
    case 'program':
      return `fn ${builtin.name}(program${form.target ? ', target: string' : ''}) -> i32`;
    case 'signature': {
      const params = form.params.map((p, i) => `${String.fromCharCode(97 + i)}: ${typeName(p)}`).join(', ');
      return `fn ${builtin.name}(${params})${form.returns.kind === 'void' ? '' : ` -> ${typeName(form.returns)}`}`;
    }
    case 'probe-read':
      return `fn ${builtin.name}(dst: place, src: u64 | *kernel_struct) -> i64`;
    case 'current-task':
      return `fn ${builtin.name}() -> *task_struct`;
    case 'field-exists':
      return `fn ${builtin.name}(p.field) -> bool`;
    case 'string-compare':
      return `fn ${builtin.name}(a: [u8; N], literal: string) -> bool`;
    case 'packet': {
      const params = form.params.map((p, i) => `${String.fromCharCode(97 + i)}: ${'reference' in p ? `${typeName(p.reference)} (filled in)` : typeName(p)}`);
      return `fn ${builtin.name}(ctx, ${params.join(', ')}) -> ${typeName(form.returns)}`;
    }
    case 'redirect':
      return `fn ${builtin.name}(ifindex: u32, flags: u64) -> XdpAction | TcAction`;
    case 'header-checksum':
      return `fn ${builtin.name}(ip: *Ipv4Hdr) -> u16`;
  }
}

function structText(type: StructType): string {
  return [`struct ${type.name} {`, ...type.fields.map((f) => `  ${f.name}: ${typeName(f.type)}, // offset ${f.offset}`), '}'].join('\n');
}

/** The smallest expression around `offset` that the type checker gave a type. */
function innermostTypedExpression(check: DocumentCheck, offset: number): { node: ast.Expr; type: Type } | null {
  const typed = check.typed;
  if (!typed) return null;
  let best: { node: ast.Expr; type: Type } | null = null;
  for (const fn of typed.functions) {
    const body = fn.symbol.decl.body;
    if (offset < body.span.start.offset || offset > body.span.end.offset) continue;
    walk(body, (node) => {
      if (offset < node.span.start.offset || offset > node.span.end.offset) return false;
      const type = typed.types.get(node as ast.Expr);
      if (type && type.kind !== 'void' && (!best || node.span.end.offset - node.span.start.offset <= best.node.span.end.offset - best.node.span.start.offset)) best = { node: node as ast.Expr, type };
      return true;
    });
  }
  return best;
}

/** How many fields a kernel struct's hover lists (task_struct has hundreds). */
const KERNEL_FIELDS_SHOWN = 24;

function describeKernelStruct(check: DocumentCheck, type: KernelStructType): string {
  const fields = (check.symbols && kernelTypesOf(check.symbols.global)?.fieldList(type)) || [];
  const shown = fields.slice(0, KERNEL_FIELDS_SHOWN).map((f) => `  ${f.name}: ${kernelFieldType(f.type)}, // offset ${f.offset}`);
  const more = fields.length > KERNEL_FIELDS_SHOWN ? [`  // ... ${fields.length - KERNEL_FIELDS_SHOWN} more`] : [];
  const keyword = type.union ? 'union' : 'struct';
  return [code([`${keyword} ${type.name} {`, ...shown, ...more, '}'].join('\n')), `The kernel's \`${keyword} ${type.name}\`, ${type.size} bytes in this kernel's BTF: read through a pointer, each field a CO-RE read.`].join('\n\n');
}

export const kernelFieldType = (type: Type | null) => (type ? typeName(type) : 'not readable');

/** Where a kernel field sits, for hover and completion. */
export const kernelFieldNote = (owner: KernelStructType, offset: number) => `Offset ${offset} in ${owner.union ? 'union' : 'struct'} ${owner.name} (this kernel's BTF; CO-RE relocates it).`;
