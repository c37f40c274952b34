// Type expressions → types: the one resolver the declarations and the type
// checker share, so a type means the same (and has the same limits) in a
// struct field, a map, a parameter and a local.
import type * as ast from '../1-parse/ast.js';
import { located } from '../../diagnostics/diagnostic.js';
import { didYouMean } from '../../util/suggest.js';
import { evaluateConstInt, scopeConstants } from './const-eval.js';
import { kernelTypesOf, lookup, unlessFailedEarlier, visibleNames, type Scope } from './symbol-table.js';
import type { Type } from './types.js';

/** The longest array a type may name: larger ones cannot be a map value, a struct field or a local. */
export const MAX_ARRAY_LENGTH = 1 << 20;

export function resolveType(type: ast.TypeExpr, scope: Scope): Type {
  switch (type.kind) {
    case 'NamedType': {
      const resolved = lookup(scope, 'types', type.name);
      if (resolved) return resolved;
      unlessFailedEarlier(scope, type.name);
      // An integer typedef or enum of the kernel (`pid_t`) is its integer type (LANGUAGE.md §13).
      const kernel = kernelTypesOf(scope)?.byValue(type.name, type.span);
      if (kernel) return kernel;
      throw unknownType(type, scope);
    }
    case 'ArrayType': {
      const element = resolveType(type.element, scope);
      const length = evaluateConstInt(type.length, scopeConstants(scope), 'an array length');
      if (length <= 0n || length > BigInt(MAX_ARRAY_LENGTH)) throw located('KS2011', `an array length must be between 1 and ${MAX_ARRAY_LENGTH}`, type.length.span);
      return { kind: 'array', element, length: Number(length) };
    }
    case 'PointerType': {
      // `*task_struct`: a name the file and the language do not declare may be a kernel struct (LANGUAGE.md §13).
      if (type.target.kind === 'NamedType' && !lookup(scope, 'types', type.target.name)) {
        unlessFailedEarlier(scope, type.target.name);
        const kernel = kernelTypesOf(scope)?.pointerTo(type.target.name, type.target.span);
        if (kernel) return kernel;
        throw unknownType(type.target, scope);
      }
      return { kind: 'pointer', target: resolveType(type.target, scope) };
    }
  }
}

function unknownType(type: Extract<ast.TypeExpr, { kind: 'NamedType' }>, scope: Scope) {
  const declared = didYouMean(type.name, visibleNames(scope, 'types'));
  if (declared.length > 0) return located('KS2010', `unknown type '${type.name}'`, type.span, ...declared);
  const kernel = kernelTypesOf(scope);
  const missing = kernel?.unavailable();
  if (missing) return located('KS2010', `unknown type '${type.name}'`, type.span, `note: kernel types cannot be looked up: ${missing}`);
  const similar = kernel?.nearestTypeNames(type.name) ?? [];
  return located('KS2010', `unknown type '${type.name}'`, type.span, ...(similar.length > 0 ? [`help: kernel types with a similar name: ${similar.map((n) => `*${n}`).join(', ')}`] : []));
}
