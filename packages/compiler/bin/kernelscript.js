#!/usr/bin/env node
// Starts the CLI from its bundle (dist/cli/kernelscript.cjs, built by
// scripts/bundle-cli.mjs) through a V8 code cache: compiling the bundle's
// functions is most of a short run's cost, and Node 20 caches no module code.
// CommonJS (bin/package.json), because Node starts a CommonJS entry faster
// than an ES module one, and every millisecond of a short run counts here.
//
// The cache's name carries the bundle's content hash (its first line, written
// by the bundle script), its size and mtime (an edited bundle never meets old
// code) and the Node build, so nothing stale is ever read. It lives next to
// the bundle when that directory is writable, else in the user's cache
// directory; when neither is, the CLI runs without it. No cache error may make
// the CLI fail: every one of them means "no cache".
'use strict';
const { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { homedir } = require('node:os');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const bundle = join(__dirname, '../dist/cli/kernelscript.cjs');
const source = readFileSync(bundle, 'utf8');
const { size, mtimeMs } = statSync(bundle);
const contentHash = /^\/\/ kernelscript CLI bundle ([0-9a-f]{64})\n/.exec(source)?.[1] ?? 'unhashed';
const cacheName = `kernelscript-${contentHash.slice(0, 32)}-${size}-${Math.floor(mtimeMs)}-${process.version}-${process.arch}.v8cache`;
const cacheDirectories = [dirname(bundle), join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'kernelscript')];

const cachedData = readCache();
// The CommonJS wrapper, so the bundle sees require, module and __filename as under Node's own loader.
const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: bundle, cachedData });
const cli = { exports: {} };
script.runInThisContext()(cli.exports, require, cli, bundle, dirname(bundle));
cli.exports.main(process.argv.slice(2)).then((exitCode) => {
  process.exitCode = exitCode;
  // After the run, so the cache holds the functions it compiled lazily too; and only after a
  // command ran (not just help or version), so those are the compiler's.
  if ((cachedData === undefined || script.cachedDataRejected) && cli.exports.ranCommand()) writeCache(script.createCachedData());
});

function readCache() {
  for (const directory of cacheDirectories) {
    try {
      return readFileSync(join(directory, cacheName));
    } catch {
      // not cached there
    }
  }
  return undefined;
}

function writeCache(data) {
  for (const directory of cacheDirectories) {
    // Through a temporary name: a concurrent run reads the old cache or the new one, never half of one.
    const temporary = join(directory, `${cacheName}.${process.pid}.tmp`);
    try {
      mkdirSync(directory, { recursive: true });
      writeFileSync(temporary, data);
      renameSync(temporary, join(directory, cacheName));
    } catch {
      rmSync(temporary, { force: true });
      continue; // read-only or full: try the next place
    }
    if (directory === dirname(bundle)) removeStaleCaches(directory);
    return;
  }
}

/** Caches of earlier builds of this bundle or of other Node versions. The user cache directory is shared by every install, so it is left alone. */
function removeStaleCaches(directory) {
  try {
    for (const name of readdirSync(directory)) {
      if (name !== cacheName && name.startsWith('kernelscript-') && name.endsWith('.v8cache')) rmSync(join(directory, name), { force: true });
    }
  } catch {
    // another run removed them first
  }
}
