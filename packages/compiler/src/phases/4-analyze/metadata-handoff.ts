// LANGUAGE.md §12, the XDP → tc hand-off: an XDP program leaves a T in the
// metadata before the packet (`ctx.meta<T>()` after bpf_xdp_adjust_meta), and
// a tc ingress program on the same interface reads it back. Nothing in the
// kernel checks that both mean the same T — a mismatch silently reads garbage
// — so every writer is paired with every reader here, and a reader whose T
// is not the writer's is an error naming both programs and both types.
import type * as ast from '../1-parse/ast.js';
import { walk } from '../1-parse/walk.js';
import type { DiagnosticBag } from '../../diagnostics/diagnostic.js';
import { CONTEXTS } from '../../language/context-members.js';
import type { FunctionSymbol, ProgramSymbol } from '../2-symbols/symbol-table.js';
import { sameType, sizeOf, typeName, type Type } from '../2-symbols/types.js';
import type { TypedSystem } from '../3-typecheck/typed-system.js';
import type { MetadataAccess, MetadataAnalysis } from './analysis.js';

/** A metadata access with what pairing needs beyond the report: the type itself and the call's span. */
interface FoundAccess {
  access: MetadataAccess;
  type: Type;
  span: ast.Span;
  /** A tc egress program: XDP metadata never reaches it. */
  egress: boolean;
}

/** The `ctx.meta<T>()` calls of `program`, in the functions it runs. */
export function metadataAccessesOf(program: ProgramSymbol, functions: Iterable<FunctionSymbol>, typed: TypedSystem): FoundAccess[] {
  const method = CONTEXTS[program.info.context]?.methods.meta;
  if (method?.form !== 'meta') return [];
  const found: FoundAccess[] = [];
  for (const fn of functions) {
    walk(fn.decl.body, (node) => {
      if (node.kind !== 'CallExpr' || node.callee.kind !== 'MemberExpr' || node.callee.property.name !== 'meta') return;
      if (typed.resolutions.get(node.callee.object)?.kind !== 'context') return;
      const view = typed.types.get(node);
      if (view?.kind !== 'pointer') return;
      const access: MetadataAccess = {
        program: program.name,
        role: method.role,
        type: typeName(view.target),
        size: sizeOf(view.target),
        function: fn.name,
        location: { line: node.span.start.line, column: node.span.start.column },
      };
      found.push({ access, type: view.target, span: node.span, egress: program.target === 'egress' });
    });
  }
  return found;
}

/** Pairs writers with readers; reports mismatched types (errors) and readers that can never see XDP metadata (warnings). */
export function pairMetadata(found: FoundAccess[], diagnostics: DiagnosticBag): MetadataAnalysis {
  const writers = found.filter((f) => f.access.role === 'writer');
  const readers = found.filter((f) => f.access.role === 'reader');
  const handoffs: MetadataAnalysis['handoffs'] = [];
  const paired = new Set<string>();
  for (const reader of readers) {
    if (reader.egress) {
      diagnostics.warning(
        'KS7010',
        `tc egress program '${reader.access.program}' reads packet metadata, but XDP metadata reaches only tc ingress: on egress there is none`,
        reader.span,
        'help: read it in a tc("ingress") program on the interface the XDP program is attached to',
      );
      continue;
    }
    for (const writer of writers) {
      if (!sameType(writer.type, reader.type)) {
        diagnostics.error(
          'KS7009',
          `packet metadata mismatch: xdp program '${writer.access.program}' writes ${writer.access.type} (${writer.access.size} bytes), but tc program '${reader.access.program}' reads ${reader.access.type} (${reader.access.size} bytes)`,
          reader.span,
          `note: '${writer.access.program}' writes its metadata at line ${writer.access.location.line}`,
          `help: read it as ctx.meta<${writer.access.type}>(), or write and read one struct type`,
        );
        continue;
      }
      const key = `${writer.access.program}\0${reader.access.program}`;
      if (paired.has(key)) continue;
      paired.add(key);
      handoffs.push({ writer: writer.access.program, reader: reader.access.program, type: writer.access.type, size: writer.access.size });
    }
  }
  return { accesses: found.map((f) => f.access), handoffs };
}
