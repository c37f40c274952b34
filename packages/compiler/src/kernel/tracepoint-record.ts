// The record a tracepoint program receives, field by field: from the tracefs
// description of the event when the driver has one, else from the kernel's
// BTF (`struct trace_event_raw_<event>`, which the kernel generates for
// events with a class of their own; syscall events share one generic record
// there, so for those tracefs is the source).
import type { Btf } from '../btf/btf.js';
import type { TracepointField, TracepointFormat } from './kernel-inputs.js';

/** Bytes of the header every record starts with (`struct trace_entry`: common_type, flags, preempt count, pid). */
export const TRACEPOINT_HEADER_SIZE = 8;

export interface TracepointRecord {
  /** `sched/sched_switch`. */
  event: string;
  source: 'tracefs' | 'btf';
  /** The event's own fields, the common header left out, in record order. */
  fields: TracepointField[];
}

/** The record of `category/event`, or null when neither tracefs nor the BTF describes it. */
export function tracepointRecord(event: string, tracefs: ((category: string, event: string) => TracepointFormat | null) | null, btf: Btf | null): TracepointRecord | null {
  const [category, name] = event.split('/');
  if (category === undefined || name === undefined) return null;
  const format = tracefs?.(category, name) ?? null;
  if (format) return { event, source: 'tracefs', fields: format.fields.filter((f) => !f.common) };
  const raw = btf?.findOne(`trace_event_raw_${name}`, 'struct') ?? null;
  if (!btf || !raw) return null;
  const fields: TracepointField[] = [];
  for (const member of raw.members) {
    const offset = member.bitOffset / 8;
    // `ent` is the common header, `__data` the dynamic area after the fields.
    if (offset < TRACEPOINT_HEADER_SIZE || member.name === '__data' || member.bitSize > 0) continue;
    const location = /^__(data|rel)_loc_(.+)$/.exec(member.name);
    const type = btf.resolve(member.type);
    const element = type.kind === 'array' ? btf.resolve(type.element) : type;
    fields.push({
      name: location ? location[2]! : member.name,
      cType: element.kind === 'ptr' ? 'void *' : element.name || element.kind,
      offset,
      size: btf.sizeOf(member.type),
      signed: (element.kind === 'int' || element.kind === 'enum') && element.signed,
      common: false,
      arrayLength: type.kind === 'array' ? type.length : null,
      dataLocation: location ? (location[1] === 'data' ? 'record' : 'field') : null,
      pointer: type.kind === 'ptr',
    });
  }
  return { event, source: 'btf', fields };
}
