#!/usr/bin/env node
// `pnpm bench`: runs every bench/*.bench.mjs in name order and prints its figures.
// Each module exports `name` and `run()`, which prints its own table.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const benchDir = join(import.meta.dirname, '..', 'bench');
const only = process.argv.slice(2);
for (const file of (await readdir(benchDir)).filter((f) => f.endsWith('.bench.mjs')).sort()) {
  if (only.length > 0 && !only.some((o) => file.includes(o))) continue;
  const bench = await import(pathToFileURL(join(benchDir, file)).href);
  console.log(`\n## ${bench.name}\n`);
  await bench.run();
}
