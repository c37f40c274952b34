// The typed description of a compiled system that leaves the compiler: the JS
// module a `.ks` import becomes, the unplugin and the Node runtime all speak it.

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
  | 'fentry'
  | 'fexit'
  | 'tracepoint'
  | 'raw_tracepoint'
  | 'socket_filter'
  | 'cgroup_skb'
  | 'uprobe'
  | 'uretprobe'
  | 'perf_event';

export type MapKind =
  | 'hash_map'
  | 'array'
  | 'percpu_hash'
  | 'percpu_array'
  | 'lru_hash'
  | 'lru_percpu_hash'
  | 'lpm_trie'
  | 'ring_buffer'
  | 'prog_array'
  | 'devmap'
  | 'devmap_hash'
  | 'cpumap'
  | 'xskmap';

/**
 * How loaders attach a program of each kind: to an interface (`xdp`, `tc`),
 * a cgroup directory, a socket, a tracepoint, a raw tracepoint, a function of
 * a user binary (`uprobe`, `uretprobe`: the loader resolves the symbol), a
 * perf event opened on every CPU (`perf_event`), or by libbpf from the ELF
 * section alone (`section`: kprobes).
 */
export type AttachMethod = 'xdp' | 'tc' | 'cgroup' | 'socket' | 'tracepoint' | 'raw_tracepoint' | 'uprobe' | 'uretprobe' | 'perf_event' | 'section';

/**
 * How a map's contents are reached: `keyed` elements (`m[k]`, a MapHandle),
 * `ring_buffer` events (submit/poll, a RingBufferHandle), or `tail_calls`
 * slots that loaders fill with programs (not exposed).
 */
export type MapAccessMode = 'keyed' | 'ring_buffer' | 'tail_calls';

export interface ProgramMetadata {
  /** Source name, also the C function name and the libbpf program name. */
  name: string;
  kind: ProgramKind;
  attach: AttachMethod;
  /** ELF section, e.g. `xdp`, `tc`, `tracepoint/syscalls/sys_enter_getppid`. */
  section: string;
  /** Attach target from the source (`"ingress"`, `"syscalls/sys_enter_getppid"`...), if any. */
  target: string | null;
}

export interface MapMetadata {
  /** Source name; local maps are `program::map`. */
  name: string;
  /** Name of the map in the object file (what libbpf's bpf_object__find_map_by_name takes). */
  objectName: string;
  kind: MapKind;
  /** e.g. `BPF_MAP_TYPE_HASH`. */
  bpfType: string;
  access: MapAccessMode;
  /** One value per possible CPU, each in an 8-byte aligned slot. */
  perCpu: boolean;
  /** Every index 0..maxEntries-1 always exists (elements cannot be deleted, only zeroed). */
  isArray: boolean;
  /** Values are interface indexes (DevMap, DevMapHash): the runtime also takes an interface name for one. */
  ifindexValues: boolean;
  /** Absent for ring buffers. */
  key: TypeDescriptor | null;
  value: TypeDescriptor;
  maxEntries: number;
  pinPath: string | null;
  scope: 'global' | { program: string };
  /** BPF_F_* flags set on the map. */
  flags: string[];
}

export interface ConfigMetadata {
  name: string;
  /** Program that declared it, or null for the global config block. */
  program: string | null;
  /** Symbol in `.rodata`. */
  symbol: string;
  type: TypeDescriptor;
  default: number | bigint | boolean;
}

export interface TailCallMetadata {
  /** Object name of the ProgArray map the compiler created. */
  map: string;
  /** Slot index → program name. */
  slots: { index: number; program: string }[];
}

export interface SystemMetadata {
  /** Base name of the source file (`multi_programs`). */
  name: string;
  programs: Record<string, ProgramMetadata>;
  maps: Record<string, MapMetadata>;
  config: Record<string, ConfigMetadata>;
  tailCalls: TailCallMetadata | null;
  /**
   * The ring buffer kernel `print()` writes its lines into (records of
   * NUL-terminated text); null or absent when no kernel code prints. Not one of
   * `maps`: loaders read it (the coordinator prints it, the runtime streams it as `logs`).
   */
  logs?: MapMetadata | null;
}
