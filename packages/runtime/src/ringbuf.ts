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
  queue: unknown[];
}

export class RingBufferHandle<E = KernelValue> {
  readonly name: string;
  readonly fd: number;
  private readonly recordType: TypeDescriptor;
  private readonly decodeRecord: Decoder;
  private reader: Reader | null = null;
  /** Set while an async iteration runs: stops its epoll watch and wakes it. */
  private endIteration: (() => void) | null = null;

  constructor(
    metadata: MapMetadata,
    fd: number,
    private readonly lifetime: Lifetime,
  ) {
    this.name = metadata.name;
    this.fd = fd;
    this.recordType = metadata.value;
    this.decodeRecord = decoder(metadata.value);
    lifetime.onClose(() => {
      this.endIteration?.();
      this.free();
    });
  }

  /** Decodes and returns every record currently in the ring buffer, without waiting. */
  consume(): E[] {
    return this.drain(this.open());
  }

  /** Streams records as they arrive until the loop breaks or the system closes. One iteration at a time. */
  [Symbol.asyncIterator](): AsyncGenerator<E> {
    return this.stream();
  }

  /**
   * Streams records as they arrive until the loop breaks, `signal` aborts or
   * the system closes. One iteration at a time per ring buffer.
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
        const records = this.drain(reader);
        if (records.length > 0) {
          yield* records;
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

  /** Consumes what the ring buffer holds and takes the decoded records out of the queue. */
  private drain(reader: Reader): E[] {
    check(`consuming ring buffer '${this.name}'`, () => lib.ring_buffer__consume(reader.ringBuffer) as number);
    return reader.queue.splice(0) as E[];
  }

  private open(): Reader {
    this.lifetime.assertOpen();
    if (this.reader !== null) return this.reader;
    const queue: unknown[] = [];
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
