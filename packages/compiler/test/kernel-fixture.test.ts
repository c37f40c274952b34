// The committed kernel fixture (test/helpers/kernel-fixture.ts): it holds what
// the spec names, and (with UPDATE_KERNEL_FIXTURE=1) is cut anew from this
// machine's kernel BTF and tracefs.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Btf } from '../src/btf/btf.js';
import { compositeOf, findField, findKernelType } from '../src/kernel/kernel-fields.js';
import { TRACEFS_ROOTS } from '../src/driver/tracefs.js';
import { btfSubset } from './btf/btf-subset.js';
import { ensureTracefs } from '../../../test/helpers/kernel.js';
import { fixtureKernelInputs, KERNEL_FIXTURE_BTF, KERNEL_FIXTURE_DIR, KERNEL_FIXTURE_SPEC } from '../../../test/helpers/kernel-fixture.js';

describe('the kernel fixture', () => {
  if (process.env.UPDATE_KERNEL_FIXTURE) {
    it('is cut from this machine\'s kernel', () => {
      ensureTracefs();
      mkdirSync(KERNEL_FIXTURE_DIR, { recursive: true });
      writeFileSync(KERNEL_FIXTURE_BTF, btfSubset(Btf.parse(readFileSync('/sys/kernel/btf/vmlinux')), KERNEL_FIXTURE_SPEC));
      for (const event of KERNEL_FIXTURE_SPEC.events) {
        const root = TRACEFS_ROOTS.find((r) => existsSync(join(r, 'events')))!;
        const target = join(KERNEL_FIXTURE_DIR, 'events', event, 'format');
        mkdirSync(dirname(target), { recursive: true });
        // tracefs files report size 0: read them, do not copy them.
        writeFileSync(target, readFileSync(join(root, 'events', event, 'format'), 'utf8'));
      }
    });
  }

  it('has every struct field, function and event format the spec names', () => {
    const inputs = fixtureKernelInputs();
    const btf = inputs.btf!();
    for (const [name, fields] of Object.entries(KERNEL_FIXTURE_SPEC.structs)) {
      const composite = compositeOf(btf, findKernelType(btf, name)!.id)!;
      for (const field of fields) expect(findField(btf, composite, field), `${name}.${field}`).not.toBeNull();
    }
    for (const name of KERNEL_FIXTURE_SPEC.functions) expect(btf.findOne(name, 'func'), name).not.toBeNull();
    for (const event of KERNEL_FIXTURE_SPEC.events) {
      const [category, name] = event.split('/') as [string, string];
      expect(inputs.tracepointFormat!(category, name)?.name, event).toBe(name);
    }
    // Small enough to commit: a few kilobytes, not a vmlinux.
    expect(readFileSync(KERNEL_FIXTURE_BTF).length).toBeLessThan(64 * 1024);
  });
});
