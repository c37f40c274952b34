// Property (issues 3 and 11): every random well-typed program (test/property/program-generator.ts),
// kernel-pointer reads and string reads included,
// is accepted by the compiler, its eBPF C compiles with `clang -Werror`, and
// the kernel verifier loads every program of it. A failure shrinks to a small
// program, printed with the compiler diagnostic, clang's errors or the
// verifier log. 25 systems (a fixed seed) per run here; `pnpm test:long`
// (KS_LONG=1) runs 500 fresh ones. KS_PROPERTY_SEED=<n> replays a run.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { compile, formatDiagnostic } from '../../packages/compiler/src/index.js';
import { buildBpfObject } from '../../packages/compiler/src/driver/toolchain.js';
import { kernelInputs } from '../../packages/compiler/src/driver/kernel-inputs.js';
import { describeKernel, loadAll, withPinDir } from '../helpers/kernel.js';
import { systemArbitrary, type GeneratedSystem } from './program-generator.js';

const LONG = process.env.KS_LONG === '1';
const RUNS = LONG ? 500 : 25;
/**
 * The bounded run (CI) replays the same 25 systems, so a red CI is always
 * reproducible; `pnpm test:long` explores fresh random systems every time.
 */
const BOUNDED_RUN_SEED = 20261125;
const seed = process.env.KS_PROPERTY_SEED ? Number(process.env.KS_PROPERTY_SEED) : LONG ? undefined : BOUNDED_RUN_SEED;
const FILENAME = 'random.ks';
/** The verifier log is long; its end says why it refused. */
const LOG_TAIL_LINES = 40;

class PropertyFailure extends Error {
  constructor(stage: string, system: GeneratedSystem, detail: string) {
    super(`${stage}\n--- ${FILENAME} ---\n${system.source}--- ${stage} ---\n${detail.trimEnd()}`);
  }
}

/** Compiles, builds with clang -Werror and loads one generated system; throws a PropertyFailure naming the stage that refused it. */
async function checkSystem(system: GeneratedSystem, work: string, stats: { programs: number }): Promise<void> {
  // Kernel reads compile against this machine's BTF, as the CLI would: the objects load here.
  const result = compile(system.source, { filename: FILENAME, kernel: kernelInputs() });
  if (!result.ok) {
    const diagnostics = result.diagnostics.map((d) => formatDiagnostic(d, FILENAME, system.source)).join('\n');
    throw new PropertyFailure('the compiler rejected a well-typed program', system, diagnostics);
  }
  const dir = await mkdtemp(join(work, 'case-'));
  try {
    const ebpf = result.files.find((f) => f.path.endsWith('.ebpf.c'))!;
    await writeFile(join(dir, FILENAME), system.source);
    await writeFile(join(dir, ebpf.path), ebpf.contents);
    const object = join(dir, `${result.name}.ebpf.o`);
    try {
      await buildBpfObject(ebpf.path, object, { cwd: dir, cflags: ['-Werror'] });
    } catch (error) {
      throw new PropertyFailure('clang -Werror refused the generated C', system, `${(error as Error).message}\n--- generated C ---\n${ebpf.contents}`);
    }
    await withPinDir(async (pinDir) => {
      let loaded;
      try {
        loaded = await loadAll(object, pinDir);
      } catch (error) {
        const log = (error as Error).message.split('\n');
        throw new PropertyFailure('the verifier refused the object', system, `${log.slice(-LOG_TAIL_LINES).join('\n')}\n--- generated C ---\n${ebpf.contents}`);
      }
      expect(Object.keys(loaded.programs).sort()).toEqual(system.programs.map((p) => p.name).sort());
      stats.programs += system.programs.length;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describeKernel('random well-typed programs: compiled, clang -Werror clean, verifier-accepted', () => {
  it(
    `${RUNS} random systems`,
    async () => {
      const work = await mkdtemp(join(tmpdir(), 'ks-property-'));
      const stats = { programs: 0 };
      try {
        await fc.assert(
          fc.asyncProperty(systemArbitrary(), (system) => checkSystem(system, work, stats)),
          {
            numRuns: RUNS,
            seed,
            // Shrinking builds and loads each candidate: bound it so a failure reports in reasonable time.
            endOnFailure: false,
            interruptAfterTimeLimit: LONG ? 20 * 60_000 : 5 * 60_000,
            markInterruptAsFailure: false,
          },
        );
      } finally {
        await rm(work, { recursive: true, force: true });
      }
      // Every run loaded at least one program: the property did not pass vacuously.
      expect(stats.programs).toBeGreaterThanOrEqual(RUNS);
    },
    LONG ? 30 * 60_000 : 10 * 60_000,
  );
});
