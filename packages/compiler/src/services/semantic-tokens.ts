// Semantic tokens: each name coloured by what it denotes (a map, a program,
// a field, a parameter...), which a TextMate grammar cannot know.
import type * as ast from '../phases/1-parse/ast.js';
import type { DocumentCheck } from './document.js';
import { indexOf, type Entity } from './symbol-index.js';

/** The token types and modifiers, in the order of the legend the server announces. */
export const SEMANTIC_TOKEN_TYPES = ['namespace', 'type', 'struct', 'enum', 'enumMember', 'parameter', 'variable', 'property', 'function', 'method'] as const;
export const SEMANTIC_TOKEN_MODIFIERS = ['declaration', 'readonly', 'static', 'defaultLibrary'] as const;

export type SemanticTokenType = (typeof SEMANTIC_TOKEN_TYPES)[number];
export type SemanticTokenModifier = (typeof SEMANTIC_TOKEN_MODIFIERS)[number];

export interface SemanticToken {
  span: ast.Span;
  type: SemanticTokenType;
  modifiers: SemanticTokenModifier[];
}

export function semanticTokens(check: DocumentCheck): SemanticToken[] {
  return indexOf(check).occurrences.map((o) => {
    const [type, modifiers] = classify(o.entity);
    return { span: o.span, type, modifiers: o.declaration ? ['declaration', ...modifiers] : modifiers };
  });
}

function classify(entity: Entity): [SemanticTokenType, SemanticTokenModifier[]] {
  switch (entity.kind) {
    case 'map':
      // Maps are global state shared between programs: `static`, as themes show globals.
      return ['variable', ['static']];
    case 'program':
      return ['namespace', []];
    case 'function':
      return ['function', []];
    case 'struct':
      return ['struct', entity.decl ? [] : ['defaultLibrary']];
    case 'enum':
      return ['enum', []];
    case 'alias':
      return ['type', []];
    case 'variant':
      return ['enumMember', []];
    case 'field':
      return ['property', []];
    case 'kernel-struct':
      return ['struct', ['defaultLibrary']];
    case 'kernel-field':
      return ['property', ['defaultLibrary']];
    case 'const':
      return ['variable', ['readonly']];
    case 'config':
      return ['property', ['readonly', 'static']];
    case 'local':
      return [entity.local.isParam ? 'parameter' : 'variable', entity.local.isConst ? ['readonly'] : []];
    case 'builtin-function':
      return ['function', ['defaultLibrary']];
    case 'builtin-constant':
      return ['enumMember', ['defaultLibrary', 'readonly']];
    case 'builtin-type':
      return ['type', ['defaultLibrary']];
    case 'context-member':
      return [entity.method ? 'method' : 'property', ['defaultLibrary']];
    case 'map-method':
      return ['method', ['defaultLibrary']];
  }
}
