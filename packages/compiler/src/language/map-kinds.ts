// LANGUAGE.md §4: the map kinds, their BPF map types and source spellings.
import type { MapKind } from '../metadata.js';

export interface MapKindInfo {
  kind: MapKind;
  /** Spelling in source (PascalCase); the snake_case `kind` is accepted too. */
  sourceName: string;
  bpfType: string;
  perCpu: boolean;
  /** Array kinds have every index from 0 to max_entries - 1 and u32 keys. */
  isArray: boolean;
  /** Ring buffers take one type parameter and a byte size. */
  isRingBuffer: boolean;
}

const info = (kind: MapKind, sourceName: string, bpfType: string, extra: Partial<MapKindInfo> = {}): MapKindInfo => ({
  kind,
  sourceName,
  bpfType,
  perCpu: false,
  isArray: false,
  isRingBuffer: false,
  ...extra,
});

export const MAP_KINDS: Record<MapKind, MapKindInfo> = {
  hash_map: info('hash_map', 'HashMap', 'BPF_MAP_TYPE_HASH'),
  array: info('array', 'Array', 'BPF_MAP_TYPE_ARRAY', { isArray: true }),
  percpu_hash: info('percpu_hash', 'PercpuHash', 'BPF_MAP_TYPE_PERCPU_HASH', { perCpu: true }),
  percpu_array: info('percpu_array', 'PercpuArray', 'BPF_MAP_TYPE_PERCPU_ARRAY', { perCpu: true, isArray: true }),
  lru_hash: info('lru_hash', 'LruHash', 'BPF_MAP_TYPE_LRU_HASH'),
  lru_percpu_hash: info('lru_percpu_hash', 'LruPercpuHash', 'BPF_MAP_TYPE_LRU_PERCPU_HASH', { perCpu: true }),
  lpm_trie: info('lpm_trie', 'LpmTrie', 'BPF_MAP_TYPE_LPM_TRIE'),
  ring_buffer: info('ring_buffer', 'RingBuffer', 'BPF_MAP_TYPE_RINGBUF', { isRingBuffer: true }),
  prog_array: info('prog_array', 'ProgArray', 'BPF_MAP_TYPE_PROG_ARRAY', { isArray: true }),
};

export function findMapKind(spelling: string): MapKindInfo | null {
  return Object.values(MAP_KINDS).find((k) => k.sourceName === spelling || k.kind === spelling) ?? null;
}
