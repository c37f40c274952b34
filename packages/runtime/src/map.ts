// Typed access to one loaded BPF map through its file descriptor.
import { decoder, encoder, viewOf, type Decoder, type Encoder, type KernelValue } from './codec.js';
import { ifindexOf } from './interfaces.js';
import { bpfError, bpfMapBatchOpts, lib } from './libbpf.js';
import type { Lifetime } from './lifetime.js';
import type { MapKind, MapMetadata, TypeDescriptor } from './metadata.js';

const ENOENT = 2;
const BATCH_UNSUPPORTED = new Set([22 /* EINVAL */, 95 /* EOPNOTSUPP */, 524 /* ENOTSUPP */]);
/**
 * Elements per BPF_MAP_*_BATCH call. Larger batches (4096, 8192) measured no
 * faster: the kernel's per-element cost dominates. Exported for the benchmark,
 * whose C baseline uses the same size.
 */
export const BATCH_SIZE = 1024;

const UPDATE_FLAGS = { any: 0n, noexist: 1n, exist: 2n } as const;
export type UpdateFlag = keyof typeof UPDATE_FLAGS;
export interface UpdateOptions {
  /** 'any' (default) inserts or replaces, 'noexist' only inserts, 'exist' only replaces. */
  flags?: UpdateFlag;
}

/**
 * A map's elements by key. `W` is what set() takes: the value type, and for
 * maps of interface indexes (DevMap, DevMapHash) also an interface name,
 * resolved in the calling thread's network namespace.
 */
export class MapHandle<K = KernelValue, V = KernelValue, W = V> {
  readonly name: string;
  readonly kind: MapKind;
  readonly fd: number;
  readonly perCpu: boolean;
  /** Every index exists: clear() zeroes instead of deleting. */
  private readonly isArray: boolean;
  private readonly keyType: TypeDescriptor;
  private readonly valueType: TypeDescriptor;
  private readonly possibleCpus: number;
  /** Per-CPU maps hold one 8-byte-aligned slot per possible CPU. */
  private readonly valueSlotSize: number;
  private readonly valueBufferSize: number;
  private readonly encodeKey: Encoder;
  private readonly decodeKey: Decoder;
  private readonly encodeValue: Encoder;
  private readonly decodeValue: Decoder;
  /** Error-message names of keys and values, built once. */
  private readonly keyPath: string;
  private readonly valuePath: string;
  // Reused for every single-element operation (calls are synchronous): the
  // key, the value a lookup reads and the value an update writes.
  private readonly keyScratch: Scratch;
  private readonly lookupScratch: Scratch;
  private readonly updateScratch: Scratch;

  constructor(
    metadata: MapMetadata,
    fd: number,
    possibleCpus: number,
    private readonly lifetime: Lifetime,
  ) {
    if (metadata.key === null) throw new TypeError(`map '${metadata.name}' (${metadata.kind}) has no key type`);
    this.name = metadata.name;
    this.kind = metadata.kind;
    this.fd = fd;
    this.keyType = metadata.key;
    this.valueType = metadata.value;
    this.perCpu = metadata.perCpu;
    this.isArray = metadata.isArray;
    this.possibleCpus = this.perCpu ? possibleCpus : 1;
    this.valueSlotSize = this.perCpu ? roundUp(metadata.value.size, 8) : metadata.value.size;
    this.valueBufferSize = this.valueSlotSize * this.possibleCpus;
    this.encodeKey = encoder(metadata.key);
    this.decodeKey = decoder(metadata.key);
    this.encodeValue = metadata.ifindexValues ? interfaceNames(encoder(metadata.value)) : encoder(metadata.value);
    this.decodeValue = decoder(metadata.value);
    this.keyPath = `key of map '${this.name}'`;
    this.valuePath = `value of map '${this.name}'`;
    this.keyScratch = scratch(metadata.key.size);
    this.lookupScratch = scratch(this.valueBufferSize);
    this.updateScratch = scratch(this.valueBufferSize);
  }

  /** The value at `key`, or undefined when absent. Per-CPU maps: the sum over CPUs (see getPerCpu). */
  get(key: K): V | undefined {
    return this.lookup(key) ? this.readValue(this.lookupScratch.view, 0) : undefined;
  }

  /** One value per possible CPU (a single-element array for ordinary maps), or undefined when absent. */
  getPerCpu(key: K): V[] | undefined {
    return this.lookup(key) ? this.decodeValues(this.lookupScratch.view, 0) : undefined;
  }

  /** Looks `key` up into lookupScratch; false when absent. */
  private lookup(key: K): boolean {
    const keyBytes = this.writeKey(key);
    const result = lib.bpf_map_lookup_elem(this.fd, keyBytes, this.lookupScratch.bytes) as number;
    if (result === -ENOENT) return false;
    if (result < 0) throw bpfError(`lookup in map '${this.name}'`, -result);
    return true;
  }

