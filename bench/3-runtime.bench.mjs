// Map operations per second through @kernelscript/runtime (koffi → libbpf)
// beside the same operations in C with libbpf (bench/c/map-ops.c), on the
// same pinned hash map in the same run: single get, single set, batch read.
// The two sides alternate for several rounds and each figure is the median, so
// both see the same share of a busy machine.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { compile } from '../packages/compiler/dist/index.js';
import { buildBpfObject } from '../packages/compiler/dist/driver/index.js';
import { load } from '../packages/runtime/dist/index.js';
import { BATCH_SIZE } from '../packages/runtime/dist/map.js';
import { median, printTable } from './measure.mjs';

export const name = 'Runtime: map operations per second, Node (koffi) vs C (libbpf)';

const ENTRIES = 100_000;
const SINGLE_OPS = 300_000;
const BATCH_ROUNDS = 20;
/** Alternating Node/C rounds; figures are medians over them. */
const ROUNDS = 5;
/** Issue targets: a single get within this factor of C; batch reads at least this many elements per second. */
const GET_RATIO_TARGET = 2;
const BATCH_READ_TARGET = 5_000_000;

const SOURCE = `map<u32, u64> values : HashMap(${ENTRIES}) { pinned };

program touch : xdp {
  fn main(ctx: XdpContext) -> XdpAction {
    values[0] += 1;
    return XDP_PASS;
  }
}
`;

/** Operations per second of `body(i)` run `count` times. */
function perSecond(count, body) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) body(i);
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

function measureNode(values) {
  const get = perSecond(SINGLE_OPS, (i) => values.get(i % ENTRIES));
  const set = perSecond(SINGLE_OPS, (i) => values.set(i % ENTRIES, BigInt(i % ENTRIES) * 3n));
  let read = 0;
  const start = process.hrtime.bigint();
  for (let round = 0; round < BATCH_ROUNDS; round++) read += values.getMany().length;
  const batchRead = read / (Number(process.hrtime.bigint() - start) / 1e9);
  return { get, set, batchRead };
}

export async function run() {
  const work = await mkdtemp(join(tmpdir(), 'ks-bench-runtime-'));
  const pinRoot = await mkdtemp('/sys/fs/bpf/ks-bench-runtime-');
  let system;
  try {
    const result = compile(SOURCE, { filename: 'bench.ks' });
    if (!result.ok) throw new Error('bench.ks did not compile');
    const cFile = join(work, 'bench.ebpf.c');
    await writeFile(cFile, result.files.find((file) => file.path.endsWith('.ebpf.c')).contents);
    const object = join(work, 'bench.ebpf.o');
    await buildBpfObject(cFile, object);
    const baseline = join(work, 'map-ops');
    await execa('gcc', ['-O2', '-Wall', '-Wextra', '-Werror', '-o', baseline, join(import.meta.dirname, 'c/map-ops.c'), '-lbpf']);

    // Node 20 has no `using`: close in the finally.
    system = load({ metadata: result.metadata, object }, { pinRoot });
    const { values } = system.maps;
    values.setMany(Array.from({ length: ENTRIES }, (_, i) => [i, BigInt(i)]));
    measureNode(values); // warm-up: JIT, koffi call stubs
    const nodeRounds = [];
    const cRounds = [];
    for (let round = 0; round < ROUNDS; round++) {
      nodeRounds.push(measureNode(values));
      // The C side reads with the same batch size as the runtime's getMany.
      const { stdout } = await execa(baseline, [join(pinRoot, 'values'), String(ENTRIES), String(SINGLE_OPS), String(BATCH_ROUNDS), String(BATCH_SIZE)]);
      cRounds.push(JSON.parse(stdout));
    }
    const medians = (rounds) => Object.fromEntries(['get', 'set', 'batchRead'].map((op) => [op, median(rounds.map((r) => r[op]))]));
    const node = medians(nodeRounds);
    const c = medians(cRounds);

    const format = (perSec) => `${(perSec / 1e6).toFixed(2)} M/s`;
    const rows = [
      ['get (lookup)', format(node.get), format(c.get), `${(c.get / node.get).toFixed(2)}×`],
      ['set (update)', format(node.set), format(c.set), `${(c.set / node.set).toFixed(2)}×`],
      ['batch read (elements)', format(node.batchRead), format(c.batchRead), `${(c.batchRead / node.batchRead).toFixed(2)}×`],
    ];
    printTable(['operation', 'runtime (Node)', 'C (libbpf)', 'C / runtime'], rows);
    console.log(
      `\n${ENTRIES} entries, u32 → u64 hash map; ${SINGLE_OPS} single operations; batch read of the whole map ${BATCH_ROUNDS} times ` +
        `(${BATCH_SIZE} elements per syscall on both sides); medians of ${ROUNDS} alternating rounds.`,
    );
    const getRatio = c.get / node.get;
    console.log(`single get within ${GET_RATIO_TARGET}× of C: ${getRatio.toFixed(2)}× (${getRatio <= GET_RATIO_TARGET ? 'met' : 'NOT met'})`);
    console.log(`batch reads ≥ ${BATCH_READ_TARGET / 1e6} M elements/s: ${format(node.batchRead)} (${node.batchRead >= BATCH_READ_TARGET ? 'met' : 'NOT met'})`);
  } finally {
    system?.close();
    await rm(pinRoot, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  }
}
