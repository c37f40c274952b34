// Language server latency: diagnostics for a 1,000-line file after a
// one-character edit, in-process (the services' incremental check) and end
// to end over the protocol (didChange sent → publishDiagnostics received from
// the built server on stdio), against a full compile() of the same file in
// the same run. Needs `pnpm build` first.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { compile } from '../packages/compiler/dist/index.js';
import { DocumentSession } from '../packages/compiler/dist/services/index.js';
import { median, medianMs, printTable, recordTarget, verdict } from './measure.mjs';
import { SHAPES } from './scaling/shapes.mjs';

export const name = 'Language server: diagnostics after a one-character edit of a 1,000-line file';

const repoRoot = join(import.meta.dirname, '..');
const server = join(repoRoot, 'packages/language-server/bin/kernelscript-language-server.js');
const protocol = createRequire(join(repoRoot, 'packages/language-server/package.json'))('vscode-languageserver-protocol/node');
/** Issue target: diagnostics after a one-character edit of a 1,000-line file, median ms. */
const TARGET_MS = 20;
const LINES = 1000;
const EDITS = 60;

export async function run() {
  const rows = [];
  let target = null;
  for (const shape of ['small programs', 'straight-line code']) {
    const source = SHAPES[shape](LINES);
    const variants = oneCharacterEdits(source);
    const session = new DocumentSession('large.ks');
    session.update(source);
    let i = 0;
    const incremental = await medianMs(() => session.update(variants[i++ % 2]), { warmup: 20, iterations: 100 });
    const full = await medianMs(() => compile(source, { filename: 'large.ks' }), { warmup: 5, iterations: 30 });
    const overProtocol = await protocolLatency(source);
    rows.push([shape, source.split('\n').length, full.toFixed(2), incremental.toFixed(2), (full / incremental).toFixed(1), overProtocol.toFixed(2)]);
    if (shape === 'small programs') target = overProtocol;
  }
  printTable(['shape', 'lines', 'compile() ms', 'incremental check ms', 'compile / check', 'edit → diagnostics over stdio ms'], rows);
  const met = recordTarget({ target: 'LSP diagnostics after a 1-char edit of a 1,000-line file (over stdio)', figure: target, unit: 'ms', limit: TARGET_MS, note: 'small programs shape' });
  console.log(`\ndiagnostics after a one-character edit, 1,000 lines, end to end: ${target.toFixed(2)} ms median; target ≤ ${TARGET_MS} ms: ${verdict(met)}`);
}

/** Where the edit goes: the last digit of the first integer literal that ends a statement halfway down. */
function editOffset(source) {
  const pattern = /[^\w](\d+);/g;
  pattern.lastIndex = Math.floor(source.length / 2);
  const match = pattern.exec(source);
  return match.index + match[0].length - 2;
}

/** The source and a copy with one digit changed halfway down: alternating them makes every update a one-character edit. */
function oneCharacterEdits(source) {
  const at = editOffset(source);
  const digit = source[at] === '7' ? '8' : '7';
  return [source, `${source.slice(0, at)}${digit}${source.slice(at + 1)}`];
}

/** Median time from sending a one-character didChange to receiving its diagnostics, from the built server. */
async function protocolLatency(source) {
  const child = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = protocol.createProtocolConnection(new protocol.StreamMessageReader(child.stdout), new protocol.StreamMessageWriter(child.stdin));
  const arrived = new Map();
  connection.onNotification(protocol.PublishDiagnosticsNotification.type, (params) => arrived.get(params.version)?.(process.hrtime.bigint()));
  connection.listen();
  const uri = 'file:///bench/large.ks';
  try {
    await connection.sendRequest(protocol.InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: {}, workspaceFolders: null });
    await connection.sendNotification(protocol.InitializedNotification.type, {});
    const published = (version) => new Promise((resolve) => arrived.set(version, resolve));
    let done = published(1);
    await connection.sendNotification(protocol.DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'kernelscript', version: 1, text: source } });
    await done;
    const at = editOffset(source);
    const before = source.slice(0, at);
    const line = before.split('\n').length - 1;
    const character = at - (before.lastIndexOf('\n') + 1);
    const digits = [source[at] === '7' ? '8' : '7', source[at]];
    const samples = [];
    for (let version = 2; version < EDITS + 22; version++) {
      const text = digits[version % 2];
      done = published(version);
      const start = process.hrtime.bigint();
      await connection.sendNotification(protocol.DidChangeTextDocumentNotification.type, {
        textDocument: { uri, version },
        contentChanges: [{ range: { start: { line, character }, end: { line, character: character + 1 } }, text }],
      });
      const end = await done;
      // The first 20 edits warm the server up.
      if (version >= 22) samples.push(Number(end - start) / 1e6);
    }
    await connection.sendRequest(protocol.ShutdownRequest.type);
    await connection.sendNotification(protocol.ExitNotification.type);
    return median(samples);
  } finally {
    connection.dispose();
    child.kill();
  }
}
