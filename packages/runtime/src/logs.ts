// Kernel print() lines as `sys.logs`: the compiler adds a ring buffer to the
// object (metadata.logs) whose records are NUL-terminated lines the kernel
// formatted with bpf_snprintf; here they stream as strings, as aya-log hands
// a program's log records to userspace.
import type { Decoder } from './codec.js';

/** The lines kernel `print()` wrote, oldest first: `for await (const line of sys.logs)`. */
export interface LogLines extends AsyncIterable<string> {
  /** Every line waiting now, without waiting for more. */
  consume(): string[];
  /** Streams lines as they arrive until the loop breaks, `signal` aborts or the system closes. */
  stream(options?: { signal?: AbortSignal }): AsyncGenerator<string>;
}

const utf8 = new TextDecoder();

/** One record: the text up to its NUL (a cut line has none), less one trailing newline, as the coordinator prints it. */
export const decodeLogLine: Decoder = (view, offset) => {
  const bytes = new Uint8Array(view.buffer, view.byteOffset + offset, view.byteLength - offset);
  const end = bytes.indexOf(0);
  const text = utf8.decode(end < 0 ? bytes : bytes.subarray(0, end));
  return text.endsWith('\n') ? text.slice(0, -1) : text;
};

/** The logs of a system whose kernel code never prints: nothing to read, and a loop over them ends at once. */
export const NO_LOG_LINES: LogLines = {
  consume: () => [],
  // eslint-disable-next-line require-yield -- an empty stream
  stream: async function* () {},
  [Symbol.asyncIterator]() {
    return this.stream();
  },
};
