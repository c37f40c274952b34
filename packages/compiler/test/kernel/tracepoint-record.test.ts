// A tracepoint's record from tracefs or, failing that, from the kernel's BTF:
// on this machine the two agree field by field for every event that has a
// record struct of its own.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Btf } from '../../src/btf/btf.js';
import { readTracepointFormat } from '../../src/driver/tracefs.js';
import { tracepointRecord } from '../../src/kernel/tracepoint-record.js';
import { ensureTracefs, kernelUsable, TRACEFS_ROOT } from '../../../../test/helpers/kernel.js';
import { BtfBuilder } from '../btf/btf-builder.js';

describe('tracepoint records', () => {
  it('reads a record from BTF: the header and dynamic area left out, __data_loc fields under their own names', () => {
    const b = new BtfBuilder();
    const u32 = b.int('unsigned int', 4);
    const int = b.int('int', 4, { signed: true });
    const char = b.int('char', 1, { signed: true, char: true });
    const entry = b.struct('trace_entry', 8, [['type', b.int('short unsigned int', 2), 0], ['pid', int, 32]]);
    b.struct('trace_event_raw_sched_process_exec', 24, [
      ['ent', entry, 0],
      ['__data_loc_filename', u32, 64],
      ['pid', int, 96],
      ['comm', b.array(char, 4), 128],
      ['__data', b.array(char, 0), 192],
    ]);
    const record = tracepointRecord('sched/sched_process_exec', null, Btf.parse(b.bytes()))!;
    expect(record.source).toBe('btf');
    expect(record.fields.map((f) => [f.name, f.offset, f.size, f.signed, f.arrayLength, f.dataLocation])).toEqual([
      ['filename', 8, 4, false, null, 'record'],
      ['pid', 12, 4, true, null, null],
      ['comm', 16, 4, true, 4, null],
    ]);
    expect(tracepointRecord('sched/no_such_event', null, Btf.parse(b.bytes()))).toBeNull();
    expect(tracepointRecord('not-an-event', null, null)).toBeNull();
  });

  it('prefers the tracefs description', () => {
    const format = { name: 'e', id: 1, fields: [{ name: 'common_type', cType: 'unsigned short', offset: 0, size: 2, signed: false, common: true, arrayLength: null, dataLocation: null, pointer: false }, { name: 'x', cType: 'int', offset: 8, size: 4, signed: true, common: false, arrayLength: null, dataLocation: null, pointer: false }] };
    expect(tracepointRecord('c/e', () => format, null)).toEqual({ event: 'c/e', source: 'tracefs', fields: [format.fields[1]] });
  });

  const usable = kernelUsable();
  it.skipIf(!usable.ok || !existsSync('/sys/kernel/btf/vmlinux'))(`agrees with tracefs for every event with its own BTF record${usable.ok ? '' : ` [skipped: ${usable.reason}]`}`, () => {
    ensureTracefs();
    const btf = Btf.parse(readFileSync('/sys/kernel/btf/vmlinux'));
    const events = join(TRACEFS_ROOT, 'events');
    let compared = 0;
    const differences: string[] = [];
    for (const category of readdirSync(events, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      for (const event of readdirSync(join(events, category.name), { withFileTypes: true }).filter((d) => d.isDirectory())) {
        const name = `${category.name}/${event.name}`;
        const fromBtf = tracepointRecord(name, null, btf);
        const fromTracefs = tracepointRecord(name, readTracepointFormat, null);
        if (!fromBtf || !fromTracefs) continue;
        compared++;
        const shape = (r: typeof fromBtf) => r.fields.map((f) => `${f.name}@${f.offset}:${f.size}${f.dataLocation ? `:${f.dataLocation}` : ''}${f.arrayLength !== null ? `[${f.arrayLength}]` : ''}`);
        if (shape(fromBtf).join() !== shape(fromTracefs).join()) differences.push(`${name}: btf ${shape(fromBtf).join()} / tracefs ${shape(fromTracefs).join()}`);
      }
    }
    expect(compared).toBeGreaterThan(200);
    expect(differences).toEqual([]);
  });
});
