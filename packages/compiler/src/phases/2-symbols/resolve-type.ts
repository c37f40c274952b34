// Type expressions → types: the one resolver the declarations and the type
// checker share, so a type means the same (and has the same limits) in a
// struct field, a map, a parameter and a local.
import type * as ast from '../1-parse/ast.js';
import { located } from '../../diagnostics/diagnostic.js';
import { didYouMean } from '../../util/suggest.js';
import { evaluateConstInt, scopeConstants } from './const-eval.js';
import { lookup, visibleNames, type Scope } from './symbol-table.js';
import type { Type } from './types.js';

/** The longest array a type may name: larger ones cannot be a map value, a struct field or a local. */
export const MAX_ARRAY_LENGTH = 1 << 20;

export function resolveType(type: ast.TypeExpr, scope: Scope): Type {
  switch (type.kind) {
    case 'NamedType': {
      const resolved = lookup(scope, 'types', type.name);
      if (!resolved) throw located(`unknown type '${type.name}'`, type.span, ...didYouMean(type.name, visibleNames(scope, 'types')));
      return resolved;
    }
    case 'ArrayType': {
      const element = resolveType(type.element, scope);
      const length = evaluateConstInt(type.length, scopeConstants(scope), 'an array length');
      if (length <= 0n || length > BigInt(MAX_ARRAY_LENGTH)) throw located(`an array length must be between 1 and ${MAX_ARRAY_LENGTH}`, type.length.span);
      return { kind: 'array', element, length: Number(length) };
    }
    case 'PointerType':
      return { kind: 'pointer', target: resolveType(type.target, scope) };
  }
}
