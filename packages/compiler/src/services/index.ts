// The language services: pure queries over one compile of a document, for
// the language server (and any other editor integration). Offsets are
// 0-based UTF-16 code unit indexes into the document text, spans are the
// compiler's (1-based lines and columns, columns in UTF-16 code units).
export { DocumentSession, type DocumentCheck } from './document.js';
export { indexOf, type Entity, type Occurrence, type SymbolIndex } from './symbol-index.js';
export { hover, describe, type Hover } from './hover.js';
export { definition, references, rename, renameTarget, applyEdits, type TextEdit, type RenameResult } from './navigation.js';
export { completions, type CompletionItem, type CompletionKind, type CheckText } from './completion.js';
export { outline, type OutlineItem, type OutlineKind } from './outline.js';
export { semanticTokens, SEMANTIC_TOKEN_TYPES, SEMANTIC_TOKEN_MODIFIERS, type SemanticToken, type SemanticTokenType, type SemanticTokenModifier } from './semantic-tokens.js';
export { codeActions, type CodeAction } from './code-actions.js';
export { relatedLocations, type RelatedLocation } from './related.js';
export { format, type FormatResult, type FormatOptions } from '../format/index.js';
export { vocabulary, type Vocabulary } from './vocabulary.js';
