// The multi-program analysis as it leaves the compiler (`--json` prints it).
import type { MapKind, ProgramKind } from '../../metadata.js';

export interface SourceLocation {
  line: number;
  column: number;
}

export type Accessor = { kind: 'program'; program: string } | { kind: 'userspace' };

export type AccessKind = 'read' | 'write' | 'read-modify-write' | 'delete' | 'submit';

export interface MapAccess {
  map: string;
  accessor: Accessor;
  /** Function the access is written in, and the call chain from main that reaches it. */
  function: string;
  callChain: string[];
  access: AccessKind;
  /** `m[k] += x`: done with an atomic instruction, so never a lost update. */
  atomic: boolean;
  /** The access names one element (`m[k]`); false for iteration, submit and method calls. */
  keyed: boolean;
  /** The key's value when it is a compile-time constant. */
  constantKey: string | null;
  location: SourceLocation;
}

export interface MapReport {
  name: string;
  objectName: string;
  kind: MapKind;
  scope: 'global' | 'local';
  program: string | null;
  keyType: string | null;
  valueType: string;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  pinPath: string | null;
  readers: string[];
  writers: string[];
  readModifyWriters: string[];
  accesses: MapAccess[];
}

export interface ProgramReport {
  name: string;
  kind: ProgramKind;
  section: string;
  target: string | null;
  /** Functions reachable from main, main first. */
  functions: string[];
  maps: string[];
}

export type ConflictKind = 'shared-writers' | 'lost-update';

export interface Conflict {
  kind: ConflictKind;
  severity: 'warning';
  map: string;
  /** Kernel programs involved (userspace is named in `message` when it takes part). */
  programs: string[];
  userspace: boolean;
  message: string;
  fix: string;
  locations: SourceLocation[];
}

export interface Suggestion {
  kind: 'per-cpu' | 'lru' | 'array';
  map: string;
  from: MapKind;
  to: MapKind;
  message: string;
  reason: string;
}

export interface AnalysisNote {
  map: string;
  message: string;
}

export interface SystemAnalysis {
  programs: ProgramReport[];
  maps: MapReport[];
  conflicts: Conflict[];
  suggestions: Suggestion[];
  notes: AnalysisNote[];
}
