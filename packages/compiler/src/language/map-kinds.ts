// LANGUAGE.md §4: the map kinds — one row per kind, with every property that
// the compiler, the coordinator and the runtime decide by kind. Nothing else
// in the tree compares a map kind's name (packages/compiler/README.md,
// "Adding a map kind").
import type { MapAccessMode, MapKind } from '../metadata.js';

/** What a key must be. */
export type KeyRule =
  /** Any sized type. */
  | 'any'
  /** A u32 index from 0 to max_entries - 1. */
  | 'u32-index'
  /** Any u32 (DevMapHash: an interface index). */
  | 'u32'
  /** A struct whose first field is `prefixlen: u32` (longest-prefix match). */
  | 'lpm-prefix'
  /** One type parameter, no key (`map<E> events : RingBuffer(size)`). */
  | 'none';

/** What a value must be. */
export type ValueRule =
  | 'any'
  /** A u32 (a program slot, a queue size, a socket fd). */
  | 'u32'
  /** A u32 interface index: the Node runtime also takes an interface name for it. */
  | 'ifindex';

export interface MapKindInfo {
  kind: MapKind;
  /** Spelling in source (PascalCase); the snake_case `kind` is accepted too. */
  sourceName: string;
  bpfType: string;
  /** How programs reach the map: elements by key, events into a ring, or slots of a tail-call table (see MapAccessMode). */
  access: MapAccessMode;
  /** One copy of each value per CPU: userspace reads sum the copies, kernel reads see the running CPU's. */
  perCpu: boolean;
  /** Every index 0..max_entries-1 always exists: a failed lookup is an index out of range, nothing to insert. */
  isArray: boolean;
  /** `delete m[k]` removes elements (array kinds cannot: their elements always exist). */
  deletable: boolean;
  /** Userspace may iterate it: `for (k, v) in m { }`. */
  iterable: boolean;
  /**
   * Kernel programs send packets through it (`return m.redirect(key, flags);`,
   * bpf_redirect_map) instead of reading or writing its elements, which userspace fills.
   */
  redirect: boolean;
  key: KeyRule;
  value: ValueRule;
  /** What max_entries counts: elements, or bytes of the ring (a power of two, a multiple of 4096). */
  size: 'entries' | 'ring-bytes';
  /**
   * The largest max_entries the kernel creates the kind with (it answers E2BIG
   * beyond): a hash's bucket table, max_entries rounded up to a power of two
   * 16-byte buckets, must stay under 4 GiB (kernel/bpf/hashtab.c); an array's
   * index mask, under 2^31 (kernel/bpf/arraymap.c).
   */
  maxEntries: number;
  /** BPF_F_* flags the kind needs, set whatever the attributes say. */
  requiredFlags: string[];
  /** The kind with the same semantics and one copy per CPU (the per-CPU suggestion and optimiser convert to it). */
  perCpuCounterpart: MapKind | null;
  /** The kind that evicts the least recently used element instead of refusing inserts when full. */
  lruCounterpart: MapKind | null;
  /** The array kind to suggest when every key is a small constant index. */
  arrayCounterpart: MapKind | null;
}

const HASH_MAX_ENTRIES = 2 ** 27;
/** Bytes of one CPU's copy of a per-CPU value (the kernel's PCPU_MIN_UNIT_SIZE), rounded up to 8. */
export const PER_CPU_VALUE_LIMIT = 32 * 1024;
const ARRAY_MAX_ENTRIES = 2 ** 31;
const U32_MAX = 2 ** 32 - 1;

/** A kind whose programs read and write elements by key, defaults for everything else. */
const keyed = (kind: MapKind, sourceName: string, bpfType: string, extra: Partial<MapKindInfo> = {}): MapKindInfo => ({
  kind,
  sourceName,
  bpfType,
  access: 'keyed',
  perCpu: false,
  isArray: false,
  deletable: true,
  iterable: true,
  redirect: false,
  key: 'any',
  value: 'any',
  size: 'entries',
  maxEntries: HASH_MAX_ENTRIES,
  requiredFlags: [],
  perCpuCounterpart: null,
  lruCounterpart: null,
  arrayCounterpart: null,
  ...extra,
});

const array: Partial<MapKindInfo> = { isArray: true, deletable: false, key: 'u32-index', maxEntries: ARRAY_MAX_ENTRIES };
/** Redirect targets: devices, CPUs or AF_XDP sockets by slot; an empty slot is absent (userspace deletes it). */
const redirect = (key: KeyRule, value: ValueRule, extra: Partial<MapKindInfo> = {}): Partial<MapKindInfo> => ({ redirect: true, key, value, ...extra });

export const MAP_KINDS: Record<MapKind, MapKindInfo> = {
  hash_map: keyed('hash_map', 'HashMap', 'BPF_MAP_TYPE_HASH', { perCpuCounterpart: 'percpu_hash', lruCounterpart: 'lru_hash', arrayCounterpart: 'array' }),
  array: keyed('array', 'Array', 'BPF_MAP_TYPE_ARRAY', { ...array, perCpuCounterpart: 'percpu_array' }),
  percpu_hash: keyed('percpu_hash', 'PercpuHash', 'BPF_MAP_TYPE_PERCPU_HASH', { perCpu: true, arrayCounterpart: 'percpu_array' }),
  percpu_array: keyed('percpu_array', 'PercpuArray', 'BPF_MAP_TYPE_PERCPU_ARRAY', { ...array, perCpu: true }),
  lru_hash: keyed('lru_hash', 'LruHash', 'BPF_MAP_TYPE_LRU_HASH', { perCpuCounterpart: 'lru_percpu_hash' }),
  lru_percpu_hash: keyed('lru_percpu_hash', 'LruPercpuHash', 'BPF_MAP_TYPE_LRU_PERCPU_HASH', { perCpu: true }),
  lpm_trie: keyed('lpm_trie', 'LpmTrie', 'BPF_MAP_TYPE_LPM_TRIE', { key: 'lpm-prefix', requiredFlags: ['BPF_F_NO_PREALLOC'], maxEntries: U32_MAX }),
  ring_buffer: keyed('ring_buffer', 'RingBuffer', 'BPF_MAP_TYPE_RINGBUF', { access: 'ring_buffer', deletable: false, iterable: false, key: 'none', size: 'ring-bytes', maxEntries: ARRAY_MAX_ENTRIES }),
  prog_array: keyed('prog_array', 'ProgArray', 'BPF_MAP_TYPE_PROG_ARRAY', { ...array, access: 'tail_calls', iterable: false, value: 'u32' }),
  devmap: keyed('devmap', 'DevMap', 'BPF_MAP_TYPE_DEVMAP', redirect('u32-index', 'ifindex')),
  devmap_hash: keyed('devmap_hash', 'DevMapHash', 'BPF_MAP_TYPE_DEVMAP_HASH', redirect('u32', 'ifindex')),
  cpumap: keyed('cpumap', 'CpuMap', 'BPF_MAP_TYPE_CPUMAP', redirect('u32-index', 'u32')),
  // Userspace cannot read an XskMap's socket fds back (the kernel says EOPNOTSUPP).
  xskmap: keyed('xskmap', 'XskMap', 'BPF_MAP_TYPE_XSKMAP', redirect('u32-index', 'u32', { iterable: false })),
};

export function findMapKind(spelling: string): MapKindInfo | null {
  return Object.values(MAP_KINDS).find((k) => k.sourceName === spelling || k.kind === spelling) ?? null;
}
