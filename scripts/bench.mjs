#!/usr/bin/env node
// `pnpm bench`: runs every bench/*.bench.mjs in name order and prints its figures,
// then every issue target the benches recorded, with its figure and ratio.
// Each module exports `name` and `run()`, which prints its own table.
// `pnpm bench startup scaling` runs only the files whose names contain those words.
import { readdir } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { printTargets } from '../bench/measure.mjs';

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const benchDir = join(import.meta.dirname, '..', 'bench');
const only = process.argv.slice(2);
console.log(`load average at the start: ${load()}`);
for (const file of (await readdir(benchDir)).filter((f) => f.endsWith('.bench.mjs')).sort()) {
  if (only.length > 0 && !only.some((o) => file.includes(o))) continue;
  const bench = await import(pathToFileURL(join(benchDir, file)).href);
  console.log(`\n## ${bench.name}\n`);
  await bench.run();
}
console.log(`\n## Targets (load average at the end: ${load()})\n`);
printTargets();
