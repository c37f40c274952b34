// What the driver hands the core about the kernel: tracefs event formats
// (parsed from the files tracefs prints) and BTF files (parsed once, reused
// while unchanged, errors naming the file).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kernelInputs, KERNEL_BTF, loadBtf } from '../src/driver/kernel-inputs.js';
import { parseTracepointFormat, readTracepointFormat } from '../src/driver/tracefs.js';
import { ensureTracefs, kernelUsable, TRACEFS_ROOT } from '../../../test/helpers/kernel.js';
import { BtfBuilder } from './btf/btf-builder.js';

const SCHED_PROCESS_EXEC = `name: sched_process_exec
ID: 365
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

\tfield:__data_loc char[] filename;\toffset:8;\tsize:4;\tsigned:0;
\tfield:pid_t pid;\toffset:12;\tsize:4;\tsigned:1;
\tfield:const char * path;\toffset:16;\tsize:8;\tsigned:0;
\tfield:char comm[16];\toffset:24;\tsize:16;\tsigned:0;
\tfield:__rel_loc u8[] data;\toffset:40;\tsize:4;\tsigned:0;

print fmt: "filename=%s pid=%d old_pid=%d", __get_str(filename), REC->pid, REC->old_pid
`;

describe('tracefs event formats', () => {
  it('parses the common header, plain, pointer, array and __data_loc/__rel_loc fields', () => {
    const format = parseTracepointFormat(SCHED_PROCESS_EXEC);
    expect(format).toMatchObject({ name: 'sched_process_exec', id: 365 });
    const plain = { arrayLength: null, dataLocation: null, pointer: false, common: false };
    expect(format.fields).toEqual([
      { ...plain, name: 'common_type', cType: 'unsigned short', offset: 0, size: 2, signed: false, common: true },
      { ...plain, name: 'common_flags', cType: 'unsigned char', offset: 2, size: 1, signed: false, common: true },
      { ...plain, name: 'common_preempt_count', cType: 'unsigned char', offset: 3, size: 1, signed: false, common: true },
      { ...plain, name: 'common_pid', cType: 'int', offset: 4, size: 4, signed: true, common: true },
      { ...plain, name: 'filename', cType: 'char', offset: 8, size: 4, signed: false, dataLocation: 'record' },
      { ...plain, name: 'pid', cType: 'pid_t', offset: 12, size: 4, signed: true },
      { ...plain, name: 'path', cType: 'const char *', offset: 16, size: 8, signed: false, pointer: true },
      { ...plain, name: 'comm', cType: 'char', offset: 24, size: 16, signed: false, arrayLength: 16 },
      { ...plain, name: 'data', cType: 'u8', offset: 40, size: 4, signed: false, dataLocation: 'field' },
    ]);
  });

  it('refuses text that is not an event format', () => {
    expect(() => parseTracepointFormat('hello')).toThrow('not a tracefs event format: no name or ID line');
  });

  it('never reads outside tracefs: event names with path syntax are unknown events', () => {
    for (const [category, event] of [['..', 'x'], ['syscalls', '../../../etc/passwd'], ['a/b', 'c'], ['syscalls', ''], ['.', 'format']]) {
      expect(readTracepointFormat(category!, event!)).toBeNull();
    }
    expect(readTracepointFormat('syscalls', 'sys_enter_getppid', ['/nonexistent/tracefs'])).toBeNull();
  });

  const usable = kernelUsable();
  describe.skipIf(!usable.ok)(`this machine's tracefs${usable.ok ? '' : ` [skipped: ${usable.reason}]`}`, () => {
    it('reads sys_enter_openat and finds the fields opensnoop uses', () => {
      ensureTracefs();
      const format = readTracepointFormat('syscalls', 'sys_enter_openat')!;
      expect(format.name).toBe('sys_enter_openat');
      const filename = format.fields.find((f) => f.name === 'filename')!;
      expect(filename).toMatchObject({ pointer: true, size: 8, common: false });
      expect(format.fields.filter((f) => f.common).map((f) => f.name)).toEqual(['common_type', 'common_flags', 'common_preempt_count', 'common_pid']);
      expect(readTracepointFormat('syscalls', 'sys_enter_openat')).toBe(format); // read once per process
      expect(readTracepointFormat('syscalls', 'no_such_event')).toBeNull();
      expect(kernelInputs().tracepointFormat!('sched', 'sched_switch')!.fields.find((f) => f.name === 'prev_comm')).toMatchObject({ arrayLength: 16, size: 16 });
    });

    it('parses every event format this kernel has, each field consistent with its size', () => {
      ensureTracefs();
      const events = join(TRACEFS_ROOT, 'events');
      let parsed = 0;
      const inconsistent: string[] = [];
      for (const category of readdirSync(events, { withFileTypes: true }).filter((d) => d.isDirectory())) {
        for (const event of readdirSync(join(events, category.name), { withFileTypes: true }).filter((d) => d.isDirectory())) {
          const path = join(events, category.name, event.name, 'format');
          if (!existsSync(path)) continue;
          const format = parseTracepointFormat(readFileSync(path, 'utf8'));
          parsed++;
          for (const field of format.fields) {
            const ok = field.dataLocation !== null ? field.size === 4 : field.arrayLength !== null ? field.size % Math.max(1, field.arrayLength) === 0 : !field.pointer || field.size === 8;
            if (!ok || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(field.name) || field.cType === '') inconsistent.push(`${category.name}/${event.name}: ${JSON.stringify(field)}`);
          }
          if (format.fields.length > 0 && format.fields[0]!.name !== 'common_type') inconsistent.push(`${category.name}/${event.name}: no common header`);
        }
      }
      expect(parsed).toBeGreaterThan(500);
      expect(inconsistent).toEqual([]);
    });
  });
});

describe('BTF files', () => {
  it('parses a file once and reuses it while the file is unchanged; a changed file is read again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ks-btf-'));
    try {
      const path = join(dir, 'a.btf');
      const first = new BtfBuilder();
      first.int('int', 4);
      await writeFile(path, first.bytes());
      const btf = loadBtf(path);
      expect(loadBtf(path)).toBe(btf);
      expect(kernelInputs({ btf: path }).btf!()).toBe(btf);
      const second = new BtfBuilder();
      second.int('long', 8);
      await writeFile(path, second.bytes());
      const reread = loadBtf(path);
      expect(reread).not.toBe(btf);
      expect(reread.findOne('long', 'int')).not.toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('says which file is missing or not BTF, and how to fix the default', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ks-btf-'));
    try {
      expect(() => loadBtf(join(dir, 'missing.btf'))).toThrow(`cannot read BTF file '${join(dir, 'missing.btf')}': ENOENT`);
      await writeFile(join(dir, 'elf.btf'), '\x7fELF not btf at all, but long enough');
      expect(() => loadBtf(join(dir, 'elf.btf'))).toThrow(`'${join(dir, 'elf.btf')}' is not usable BTF: not BTF: magic 0x457f, expected 0xeb9f`);
      const broken = new BtfBuilder();
      broken.raw(0, 4, 9, 4);
      await writeFile(join(dir, 'cut.btf'), broken.bytes());
      expect(() => loadBtf(join(dir, 'cut.btf'))).toThrow('is not usable BTF: BTF type 1 (struct) runs past the end of the type section');
      expect(() => loadBtf(dir)).toThrow(`cannot read BTF file '${dir}': EISDIR`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!existsSync(KERNEL_BTF))('reads the running kernel\'s BTF by default', () => {
    expect(kernelInputs().btf!().findOne('task_struct', 'struct')).not.toBeNull();
  });
});
