// examples/uprobe.ks: a uprobe and a uretprobe on add_numbers() of
// examples/uprobe_target.c, built here. Both loaders resolve the symbol in
// the binary's ELF symbol table and attach; the test calls the function and
// reads the arguments and the result the probes saw.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { load, type RingBufferHandle } from '../../packages/runtime/src/index.js';
import { buildExample, EXAMPLES, type BuiltSystem } from '../helpers/build.js';
import { startCoordinator } from '../helpers/coordinator.js';
import { describeKernel } from '../helpers/kernel.js';
import { buildUserBinary, type UserBinary } from '../helpers/user-binary.js';

type Call = { pid: number; a: bigint; b: bigint; result: bigint };

/** Runs the target to completion: its pid and what it printed. */
async function run(binary: string, args: string[]): Promise<{ pid: number; stdout: string }> {
  const child = execa(binary, args);
  return { pid: child.pid!, stdout: (await child).stdout };
}

describeKernel('uprobes: examples/uprobe.ks on a binary the test builds', () => {
  let built: BuiltSystem;
  let target: UserBinary;
  beforeAll(async () => {
    built = await buildExample('uprobe', { coordinator: true });
    target = await buildUserBinary('uprobe_target', await readFile(join(EXAMPLES, 'uprobe_target.c'), 'utf8'));
  });
  afterAll(async () => {
    await built?.cleanup();
    await target?.cleanup();
  });

  it('the runtime resolves add_numbers, and the probes see each call\'s arguments and result', async () => {
    using system = load({ metadata: built.metadata, object: built.object });
    const probe = `${target.path}:add_numbers`;
    expect(system.programs.on_add.attach(probe).description).toBe(`uprobe:${probe}`);
    expect(system.programs.on_add_return.attach(probe).description).toBe(`uretprobe:${probe}`);
    const runs = [await run(target.path, ['40', '2']), await run(target.path, ['-7', '1000000000000'])];
    expect(runs.map((run) => run.stdout)).toEqual(['42', '999999999993']);
    const calls = (system.maps.calls as RingBufferHandle<Call>).consume();
    expect(calls).toEqual([
      { pid: runs[0]!.pid, a: 40n, b: 2n, result: 42n },
      { pid: runs[1]!.pid, a: -7n, b: 1_000_000_000_000n, result: 999_999_999_993n },
    ]);
  });

  it('the runtime names the binary and the symbol it cannot find', () => {
    using system = load({ metadata: built.metadata, object: built.object });
    expect(() => system.programs.on_add.attach(`${target.path}:add_number`)).toThrow(
      `uprobe program 'on_add': ${target.path} has no function 'add_number' in its symbol tables`,
    );
    expect(() => system.programs.on_add.attach(`${target.dir}/missing:add_numbers`)).toThrow(`cannot read the symbols of ${target.dir}/missing`);
  });

  it('the coordinator attaches the declared ./uprobe_target:add_numbers from its working directory and prints every call', async () => {
    const coordinator = startCoordinator(built.coordinator, [], 30_000, { cwd: target.dir });
    try {
      await coordinator.waitFor(/tracing add_numbers/);
      const call = await run(target.path, ['5', '6']);
      await coordinator.waitFor(new RegExp(`pid ${call.pid}: add_numbers\\(5, 6\\) = 11`));
    } finally {
      const result = await coordinator.stop();
      expect(result.exitCode, result.all).toBe(0);
    }
  });
});
