// The language's built-in names, from the compiler's own tables, for tools
// that describe the language without compiling it: the TextMate grammar the
// VS Code extension builds, and completion.
import { BUILTIN_FUNCTIONS } from '../language/builtin-functions.js';
import { CONTEXTS } from '../language/context-members.js';
import { BUILTIN_STRUCTS, PROTOCOL_CONSTANTS } from '../language/headers.js';
import { MAP_KINDS } from '../language/map-kinds.js';
import { ACTION_CONSTANTS, PROGRAM_KINDS } from '../language/program-kinds.js';
import { INT_TYPES } from '../phases/2-symbols/types.js';

export interface Vocabulary {
  /** `map`, `program`, `fn`, ... and `let`, `if`, `match`, ... */
  declarationKeywords: string[];
  controlKeywords: string[];
  /** `as`, `and`, `or`, `not`. */
  operatorKeywords: string[];
  literals: string[];
  primitiveTypes: string[];
  /** Context types, action types and the kernel header structs. */
  builtinTypes: string[];
  builtinFunctions: string[];
  /** `XDP_PASS`, `TC_ACT_OK`, ... */
  actionConstants: string[];
  /** `ETH_P_IP`, `IPPROTO_TCP`, ... */
  protocolConstants: string[];
  /** Both spellings of every map kind: `HashMap`, `hash_map`. */
  mapKinds: string[];
  programKinds: string[];
}

export function vocabulary(): Vocabulary {
  return {
    declarationKeywords: ['map', 'program', 'fn', 'extern', 'struct', 'enum', 'type', 'const', 'let', 'mut', 'config', 'userspace'],
    controlKeywords: ['if', 'else', 'for', 'in', 'while', 'match', 'return', 'break', 'continue', 'delete', 'tail_call'],
    operatorKeywords: ['as', 'and', 'or', 'not'],
    literals: ['true', 'false', 'null'],
    primitiveTypes: [...Object.keys(INT_TYPES), 'bool', 'char', 'void'],
    builtinTypes: [...Object.keys(CONTEXTS), ...Object.keys(ACTION_CONSTANTS), ...Object.keys(BUILTIN_STRUCTS)],
    builtinFunctions: Object.keys(BUILTIN_FUNCTIONS),
    actionConstants: Object.values(ACTION_CONSTANTS).flatMap((family) => Object.keys(family)),
    protocolConstants: Object.keys(PROTOCOL_CONSTANTS),
    mapKinds: Object.values(MAP_KINDS).flatMap((kind) => [kind.sourceName, kind.kind]),
    programKinds: Object.keys(PROGRAM_KINDS),
  };
}
