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

/** `ctx.meta<T>()` in a program (LANGUAGE.md §12): XDP writes the metadata before a packet, tc ingress reads it. */
export interface MetadataAccess {
  program: string;
  role: 'writer' | 'reader';
  /** T, and its size in bytes. */
  type: string;
  size: number;
  /** The function the call is in. */
  function: string;
  location: SourceLocation;
}

/** An XDP program's metadata read by a tc ingress program that runs after it on an interface. */
export interface MetadataHandoff {
  writer: string;
  reader: string;
  type: string;
  size: number;
}

export interface MetadataAnalysis {
  accesses: MetadataAccess[];
  /** Every writer paired with every reader of the same type (a different type is an error). */
  handoffs: MetadataHandoff[];
}

export interface SystemAnalysis {
  programs: ProgramReport[];
  maps: MapReport[];
  conflicts: Conflict[];
  suggestions: Suggestion[];
  notes: AnalysisNote[];
  metadata: MetadataAnalysis;
}