  has(key: K): boolean {
    return this.lookup(key);
  }

  /** Writes `value`; on per-CPU maps it goes to CPU 0 and the other CPUs are zeroed, so get() returns it. */
  set(key: K, value: W, options: UpdateOptions = {}): void {
    const keyBytes = this.writeKey(key);
    const { bytes, view } = this.updateScratch;
    if (this.perCpu) bytes.fill(0, this.valueSlotSize);
    this.encodeValue(view, 0, value, this.valuePath);
    this.update(keyBytes, bytes, options);
  }

  /** Writes one value per possible CPU. */
  setPerCpu(key: K, values: W[], options: UpdateOptions = {}): void {
    if (!this.perCpu) throw new TypeError(`map '${this.name}' (${this.kind}) is not per-CPU`);
    if (!Array.isArray(values) || values.length !== this.possibleCpus) {
      throw new TypeError(`map '${this.name}': expected ${this.possibleCpus} values (one per possible CPU)`);
    }
    const keyBytes = this.writeKey(key);
    const { bytes, view } = this.updateScratch;
    values.forEach((value, cpu) => this.encodeValue(view, cpu * this.valueSlotSize, value, `${this.valuePath} for CPU ${cpu}`));
    this.update(keyBytes, bytes, options);
  }

  /** Removes `key`; returns whether it was present. Array maps cannot delete (the kernel says EINVAL). */
  delete(key: K): boolean {
    return this.deleteRaw(this.writeKey(key));
  }

  /** Deletes every entry; array maps, whose entries always exist, are zeroed instead. */
  clear(): void {
    const keys = [...this.rawKeys()];
    if (this.isArray) {
      const zero = Buffer.alloc(this.valueBufferSize);
      for (const key of keys) this.update(key, zero, {});
      return;
    }
    for (const key of keys) this.deleteRaw(key);
  }

  *keys(): Generator<K> {
    for (const key of this.rawKeys()) yield this.decodeKey(viewOf(key), 0) as K;
  }

  /** Entries in kernel order; a key deleted between get_next_key and the lookup is skipped. */
  *entries(): Generator<[K, V]> {
    for (const key of this.keys()) {
      const value = this.get(key);
      if (value !== undefined) yield [key, value];
    }
  }

