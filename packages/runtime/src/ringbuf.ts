// Reading a BPF ring buffer: libbpf's ring_buffer consumes records through a
// registered koffi callback, and libuv watches its epoll fd so records arrive
// as an async iterator without blocking the event loop.
import koffi from 'koffi';
import { decoder, type Decoder, type KernelValue } from './codec.js';
import { check, checkPointer, lib, ringBufferSampleFn, type RingBuffer } from './libbpf.js';
import type { Lifetime } from './lifetime.js';
import type { MapMetadata, TypeDescriptor } from './metadata.js';

/** An open libbpf ring_buffer with its callback and queue of decoded records. */
interface Reader {
  ringBuffer: RingBuffer;
  callback: bigint;
  queue: RecordQueue;
}

/**
 * Records libbpf consumed from the ring but nobody has been handed yet.
 * libbpf's consume takes every available record at once, so records wait
 * here, and one the caller has not received stays here for the next reader
 * when a loop stops early (`break`, a throw, an abort).
 */
class RecordQueue {
  private items: unknown[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(record: unknown): void {
    this.items.push(record);
  }

  /** The oldest record; the queue must not be empty. */
  take(): unknown {
    const record = this.items[this.head++];
    // Drop handed-out records now and then instead of shifting the array on every take.
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return record;
  }

  takeAll(): unknown[] {
    const records = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return records;
  }
}

export class RingBufferHandle<E = KernelValue> {
  readonly name: string;
  readonly fd: number;
  private readonly recordType: TypeDescriptor;
  private readonly decodeRecord: Decoder;
  private reader: Reader | null = null;
  /** Set while an async iteration runs: stops its epoll watch and wakes it. */
  private endIteration: (() => void) | null = null;

  /** `decodeRecord` replaces the decoder of the map's value type (the log ring's records are text). */
  constructor(
    metadata: MapMetadata,
    fd: number,
    private readonly lifetime: Lifetime,
    decodeRecord: Decoder = decoder(metadata.value),
  ) {
    this.name = metadata.name;
    this.fd = fd;
    this.recordType = metadata.value;
    this.decodeRecord = decodeRecord;
    lifetime.onClose(() => {
      this.endIteration?.();
      this.free();
    });
  }

  /** Decodes and returns every record currently in the ring buffer (and any an earlier loop left unread), without waiting. */
  consume(): E[] {
    const reader = this.open();
    this.fill(reader);
    return reader.queue.takeAll() as E[];
  }

  /** Streams records as they arrive until the loop breaks or the system closes. One iteration at a time. */
  [Symbol.asyncIterator](): AsyncGenerator<E> {
    return this.stream();
  }

  /**
   * Streams records as they arrive until the loop breaks, `signal` aborts or
   * the system closes. One iteration at a time per ring buffer. Records are
   * handed out one by one: those not yet handed out when the loop stops stay
   * for the next `consume()` or loop.
   */
  async *stream(options: { signal?: AbortSignal } = {}): AsyncGenerator<E> {
    const { signal } = options;
    if (this.endIteration !== null) throw new Error(`ring buffer '${this.name}' is already being iterated`);
    const reader = this.open();
    const epollFd = check(`getting the epoll fd of ring buffer '${this.name}'`, () => lib.ring_buffer__epoll_fd(reader.ringBuffer) as number);
    let wake = (): void => {};
    // The watch runs only while waiting: epoll is level-triggered, so a watch left on while the
    // consumer is busy with records would fire on every event-loop turn.
    const poll = koffi.node.poll(epollFd, { readable: true }, () => wake());
    poll.stop();
    // close() must stop watching the epoll fd before ring_buffer__free closes it.
    this.endIteration = () => {
      poll.close();
      wake();
    };
    const onAbort = (): void => wake();
    signal?.addEventListener('abort', onAbort);
    const stopped = (): boolean => this.lifetime.isClosed || signal?.aborted === true;
    try {
      while (!stopped()) {
        if (reader.queue.size === 0) this.fill(reader);
        if (reader.queue.size > 0) {
          yield reader.queue.take() as E;
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          poll.start({ readable: true }, () => wake());
        });
        if (!this.lifetime.isClosed) poll.stop();
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      poll.close();
      this.endIteration = null;
    }
  }

  /** Consumes what the ring buffer holds into the reader's queue, decoded. */
  private fill(reader: Reader): void {
    check(`consuming ring buffer '${this.name}'`, () => lib.ring_buffer__consume(reader.ringBuffer) as number);
  }

  private open(): Reader {
    this.lifetime.assertOpen();
    if (this.reader !== null) return this.reader;
    const queue = new RecordQueue();
    const callback = koffi.register((_context: bigint, data: bigint, size: number | bigint): number => {
      // Decoded in place: the record's memory is only valid during the callback.
      const record = new DataView(koffi.view(data, Number(size)));
      if (record.byteLength < this.recordType.size) return -22; // EINVAL: stops consumption, surfaces as an error
      queue.push(this.decodeRecord(record, 0));
      return 0;
    }, koffi.pointer(ringBufferSampleFn));
    try {
      const ringBuffer = checkPointer<RingBuffer>(`opening ring buffer '${this.name}'`, () =>
        lib.ring_buffer__new(this.fd, callback, null, null) as bigint | null,
      );
      this.reader = { ringBuffer, callback, queue };
      return this.reader;
    } catch (error) {
      koffi.unregister(callback);
      throw error;
    }
  }

  private free(): void {
    if (this.reader === null) return;
    lib.ring_buffer__free(this.reader.ringBuffer);
    koffi.unregister(this.reader.callback);
    this.reader = null;
  }
}
