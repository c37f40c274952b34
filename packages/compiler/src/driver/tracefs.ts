// Tracepoint event descriptions from tracefs
// (`/sys/kernel/tracing/events/<category>/<event>/format`), parsed for the
// core. Each file is read at most once per process.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TracepointField, TracepointFormat } from '../kernel/kernel-inputs.js';

/** Where tracefs is mounted: its own mount point, or the older place under debugfs. */
export const TRACEFS_ROOTS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];

/** Event and category names as the kernel makes them; anything else (a `/`, `..`) never reaches the file system. */
const EVENT_NAME = /^[A-Za-z0-9_.-]+$/;

const cache = new Map<string, TracepointFormat | null>();

/** The parsed format of `category/event`, or null when tracefs is not mounted or has no such event. */
export function readTracepointFormat(category: string, event: string, roots: readonly string[] = TRACEFS_ROOTS): TracepointFormat | null {
  if (!EVENT_NAME.test(category) || !EVENT_NAME.test(event) || category.startsWith('.') || event.startsWith('.')) return null;
  const key = `${roots.join(':')}|${category}/${event}`;
  if (cache.has(key)) return cache.get(key)!;
  const root = roots.find((r) => existsSync(join(r, 'events')));
  const path = root === undefined ? null : join(root, 'events', category, event, 'format');
  const format = path !== null && existsSync(path) ? parseTracepointFormat(readFileSync(path, 'utf8')) : null;
  // An unmounted tracefs is not remembered: a test or the user may mount it before the next compile.
  if (root !== undefined) cache.set(key, format);
  return format;
}

/**
 * Parses a tracefs format file:
 *
 *     name: sched_switch
 *     ID: 372
 *     format:
 *         field:unsigned short common_type;  offset:0;  size:2;  signed:0;
 *         ...
 *         field:char prev_comm[16];  offset:8;  size:16;  signed:0;
 *         field:__data_loc char[] filename;  offset:8;  size:4;  signed:0;
 */
export function parseTracepointFormat(text: string): TracepointFormat {
  const name = /^name:\s*(\S+)/m.exec(text)?.[1];
  const id = /^ID:\s*(\d+)/m.exec(text)?.[1];
  if (name === undefined || id === undefined) throw new Error('not a tracefs event format: no name or ID line');
  const fields: TracepointField[] = [];
  for (const line of text.split('\n')) {
    const match = /^\s*field:(.+?);\s*offset:(\d+);\s*size:(\d+);\s*(?:signed:(\d+);)?/.exec(line);
    if (match) fields.push(parseField(match[1]!, Number(match[2]), Number(match[3]), match[4] === '1'));
  }
  return { name, id: Number(id), fields };
}

function parseField(declaration: string, offset: number, size: number, signed: boolean): TracepointField {
  let text = declaration.trim();
  let dataLocation: TracepointField['dataLocation'] = null;
  const location = /^(__data_loc|__rel_loc)\s+/.exec(text);
  if (location) {
    dataLocation = location[1] === '__data_loc' ? 'record' : 'field';
    text = text.slice(location[0].length);
  }
  // `__data_loc char[] filename`: the brackets belong to the type, the name comes last.
  let arrayLength: number | null = null;
  const array = /\[(\d*)\]\s*$/.exec(text);
  if (array) {
    text = text.slice(0, array.index).trim();
    if (array[1] !== '') arrayLength = Number(array[1]);
  }
  const nameMatch = /([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(text)!;
  let cType = text.slice(0, nameMatch.index).trim();
  if (cType.endsWith('[]')) cType = cType.slice(0, -2).trim();
  return {
    name: nameMatch[1]!,
    cType,
    offset,
    size,
    signed,
    common: nameMatch[1]!.startsWith('common_'),
    arrayLength,
    dataLocation,
    pointer: cType.endsWith('*'),
  };
}