  *values(): Generator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): Generator<[K, V]> {
    return this.entries();
  }

  /** Every entry, read with BPF_MAP_LOOKUP_BATCH (few syscalls); falls back to iteration where the kind has no batch ops. */
  getMany(): [K, V][] {
    this.lifetime.assertOpen();
    const tokenSize = Math.max(this.keyType.size, 8);
    const keys = Buffer.alloc(this.keyType.size * BATCH_SIZE);
    const values = Buffer.alloc(this.valueBufferSize * BATCH_SIZE);
    const keyView = viewOf(keys);
    const valueView = viewOf(values);
    const outBatch = Buffer.alloc(tokenSize);
    let inBatch: Buffer | null = null;
    const entries: [K, V][] = [];
    for (;;) {
      const count = [BATCH_SIZE];
      const result = lib.bpf_map_lookup_batch(this.fd, inBatch, outBatch, keys, values, count, null) as number;
      if (result < 0 && result !== -ENOENT) {
        if (inBatch === null && BATCH_UNSUPPORTED.has(-result)) return [...this.entries()];
        throw bpfError(`batch lookup in map '${this.name}'`, -result);
      }
      for (let index = 0; index < count[0]; index++) {
        entries.push([this.decodeKey(keyView, index * this.keyType.size) as K, this.readValue(valueView, index * this.valueBufferSize)]);
      }
      if (result === -ENOENT) return entries;
      inBatch = Buffer.from(outBatch);
    }
  }

  /** Writes many entries with BPF_MAP_UPDATE_BATCH; falls back to one update per entry where unsupported. */
  setMany(entries: Iterable<[K, W]>, options: UpdateOptions = {}): void {
    this.lifetime.assertOpen();
    const list = [...entries];
    const keys = Buffer.alloc(this.keyType.size * list.length);
    const values = Buffer.alloc(this.valueBufferSize * list.length);
    const keyView = viewOf(keys);
    const valueView = viewOf(values);
    list.forEach(([key, value], index) => {
      this.encodeKey(keyView, index * this.keyType.size, key, this.keyPath);
      this.encodeValue(valueView, index * this.valueBufferSize, value, this.valuePath);
    });
    const elemFlags = updateFlags(options);
    for (let done = 0; done < list.length; ) {
      const count = [Math.min(BATCH_SIZE, list.length - done)];
      const keysAt = keys.subarray(done * this.keyType.size);
      const valuesAt = values.subarray(done * this.valueBufferSize);
      const result = lib.bpf_map_update_batch(this.fd, keysAt, valuesAt, count, { sz: bpfMapBatchOpts.size, elem_flags: elemFlags, flags: 0n }) as number;
      if (result < 0 && done === 0 && count[0] === 0 && BATCH_UNSUPPORTED.has(-result)) {
        list.forEach(([key, value]) => this.set(key, value, options));
        return;
      }
      if (result < 0) throw bpfError(`batch update of map '${this.name}'`, -result);
      done += count[0];
    }
  }

  /** Encodes `key` into keyScratch and returns its bytes, after checking the system is open. */
  private writeKey(key: K): Buffer {
    this.lifetime.assertOpen();
    this.encodeKey(this.keyScratch.view, 0, key, this.keyPath);
    return this.keyScratch.bytes;
  }

  /** A plain syscall wrapper, called directly like lookup and delete: libbpf logs nothing for it, so no log to collect. */
  private update(key: Buffer, value: Buffer, options: UpdateOptions): void {
    const result = lib.bpf_map_update_elem(this.fd, key, value, updateFlags(options)) as number;
    if (result < 0) throw bpfError(`update of map '${this.name}'`, -result);
  }

  /** Removes the element at raw `key`; false when absent. */
  private deleteRaw(key: Buffer): boolean {
    const result = lib.bpf_map_delete_elem(this.fd, key) as number;
    if (result === -ENOENT) return false;
    if (result < 0) throw bpfError(`delete from map '${this.name}'`, -result);
    return true;
  }

  /** The value (per-CPU maps: summed over CPUs) whose buffer starts at `offset`. */
  private readValue(view: DataView, offset: number): V {
    return (this.perCpu ? sumOverCpus(this.valueType, this.decodeValues(view, offset) as KernelValue[], this.name) : this.decodeValue(view, offset)) as V;
  }

  private decodeValues(view: DataView, offset: number): V[] {
    const values: V[] = [];
    for (let cpu = 0; cpu < this.possibleCpus; cpu++) values.push(this.decodeValue(view, offset + cpu * this.valueSlotSize) as V);
    return values;
  }

  /** Raw keys via BPF_MAP_GET_NEXT_KEY, starting from NULL (the first key). */
  private *rawKeys(): Generator<Buffer> {
    let previous: Buffer | null = null;
    for (;;) {
      this.lifetime.assertOpen();
      const next = Buffer.alloc(this.keyType.size);
      const result = lib.bpf_map_get_next_key(this.fd, previous, next) as number;
      if (result === -ENOENT) return;
      if (result < 0) throw bpfError(`iteration of map '${this.name}'`, -result);
      yield next;
      previous = next;
    }
  }
}

/** Sums per-CPU values: integers add up (exactly, beyond their C width), structs and arrays field by field. */
function sumOverCpus(type: TypeDescriptor, values: KernelValue[], mapName: string): KernelValue {
  switch (type.kind) {
    case 'int':
      return type.size === 8
        ? (values as bigint[]).reduce((sum, value) => sum + value, 0n)
        : (values as number[]).reduce((sum, value) => sum + value, 0);
    case 'array':
      return Array.from({ length: type.length }, (_, index) =>
        sumOverCpus(type.element, values.map((value) => (value as KernelValue[])[index]), mapName),
      );
    case 'struct':
      return Object.fromEntries(
        type.fields.map((field) => [
          field.name,
          sumOverCpus(field.type, values.map((value) => (value as Record<string, KernelValue>)[field.name]), mapName),
        ]),
      );
    default:
      throw new TypeError(`map '${mapName}': per-CPU ${type.kind} values cannot be summed; use getPerCpu()`);
  }
}

/** An interface index encoder that also takes an interface name. */
function interfaceNames(encode: Encoder): Encoder {
  return (view, offset, value, path) => encode(view, offset, typeof value === 'string' ? ifindexOf(value) : value, path);
}

/** A reusable buffer for koffi calls and the DataView encoders and decoders use on it. */
interface Scratch {
  bytes: Buffer;
  view: DataView;
}

function scratch(size: number): Scratch {
  const bytes = Buffer.alloc(size);
  return { bytes, view: viewOf(bytes) };
}

function updateFlags(options: UpdateOptions): bigint {
  const flags = UPDATE_FLAGS[options.flags ?? 'any'];
  if (flags === undefined) throw new TypeError(`flags must be 'any', 'noexist' or 'exist', got ${String(options.flags)}`);
  return flags;
}

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}
