// The compile() fuzz test (issue 15, "Fuzzing in CI"): byte-, token- and
// grammar-level mutations of every example plus the deep-nesting and
// long-line edge cases, compiled twice each in a child process (an abort
// of Node shows there as a signal, a hang as no progress). Asserted for
// every input: no exception escapes compile(), no internal-error
// diagnostic, at most 1 s of CPU for an input of at most 100 kB, and the
// same output the second time. A sample of the accepted inputs is then
// built with clang -Werror and loaded into the verifier — only those whose
// maps plan at most 1 MiB, since a mutated size must not make the kernel
// allocate gigabytes. `pnpm test:long` runs many more cases.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../../packages/compiler/src/compile.js';
import { buildSystem, EXAMPLES } from '../helpers/build.js';
import { describeKernel, loadAll, withPinDir } from '../helpers/kernel.js';
import { edgeCases, mutatedInput } from './mutations.js';

const LONG = process.env.KS_LONG === '1';
const MUTATED_CASES = LONG ? 10_000 : 400;
const BUILT_SAMPLE = LONG ? 40 : 4;
const SEED = Number(process.env.KS_FUZZ_SEED ?? 15);
const CPU_LIMIT_MS = 1000;
const compilerEntry = pathToFileURL(join(import.meta.dirname, '../../packages/compiler/dist/index.js')).href;

const corpus = readdirSync(EXAMPLES)
  .filter((file) => file.endsWith('.ks'))
  .sort()
  .map((file) => readFileSync(join(EXAMPLES, file), 'utf8'));

interface Outcome {
  index: number;
  ok: boolean;
  failure?: string;
}

/** Compiles every input twice in one child process; a crash or a hang names the input it was on. */
async function fuzzInChild(inputs: string[]): Promise<{ outcomes: Outcome[]; exit: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'ks-fuzz-'));
  try {
    const file = join(dir, 'inputs.json');
    writeFileSync(file, JSON.stringify(inputs));
    const script = `
      const { compile } = await import(${JSON.stringify(compilerEntry)});
      const { readFileSync } = await import('node:fs');
      const inputs = JSON.parse(readFileSync(process.argv[1], 'utf8'));
      const cpuMs = (start) => { const used = process.cpuUsage(start); return (used.user + used.system) / 1000; };
      const summary = (result) => JSON.stringify({ ok: result.ok, diagnostics: result.diagnostics, files: result.files, metadata: result.metadata }, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
      for (let index = 0; index < inputs.length; index++) {
        process.stdout.write('start ' + index + '\\n');
        const source = inputs[index];
        let failure;
        let ok = false;
        try {
          const start = process.cpuUsage();
          const first = compile(source, { filename: 'fuzz.ks' });
          const took = cpuMs(start);
          const second = compile(source, { filename: 'fuzz.ks' });
          ok = first.ok;
          const internal = first.diagnostics.find((d) => /internal/i.test(d.message));
          if (internal) failure = 'internal error: ' + internal.message;
          else if (Buffer.byteLength(source) <= 100_000 && took > ${CPU_LIMIT_MS}) failure = 'took ' + Math.round(took) + ' ms of CPU';
          else if (summary(first) !== summary(second)) failure = 'the second compile differs';
        } catch (error) {
          failure = 'exception: ' + (error && error.stack ? error.stack : String(error));
        }
        process.stdout.write('done ' + JSON.stringify({ index, ok, failure }) + '\\n');
      }`;
    const run = await execa(process.execPath, ['--input-type=module', '-e', script, file], { reject: false, timeout: inputs.length * 2 * CPU_LIMIT_MS + 120_000 });
    const lines = run.stdout.split('\n');
    const outcomes = lines.filter((line) => line.startsWith('done ')).map((line) => JSON.parse(line.slice(5)) as Outcome);
    const last = lines.filter((line) => line.startsWith('start ')).at(-1);
    const exit = run.exitCode === 0 ? 'ok' : `child ended (${run.signal ?? `exit ${run.exitCode}`}${run.timedOut ? ', timed out' : ''}) on input ${last?.slice(6)}: ${run.stderr.slice(0, 2000)}`;
    return { outcomes, exit };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const inputs = [...edgeCases(), ...Array.from({ length: MUTATED_CASES }, (_, i) => mutatedInput(corpus, SEED, i))];
let accepted: string[] = [];

describe('compile() under fuzzing', () => {
  it(`${inputs.length} inputs (seed ${SEED}): no exception, no internal error, no abort or hang, ≤ 1 s of CPU each, the same output twice`, async () => {
    const { outcomes, exit } = await fuzzInChild(inputs);
    expect(exit).toBe('ok');
    expect(outcomes).toHaveLength(inputs.length);
    const failures = outcomes.filter((outcome) => outcome.failure !== undefined).map((outcome) => ({ ...outcome, input: inputs[outcome.index]!.slice(0, 400) }));
    expect(failures).toEqual([]);
    accepted = outcomes.filter((outcome) => outcome.ok).map((outcome) => inputs[outcome.index]!);
    // A harness whose mutations were all refused, or all accepted, would test little.
    expect(accepted.length).toBeGreaterThan(inputs.length / 50);
    expect(accepted.length).toBeLessThan(inputs.length * 0.95);
    console.log(`compile fuzz: ${inputs.length} inputs ran clean (${accepted.length} accepted), seed ${SEED}`);
  }, 3_600_000);
});

describeKernel('accepted fuzz inputs in clang and the verifier', () => {
  const built: { cleanup(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const system of built) await system.cleanup();
  });

  it('a sample of small accepted inputs builds with clang -Werror and loads', async () => {
    // Small maps only, and none pinned (a pin path is a fixed place on this machine).
    const small = accepted.filter((source) => {
      const result = compile(source, { filename: 'fuzz.ks' });
      return (
        result.ok &&
        Object.keys(result.metadata!.programs).length > 0 &&
        result.resources!.totalMapMemoryBytes <= 2 ** 20 &&
        Object.values(result.metadata!.maps).every((map) => map.pinPath === null)
      );
    });
    const sample = Array.from(new Set(small)).slice(0, BUILT_SAMPLE);
    expect(sample.length).toBeGreaterThan(0);
    for (const source of sample) {
      const system = await buildSystem(source, 'fuzz.ks');
      built.push(system);
      await withPinDir(async (pinDir) => {
        const loaded = await loadAll(system.object, pinDir);
        expect(Object.keys(loaded.programs).length).toBeGreaterThan(0);
      });
    }
  }, 600_000);
});
