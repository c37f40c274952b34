// Generated code against careful hand-written libbpf C (test/bench/hand/):
// BPF instructions per program for the packet-parsing examples and the
// tracing ones (execsnoop, opensnoop: libbpf-tools style, with vmlinux.h and
// BPF_CORE_READ), the instructions the verifier processed for each (as root),
// and whether the generated program is within the 10% of the hand-written one.
// Each hand-written file keeps the .ks program's structure (its statements,
// in its order: the comparison measures code generation, not another
// algorithm) and writes each construct as a careful engineer would: direct
// packet pointer checks, one lookup per element, `switch` for `match`, plain
// increments on per-CPU slots. Both are built with the driver's flags
// (BPF_CFLAGS, -mcpu=v3, the multiarch include);
// test/bench/hand-baselines.test.ts and hand-tracing-baselines.test.ts prove
// in the kernel that each hand-written object behaves exactly like the generated one.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../packages/compiler/dist/index.js';
import { buildBpfObject, countInstructions, kernelInputs, verifyObject } from '../packages/compiler/dist/driver/index.js';
import { printTable, recordTarget } from './measure.mjs';
import { vmlinuxInclude } from './vmlinux-header.mjs';

export const name = 'Generated vs hand-written C: BPF instructions per program';

const repoRoot = join(import.meta.dirname, '..');
/** The packet-parsing examples that have a hand-written baseline in test/bench/hand/<name>.bpf.c. */
export const BASELINES = ['protocol_counter', 'packet_classifier', 'rate_limiter', 'size_filter'];
/** The tracing examples whose hand-written baselines include the running kernel's vmlinux.h. */
export const TRACING_BASELINES = ['execsnoop', 'opensnoop'];
/** Issue target: generated programs at most this much larger than the hand-written ones. */
const TOLERANCE = 0.1;

/** Instruction counts per program of the generated object and of the hand-written one. */
export async function measureBaselines() {
  const work = await mkdtemp(join(tmpdir(), 'ks-bench-hand-'));
  const rows = [];
  const verify = process.getuid?.() === 0;
  try {
    const include = await vmlinuxInclude(work);
    for (const example of [...BASELINES, ...TRACING_BASELINES]) {
      const filename = `examples/${example}.ks`;
      const source = readFileSync(join(repoRoot, filename), 'utf8');
      const result = compile(source, { filename, kernel: kernelInputs() });
      if (!result.ok) throw new Error(`${filename} did not compile`);
      const generatedC = join(work, `${example}.ebpf.c`);
      await writeFile(generatedC, result.files.find((f) => f.path.endsWith('.ebpf.c')).contents);
      const generatedObject = join(work, `${example}.ebpf.o`);
      const handObject = join(work, `${example}.hand.o`);
      await buildBpfObject(generatedC, generatedObject, { cflags: ['-Werror'] });
      // The same driver call, hence exactly the same clang flags as the generated code.
      await buildBpfObject(join(repoRoot, 'test/bench/hand', `${example}.bpf.c`), handObject, { cflags: ['-Werror', ...(TRACING_BASELINES.includes(example) ? [include] : [])] });
      const generated = await countInstructions(generatedObject);
      const hand = await countInstructions(handObject);
      const programs = [...generated.keys()];
      // What the verifier walked, all paths counted (needs root; else not measured).
      const processed = async (object) =>
        verify ? new Map((await verifyObject(object, programs, { filename, source })).programs.map((v) => [v.program, v.processedInstructions])) : new Map();
      const generatedProcessed = await processed(generatedObject);
      const handProcessed = await processed(handObject);
      for (const [program, count] of generated) {
        const handCount = hand.get(program);
        if (handCount === undefined) throw new Error(`test/bench/hand/${example}.bpf.c has no program '${program}'`);
        rows.push({ example, program, generated: count, hand: handCount, generatedProcessed: generatedProcessed.get(program) ?? null, handProcessed: handProcessed.get(program) ?? null });
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return rows;
}

export async function run() {
  const rows = await measureBaselines();
  const worstOf = (candidates, ratio) => candidates.reduce((a, b) => (ratio(b) > ratio(a) ? b : a));
  const record = (target, candidates, figure, hand, unit) => {
    if (candidates.length === 0) return;
    const worst = worstOf(candidates, (r) => figure(r) / hand(r));
    recordTarget({ target, figure: figure(worst), unit, baseline: { name: 'hand-written', figure: hand(worst) }, limit: 1 + TOLERANCE, note: `${worst.example}.ks ${worst.program}` });
  };
  const packets = rows.filter((r) => BASELINES.includes(r.example));
  const tracing = rows.filter((r) => TRACING_BASELINES.includes(r.example));
  const measured = (r) => r.generatedProcessed !== null && r.handProcessed !== null;
  record('generated BPF instructions vs hand-written C (largest program ratio)', packets, (r) => r.generated, (r) => r.hand, 'insns');
  record('execsnoop/opensnoop: generated BPF instructions vs hand-written libbpf-tools C', tracing, (r) => r.generated, (r) => r.hand, 'insns');
  record('execsnoop/opensnoop: instructions the verifier processed, generated vs hand-written', tracing.filter(measured), (r) => r.generatedProcessed, (r) => r.handProcessed, 'insns');
  const percent = (a, b) => (a === null || b === null ? 'not measured (not root)' : `${a >= b ? '+' : ''}${(((a - b) / b) * 100).toFixed(1)}%`);
  printTable(
    ['example', 'program', 'generated', 'hand-written', 'difference', 'verifier processed (generated / hand)', 'difference', `target met (≤ ${TOLERANCE * 100}%)`],
    rows.map(({ example, program, generated, hand, generatedProcessed, handProcessed }) => {
      // The issue targets: instructions for every baseline, verifier-processed instructions for the tracing ones.
      const processedCounts = TRACING_BASELINES.includes(example) && generatedProcessed !== null && handProcessed !== null;
      const within = generated / hand <= 1 + TOLERANCE && (!processedCounts || generatedProcessed / handProcessed <= 1 + TOLERANCE);
      return [
        `${example}.ks`,
        program,
        generated,
        hand,
        percent(generated, hand),
        generatedProcessed === null ? '—' : `${generatedProcessed} / ${handProcessed}`,
        percent(generatedProcessed, handProcessed),
        within ? 'yes' : 'NO',
      ];
    }),
  );
}
