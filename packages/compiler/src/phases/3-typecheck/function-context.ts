// What checking one function needs besides the environment: the function,
// where it runs, the declarations it sees, and the tables the checker fills
// (a type for every expression, a resolution for every name, its locals).
import type * as ast from '../1-parse/ast.js';
import type { DiagnosticBag } from '../../diagnostics/diagnostic.js';
import { CONTEXTS, type ContextInfo } from '../../language/context-members.js';
import { scopeConstants, type ConstNames } from '../2-symbols/const-eval.js';
import { resolveType } from '../2-symbols/resolve-type.js';
import type { FunctionSymbol, ProgramSymbol, Scope } from '../2-symbols/symbol-table.js';
import type { Type } from '../2-symbols/types.js';
import type { Environment } from './environment.js';
import { FreshNames } from '../../util/fresh-names.js';
import { cIdentifier } from '../../language/c-identifiers.js';
import type { LocalVariable, Resolution, TypedSystem } from './typed-system.js';
import { programNamed } from './symbol-index.js';

export class FunctionContext {
  readonly side: 'kernel' | 'userspace';
  /** The program whose code this is; null for shared kernel helpers and userspace. */
  readonly program: ProgramSymbol | null;
  /** The declarations the function sees: its program's, userspace's, or the file's. */
  readonly scope: Scope;
  /** The context the function runs with: its context parameter's, else its program's; null in userspace and in shared helpers without one. */
  readonly context: ContextInfo | null;
  /** Every local and parameter, in declaration order. */
  readonly locals: LocalVariable[] = [];
  /** Locals whose `let` failed (and was reported): a use of one stops its statement without a second error. */
  readonly failedLocals = new Set<LocalVariable>();
  private readonly cNames = new FreshNames();

  constructor(
    readonly system: TypedSystem,
    readonly fn: FunctionSymbol,
    readonly diagnostics: DiagnosticBag,
  ) {
    const { symbols } = system;
    const owner = fn.owner;
    this.side = owner.kind === 'userspace' ? 'userspace' : 'kernel';
    this.program = owner.kind === 'program' ? programNamed(symbols, owner.program) ?? null : null;
    this.scope = this.program?.scope ?? (owner.kind === 'userspace' ? symbols.userspace!.scope : symbols.global);
    const contextParam = fn.params.find((p) => p.type.kind === 'context')?.type as Extract<Type, { kind: 'context' }> | undefined;
    this.context = contextParam ? CONTEXTS[contextParam.name]! : this.program ? CONTEXTS[this.program.info.context]! : null;
  }

  /** A new local with a C name unique in the function; the caller declares it in an environment. */
  newLocal(name: string, type: Type, span: ast.Span, options: { isConst?: boolean; isParam?: boolean; fromMapElement?: boolean } = {}): LocalVariable {
    // cIdentifier's names are safe in C by construction; only a repeated name needs a suffix.
    const cName = this.cNames.fresh(cIdentifier(name));
    const local: LocalVariable = {
      name,
      cName,
      type,
      isConst: options.isConst ?? false,
      isParam: options.isParam ?? false,
      span,
      fromMapElement: options.fromMapElement ?? false,
    };
    this.locals.push(local);
    return local;
  }

  record(expr: ast.Expr, type: Type): Type {
    this.system.types.set(expr, type);
    return type;
  }

  resolve(node: ast.Expr | ast.LetStmt | ast.ForRangeStmt | ast.ForEachStmt, resolution: Resolution): void {
    this.system.resolutions.set(node, resolution);
  }

  resolveType(type: ast.TypeExpr): Type {
    return resolveType(type, this.scope);
  }

  /** Constants as `env` sees them: a local shadows a constant of its name. */
  constants(env: Environment): ConstNames {
    const declared = scopeConstants(this.scope);
    return (name) => (name.kind === 'Identifier' && env.find(name.name) ? undefined : declared(name));
  }

  /** `expr` is the context parameter (`ctx`). */
  isContext(env: Environment, expr: ast.Expr): boolean {
    if (expr.kind !== 'Identifier') return false;
    const local = env.find(expr.name);
    return local?.isParam === true && local.type.kind === 'context';
  }

  /** The context `expr` (a context parameter) is. */
  contextOf(env: Environment, expr: ast.Expr): ContextInfo {
    const local = env.find((expr as ast.Identifier).name)!;
    return CONTEXTS[(local.type as Extract<Type, { kind: 'context' }>).name]!;
  }

  /** What to return when a view is null, for hints: the action that lets the packet through, or 0. */
  fallbackReturn(): string {
    const returns = this.fn.returnType;
    if (returns.kind === 'action') return returns.name === 'XdpAction' ? 'XDP_PASS' : 'TC_ACT_OK';
    return '0';
  }
}
