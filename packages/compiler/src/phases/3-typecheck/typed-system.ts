// What the type checker hands to IR lowering: the type of every expression and
// what every name refers to, as side tables keyed by syntax node.
import type * as ast from '../1-parse/ast.js';
import type { BuiltinFunction } from '../../language/builtin-functions.js';
import type { ContextInfo } from '../../language/context-members.js';
import type { ConfigSymbol, FunctionSymbol, KfuncSymbol, MapSymbol, ProgramSymbol, SymbolTable } from '../2-symbols/symbol-table.js';
import type { Type } from '../2-symbols/types.js';
import type { KernelField } from '../../kernel/kernel-types.js';
import type { TracepointField } from '../../kernel/kernel-inputs.js';

export interface LocalVariable {
  name: string;
  /** Unique within its function (shadowed names get a suffix). */
  cName: string;
  type: Type;
  isConst: boolean;
  isParam: boolean;
  span: ast.Span;
  /** Bound from `m[k]`: `v == null` tests whether the key was present. */
  fromMapElement: boolean;
}

export type Resolution =
  | { kind: 'local'; local: LocalVariable }
  | { kind: 'map'; map: MapSymbol }
  | { kind: 'constant'; value: bigint | boolean; type: Type; cName: string | null }
  | { kind: 'action'; constant: string; value: number }
  | { kind: 'config'; config: ConfigSymbol }
  | { kind: 'function'; fn: FunctionSymbol }
  | { kind: 'builtin'; builtin: BuiltinFunction }
  | { kind: 'program'; program: ProgramSymbol }
  | { kind: 'context' }
  /** `for (k, v) in m`: the two loop locals. */
  | { kind: 'iteration'; map: MapSymbol; key: LocalVariable; value: LocalVariable }
  /** `p.field` on a kernel pointer or struct: a CO-RE read (LANGUAGE.md §13). */
  | { kind: 'kernelField'; field: KernelField }
  /** `ctx.FIELD` of a tracepoint: a field of the event's record. */
  | { kind: 'recordField'; field: TracepointField }
  /** `ctx.args.NAME` of a typed probe: parameter `index` of the probed function. */
  | { kind: 'probeArg'; index: number }
  /** A call of an `extern fn` kfunc. */
  | { kind: 'kfunc'; kfunc: KfuncSymbol };

export interface TypedFunction {
  symbol: FunctionSymbol;
  side: 'kernel' | 'userspace';
  /** The program whose code this is; null for shared kernel helpers and userspace. */
  program: ProgramSymbol | null;
  /** The context it runs with: its context parameter's, else its program's; null in userspace and shared helpers without one. */
  context: ContextInfo | null;
  params: LocalVariable[];
  locals: LocalVariable[];
}

export interface TypedSystem {
  symbols: SymbolTable;
  functions: TypedFunction[];
  types: Map<ast.Expr, Type>;
  resolutions: Map<ast.Expr | ast.LetStmt | ast.ForRangeStmt | ast.ForEachStmt, Resolution>;
  /** Programs reached by tail_call → their slot in the generated ProgArray. */
  tailCallSlots: Map<string, number>;
  /** Matches without `_` whose arms cover every value of a bool or enum subject: the last arm is their `else`. */
  exhaustiveMatches: Set<ast.MatchExpr>;
}
