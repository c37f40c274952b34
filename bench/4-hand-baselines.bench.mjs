// Generated code against careful hand-written libbpf C (test/bench/hand/):
// BPF instructions per program for the packet-parsing examples, and whether
// the generated program is within the 10% of the hand-written one.
// Each hand-written file keeps the .ks program's structure (its statements,
// in its order: the comparison measures code generation, not another
// algorithm) and writes each construct as a careful engineer would: direct
// packet pointer checks, one lookup per element, `switch` for `match`, plain
// increments on per-CPU slots. Both are built with the driver's flags
// (BPF_CFLAGS, -mcpu=v3, the multiarch include);
// test/bench/hand-baselines.test.ts proves in the kernel that each
// hand-written object behaves exactly like the generated one.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../packages/compiler/dist/index.js';
import { buildBpfObject, countInstructions } from '../packages/compiler/dist/driver/index.js';
import { printTable, recordTarget } from './measure.mjs';

export const name = 'Generated vs hand-written C: BPF instructions per program';

const repoRoot = join(import.meta.dirname, '..');
/** The packet-parsing examples that have a hand-written baseline in test/bench/hand/<name>.bpf.c. */
export const BASELINES = ['protocol_counter', 'packet_classifier', 'rate_limiter', 'size_filter'];
/** Issue target: generated programs at most this much larger than the hand-written ones. */
const TOLERANCE = 0.1;

/** Instruction counts per program of the generated object and of the hand-written one. */
export async function measureBaselines() {
  const work = await mkdtemp(join(tmpdir(), 'ks-bench-hand-'));
  const rows = [];
  try {
    for (const example of BASELINES) {
      const filename = `examples/${example}.ks`;
      const result = compile(readFileSync(join(repoRoot, filename), 'utf8'), { filename });
      if (!result.ok) throw new Error(`${filename} did not compile`);
      const generatedC = join(work, `${example}.ebpf.c`);
      await writeFile(generatedC, result.files.find((f) => f.path.endsWith('.ebpf.c')).contents);
      const generatedObject = join(work, `${example}.ebpf.o`);
      const handObject = join(work, `${example}.hand.o`);
      await buildBpfObject(generatedC, generatedObject, { cflags: ['-Werror'] });
      // The same driver call, hence exactly the same clang flags as the generated code.
      await buildBpfObject(join(repoRoot, 'test/bench/hand', `${example}.bpf.c`), handObject, { cflags: ['-Werror'] });
      const generated = await countInstructions(generatedObject);
      const hand = await countInstructions(handObject);
      for (const [program, count] of generated) {
        const handCount = hand.get(program);
        if (handCount === undefined) throw new Error(`test/bench/hand/${example}.bpf.c has no program '${program}'`);
        rows.push({ example, program, generated: count, hand: handCount });
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return rows;
}

export async function run() {
  const rows = await measureBaselines();
  const worst = rows.reduce((a, b) => (b.generated / b.hand > a.generated / a.hand ? b : a));
  recordTarget({ target: 'generated BPF instructions vs hand-written C (largest program ratio)', figure: worst.generated, unit: 'insns', baseline: { name: 'hand-written', figure: worst.hand }, limit: 1 + TOLERANCE, note: `${worst.example}.ks ${worst.program}` });
  printTable(
    ['example', 'program', 'generated', 'hand-written', 'difference', `within ${TOLERANCE * 100}%`],
    rows.map(({ example, program, generated, hand }) => {
      const difference = (generated - hand) / hand;
      return [`${example}.ks`, program, generated, hand, `${difference >= 0 ? '+' : ''}${(difference * 100).toFixed(1)}%`, difference <= TOLERANCE ? 'yes' : 'NO'];
    }),
  );
}
