// The compiler's metadata contract (packages/compiler/src/metadata.ts), which
// the runtime reads. Kept as a type-only copy so the runtime does not depend
// on the compiler package; the two must change together.

export type IntName = 'u8' | 'u16' | 'u32' | 'u64' | 'i8' | 'i16' | 'i32' | 'i64';

/** A value's C layout, enough to encode and decode it from raw bytes. */
export type TypeDescriptor =
  | { kind: 'int'; name: IntName; size: 1 | 2 | 4 | 8; signed: boolean }
  | { kind: 'bool'; size: 1 }
  | { kind: 'char'; size: 1 }
  | { kind: 'enum'; name: string; size: 4 | 8; signed: false; values: Record<string, number> }
  | { kind: 'array'; element: TypeDescriptor; length: number; size: number; align: number }
  | { kind: 'struct'; name: string; size: number; align: number; fields: FieldDescriptor[] };

export interface FieldDescriptor {
  name: string;
  offset: number;
  type: TypeDescriptor;
}

export type ProgramKind =
  | 'xdp'
  | 'tc'
  | 'kprobe'
  | 'kretprobe'
  | 'tracepoint'
  | 'raw_tracepoint'
  | 'socket_filter'
  | 'cgroup_skb';

export type MapKind =
  | 'hash_map'
  | 'array'
  | 'percpu_hash'
  | 'percpu_array'
  | 'lru_hash'
  | 'lru_percpu_hash'
  | 'lpm_trie'
  | 'ring_buffer'
  | 'prog_array';

export interface ProgramMetadata {
  name: string;
  kind: ProgramKind;
  section: string;
  target: string | null;
}

export interface MapMetadata {
  name: string;
  objectName: string;
  kind: MapKind;
  bpfType: string;
  key: TypeDescriptor | null;
  value: TypeDescriptor;
  maxEntries: number;
  pinPath: string | null;
  scope: 'global' | { program: string };
  flags: string[];
}

export interface ConfigMetadata {
  name: string;
  program: string | null;
  symbol: string;
  type: TypeDescriptor;
  default: number | bigint | boolean;
}

export interface TailCallMetadata {
  map: string;
  slots: { index: number; program: string }[];
}

export interface SystemMetadata {
  name: string;
  programs: Record<string, ProgramMetadata>;
  maps: Record<string, MapMetadata>;
  config: Record<string, ConfigMetadata>;
  tailCalls: TailCallMetadata | null;
}
