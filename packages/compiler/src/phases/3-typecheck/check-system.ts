// Phase 3: type checking with the whole system in view. Gives every
// expression a type, resolves every name, enforces the integer rules, packet
// view null-safety, return paths and the kernel/userspace split. One file per
// concern: statements, expressions, calls, match, returns, maps, the context,
// assignability and null facts; the environment is passed down immutably.
import { located, reportStopped, type DiagnosticBag } from '../../diagnostics/diagnostic.js';
import type { FunctionSymbol, SymbolTable } from '../2-symbols/symbol-table.js';
import { typeName } from '../2-symbols/types.js';
import { Environment } from './environment.js';
import { FunctionContext } from './function-context.js';
import { alwaysExits, closingBrace } from './null-facts.js';
import { checkBody } from './statements.js';
import type { TypedFunction, TypedSystem } from './typed-system.js';

export function typecheckSystem(symbols: SymbolTable, diagnostics: DiagnosticBag): TypedSystem {
  const system: TypedSystem = { symbols, functions: [], types: new Map(), resolutions: new Map(), tailCallSlots: new Map(), exhaustiveMatches: new Set() };
  for (const fn of symbols.functions) {
    try {
      system.functions.push(checkFunction(new FunctionContext(system, fn, diagnostics), fn));
    } catch (error) {
      reportStopped(error, diagnostics);
    }
  }
  return system;
}

function checkFunction(cx: FunctionContext, fn: FunctionSymbol): TypedFunction {
  let env = Environment.root();
  const params = fn.params.map((p) => {
    const local = cx.newLocal(p.name, p.type, p.span, { isParam: true });
    env = env.declare(local);
    return local;
  });
  checkBody(cx, env, fn.decl.body);
  if (fn.returnType.kind !== 'void' && !alwaysExits(fn.decl.body)) {
    throw located('KS3703', `not every path of '${fn.name}' returns a value`, closingBrace(fn.decl.body), `help: end the function with a return of type ${typeName(fn.returnType)}`);
  }
  return { symbol: fn, side: cx.side, program: cx.program, context: cx.context, params, locals: cx.locals };
}
