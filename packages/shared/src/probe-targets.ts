// The two attach targets a loader must take apart itself (LANGUAGE.md §15):
// a uprobe's `"/path/to/binary:symbol[+offset]"` and a perf event's
// `"EVENT[:freq=N|:period=N]"`. The compiler checks a declared target with
// these, the runtime and the generated coordinator take the same ones apart.

/** The perf events a `perf_event("...")` program samples: perf_event_attr type and config. */
export const PERF_EVENTS = {
  'cpu-clock': { type: 'software', config: 0 },
  'task-clock': { type: 'software', config: 1 },
  'page-faults': { type: 'software', config: 2 },
  'context-switches': { type: 'software', config: 3 },
  'cpu-migrations': { type: 'software', config: 4 },
  cycles: { type: 'hardware', config: 0 },
  instructions: { type: 'hardware', config: 1 },
  'cache-misses': { type: 'hardware', config: 3 },
  'branch-misses': { type: 'hardware', config: 5 },
} as const satisfies Record<string, { type: 'software' | 'hardware'; config: number }>;

export type PerfEventName = keyof typeof PERF_EVENTS;

/** perf_event_attr.type: PERF_TYPE_HARDWARE, PERF_TYPE_SOFTWARE. */
export const PERF_TYPE = { hardware: 0, software: 1 } as const;

/** Without `:freq=` or `:period=`, an event is sampled 99 times a second (as bcc's profile does by default, off the timer tick). */
export const DEFAULT_PERF_FREQUENCY = 99;

export interface PerfEventTarget {
  event: PerfEventName;
  type: 'software' | 'hardware';
  config: number;
  /** Samples per second (the kernel adjusts the period), or every `period` events. */
  sampling: { freq: number } | { period: number };
}

export interface UprobeTarget {
  /** The binary (or shared library) as written; a relative path is resolved by the loader against its working directory. */
  binary: string;
  symbol: string;
  /** Bytes past the symbol's start. */
  offset: number;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const RATE = /^(freq|period)=([0-9]+)$/;

/** `cpu-clock`, `cpu-clock:freq=99`, `page-faults:period=1`. */
export function parsePerfEventTarget(target: string): Parsed<PerfEventTarget> {
  const [name = '', rate, ...rest] = target.split(':');
  if (!Object.hasOwn(PERF_EVENTS, name)) {
    return { ok: false, error: `unknown perf event '${name}' (events: ${Object.keys(PERF_EVENTS).join(', ')})` };
  }
  const event = name as PerfEventName;
  const { type, config } = PERF_EVENTS[event];
  if (rate === undefined) return { ok: true, value: { event, type, config, sampling: { freq: DEFAULT_PERF_FREQUENCY } } };
  const match = RATE.exec(rate);
  if (!match || rest.length > 0) return { ok: false, error: `a perf event's rate is ':freq=N' or ':period=N', not ':${[rate, ...rest].join(':')}'` };
  const value = Number(match[2]);
  if (!Number.isSafeInteger(value) || value < 1) return { ok: false, error: `${match[1]} must be a positive integer, not ${match[2]}` };
  return { ok: true, value: { event, type, config, sampling: match[1] === 'freq' ? { freq: value } : { period: value } } };
}

/** A symbol name as libbpf and the ELF symbol tables spell it. */
const SYMBOL = /^[A-Za-z_.][A-Za-z0-9_.]*$/;

/** `/usr/bin/bash:readline`, `./target:add+0x10`. */
export function parseUprobeTarget(target: string): Parsed<UprobeTarget> {
  const colon = target.lastIndexOf(':');
  const shape = 'a uprobe target is "/path/to/binary:symbol" (optionally "+offset")';
  if (colon <= 0 || colon === target.length - 1) return { ok: false, error: `${shape}, not "${target}"` };
  const binary = target.slice(0, colon);
  const [symbol = '', offsetText, ...extra] = target.slice(colon + 1).split('+');
  if (!SYMBOL.test(symbol) || extra.length > 0) return { ok: false, error: `'${target.slice(colon + 1)}' is not a symbol name (optionally with +offset)` };
  // Quotes, backslashes and control characters never reach the generated C's strings.
  if (/["\\\x00-\x1f\x7f]/.test(binary)) return { ok: false, error: `the binary path "${binary}" has a quote, backslash or control character` };
  let offset = 0;
  if (offsetText !== undefined) {
    if (!/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(offsetText)) return { ok: false, error: `the offset after '+' is a decimal or 0x hex number, not '${offsetText}'` };
    offset = Number(offsetText);
  }
  return { ok: true, value: { binary, symbol, offset } };
}
