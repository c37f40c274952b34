// LANGUAGE.md §12: a helper that moves or resizes the packet
// (bpf_xdp_adjust_head...) leaves every view taken before it pointing at what
// the packet was; the verifier refuses any use of one with a register dump.
// Here the first resizing call of a statement is found — directly, or through
// a function of the file that makes one — so the checker can refuse such a
// use at the `.ks` line, naming the call.
import type * as ast from '../1-parse/ast.js';
import { children } from '../1-parse/walk.js';
import { located } from '../../diagnostics/diagnostic.js';
import { BUILTIN_FUNCTIONS } from '../../language/builtin-functions.js';
import { lookup, type FunctionSymbol, type Scope, type SymbolTable } from '../2-symbols/symbol-table.js';
import { typeName, type Type } from '../2-symbols/types.js';
import type { Environment } from './environment.js';
import type { FunctionContext } from './function-context.js';
import type { LocalVariable } from './typed-system.js';

/** A call after which the views taken before it are invalid. */
export interface PacketResize {
  /** The resizing helper (`bpf_xdp_adjust_head`). */
  helper: string;
  /** The call written in the function being checked: the helper's, or that of the function that reaches it. */
  span: ast.Span;
  /** The function of the file called at `span` that reaches the helper; null when the helper is called directly. */
  through: string | null;
}

/** The first call under `node` that resizes the packet, in source order; null when none does. */
export function resizeIn(cx: FunctionContext, node: ast.Stmt | ast.Expr | ast.MatchArm): PacketResize | null {
  return firstResize(node, cx.scope, cx.system.symbols, resizingHelpers(cx.system.symbols));
}

/** Refuses a use of the view `local` after a resize made it invalid. */
export function refuseStaleView(env: Environment, local: LocalVariable, use: ast.Span): void {
  const resize = env.resizeBefore(local);
  if (!resize) return;
  const call = resize.through ? `the call to ${resize.through} on line ${resize.span.start.line} (which calls ${resize.helper})` : `${resize.helper} on line ${resize.span.start.line}`;
  throw located(
    'KS7001',
    `'${local.name}' was taken before ${call}, which moves the packet: the view no longer points into it`,
    use,
    `help: take the view again after the call: let ${local.name} = ctx.header<${typeName((local.type as Extract<Type, { kind: 'pointer' }>).target)}>(offset);`,
  );
}

/** For each function of the file, the resizing helper it calls, directly or not (memoised per symbol table). */
const helpersBySystem = new WeakMap<SymbolTable, Map<FunctionSymbol, string | null>>();

function resizingHelpers(symbols: SymbolTable): (fn: FunctionSymbol) => string | null {
  let known = helpersBySystem.get(symbols);
  if (!known) helpersBySystem.set(symbols, (known = new Map()));
  const memo = known;
  const helperOf = (fn: FunctionSymbol): string | null => {
    if (memo.has(fn)) return memo.get(fn)!;
    // A cycle is refused elsewhere (no recursion in eBPF); while one is followed it counts as not resizing.
    memo.set(fn, null);
    const found = firstResize(fn.decl.body, scopeOf(fn, symbols), symbols, helperOf);
    const helper = found ? found.helper : null;
    memo.set(fn, helper);
    return helper;
  };
  return helperOf;
}

/** First resizing call per node and scope, so a statement nested deep is looked at once, not once per enclosing statement. */
const resizesByNode = new WeakMap<object, WeakMap<Scope, PacketResize | null>>();

function firstResize(
  node: ast.Stmt | ast.Expr | ast.MatchArm,
  scope: Scope,
  symbols: SymbolTable,
  helperOf: (fn: FunctionSymbol) => string | null,
): PacketResize | null {
  let byScope = resizesByNode.get(node);
  if (!byScope) resizesByNode.set(node, (byScope = new WeakMap()));
  if (byScope.has(scope)) return byScope.get(scope)!;
  let found = callResize(node, scope, helperOf);
  for (const child of children(node)) found ??= firstResize(child, scope, symbols, helperOf);
  byScope.set(scope, found);
  return found;
}

/** The resize `node` itself makes, if it is a call that resizes. */
function callResize(node: ast.Stmt | ast.Expr | ast.MatchArm, scope: Scope, helperOf: (fn: FunctionSymbol) => string | null): PacketResize | null {
  if (node.kind !== 'CallExpr' || node.callee.kind !== 'Identifier') return null;
  const name = node.callee.name;
  // As calls resolve: a function of the file shadows a built-in of its name.
  const fn = lookup(scope, 'functions', name);
  if (fn) {
    const helper = helperOf(fn);
    return helper ? { helper, span: node.span, through: fn.name } : null;
  }
  const builtin = BUILTIN_FUNCTIONS[name];
  return builtin?.form.kind === 'packet' && builtin.form.resizes ? { helper: name, span: node.span, through: null } : null;
}

function scopeOf(fn: FunctionSymbol, symbols: SymbolTable): Scope {
  const owner = fn.owner;
  if (owner.kind === 'program') return symbols.programs.find((p) => p.name === owner.program)!.scope;
  return owner.kind === 'userspace' ? symbols.userspace!.scope : symbols.global;
}
