// The built language server, over its real protocol: spawned with --stdio,
// spoken to in JSON-RPC by a vscode-languageserver-protocol client.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CodeActionRequest,
  CompletionRequest,
  DefinitionRequest,
  DocumentFormattingRequest,
  DocumentSymbolRequest,
  HoverRequest,
  PrepareRenameRequest,
  ReferencesRequest,
  RenameRequest,
  SemanticTokensRequest,
  type CompletionItem,
  type Diagnostic,
  type DocumentSymbol,
  type Hover,
  type Location,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver-protocol/node.js';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LspClient } from './lsp-client.js';

const server = join(import.meta.dirname, '../bin/kernelscript-language-server.js');
const URI = 'file:///work/project/counter.ks';

const SOURCE = `map<u32, u64> hits : HashMap(16);

program count : xdp {
  fn main(ctx: XdpContext) -> XdpAction {
    let eth = ctx.header<EthHdr>(0);
    if eth == null { return XDP_PASS; }
    hits[0] = hits[0] + 1;
    return XDP_PASS;
  }
}

program other : tc {
  fn main(ctx: TcContext) -> TcAction {
    hits[0] = 1;
    return TC_ACT_OK;
  }
}
`;

/** The LSP position of the `nth` occurrence of `needle`, plus `delta` characters. */
function positionOf(text: string, needle: string, nth = 0, delta = 0) {
  let index = -1;
  for (let i = 0; i <= nth; i++) index = text.indexOf(needle, index + 1);
  if (index < 0) throw new Error(`'${needle}' not found`);
  return TextDocument.create(URI, 'kernelscript', 1, text).positionAt(index + delta);
}

describe('kernelscript-language-server --stdio', () => {
  let client: LspClient;
  const textDocument = { uri: URI };

  beforeAll(async () => {
    client = new LspClient(process.execPath, [server, '--stdio']);
    await client.initialize();
    await client.open(URI, SOURCE);
  });
  afterAll(async () => {
    expect(await client.close()).toBe(0);
  });

  it('announces incremental sync and every feature', () => {
    const capabilities = client.initialized!.capabilities;
    expect(capabilities.textDocumentSync).toMatchObject({ openClose: true, change: 2 });
    expect(capabilities).toMatchObject({ hoverProvider: true, definitionProvider: true, referencesProvider: true, documentSymbolProvider: true, documentFormattingProvider: true });
    expect(capabilities.renameProvider).toEqual({ prepareProvider: true });
    expect(capabilities.completionProvider?.triggerCharacters).toEqual(['.', ':']);
    expect(capabilities.semanticTokensProvider?.legend.tokenTypes).toContain('namespace');
    expect(client.initialized!.serverInfo?.name).toBe('kernelscript-language-server');
  });

  it('publishes the diagnostics of the opened file, a race with both writers as related locations', async () => {
    const { diagnostics } = await client.diagnostics(URI, 1);
    const race = diagnostics.find((d) => d.message.startsWith("Map 'hits' accessed by multiple programs"))!;
    expect(race).toMatchObject({ severity: 2, source: 'kernelscript', code: 'KS4101' });
    expect(race.relatedInformation?.map((r) => [r.location.range.start.line, r.message])).toEqual([
      [6, expect.stringContaining("by program 'count'")],
      [13, expect.stringContaining("by program 'other'")],
    ]);
    const lost = diagnostics.find((d) => d.message.includes('lost-update race'))!;
    expect(lost.range.start).toEqual({ line: 6, character: 4 });
    expect(lost.code).toBe('KS4102');
    expect(lost.message).toContain('help: ');
  });

  it.skipIf(!existsSync('/sys/kernel/btf/vmlinux'))('checks kernel types against this machine\'s BTF, as the CLI does: execsnoop.ks has no errors, a kernel field hovers with its offset, a misspelt field gets the nearest names', async () => {
    const uri = 'file:///work/project/execsnoop.ks';
    const execsnoop = readFileSync(join(import.meta.dirname, '../../../examples/execsnoop.ks'), 'utf8');
    await client.open(uri, execsnoop);
    expect((await client.diagnostics(uri, 1)).diagnostics.filter((d) => d.severity === 1)).toEqual([]);
    const at = positionOf(execsnoop, 'real_parent');
    const field = (await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: at })) as Hover;
    expect((field.contents as { value: string }).value).toMatch(/^```kernelscript\ntask_struct\.real_parent: \*task_struct\n```\n\nOffset \d+ in struct task_struct \(this kernel's BTF/);
    await client.change(uri, 2, [{ range: { start: at, end: { ...at, character: at.character + 'real_parent'.length } }, text: 'real_parnt' }]);
    const [error] = (await client.diagnostics(uri, 2)).diagnostics.filter((d) => d.severity === 1);
    expect(error!.message).toMatch(/^struct task_struct has no field 'real_parnt'[\s\S]*real_parent/);
    expect(error!.range.start).toEqual(at);
  });

  it('re-checks after incremental edits: an error appears at its position, then goes', async () => {
    const semicolon = positionOf(SOURCE, 'return XDP_PASS;\n  }', 0, 'return XDP_PASS'.length);
    await client.change(URI, 2, [{ range: { start: semicolon, end: { ...semicolon, character: semicolon.character + 1 } }, text: '' }]);
    const broken = await client.diagnostics(URI, 2);
    expect(broken.diagnostics.map((d: Diagnostic) => [d.code, d.message, d.range.start])).toEqual([['KS1002', "expected ';'", semicolon]]);
    await client.change(URI, 3, [{ range: { start: semicolon, end: semicolon }, text: ';' }]);
    const fixed = await client.diagnostics(URI, 3);
    expect(fixed.diagnostics.some((d) => d.severity === 1)).toBe(false);
  });

  it('hovers a map with the multi-program access summary', async () => {
    const result = (await client.connection.sendRequest(HoverRequest.type, { textDocument, position: positionOf(SOURCE, 'hits[0] = 1') })) as Hover;
    const value = (result.contents as { value: string }).value;
    expect(value).toContain('map<u32, u64> hits : HashMap(16)');
    expect(value).toContain('program `count`: read-modify-write (not atomic) at line 7');
    expect(value).toContain('program `other`: write at line 14');
    expect(result.range).toEqual({ start: positionOf(SOURCE, 'hits[0] = 1'), end: positionOf(SOURCE, 'hits[0] = 1', 0, 4) });
  });

  it('hovers a program with its resource figures', async () => {
    const result = (await client.connection.sendRequest(HoverRequest.type, { textDocument, position: positionOf(SOURCE, 'count') })) as Hover;
    expect((result.contents as { value: string }).value).toMatch(/section `xdp`[\s\S]*~\d+ instructions \(estimated\), \d+ of 512 bytes of stack/);
  });

  it('goes to definition and finds references', async () => {
    const definition = (await client.connection.sendRequest(DefinitionRequest.type, { textDocument, position: positionOf(SOURCE, 'hits[0] = 1') })) as Location;
    expect(definition).toEqual({ uri: URI, range: { start: { line: 0, character: 14 }, end: { line: 0, character: 18 } } });
    const refs = (await client.connection.sendRequest(ReferencesRequest.type, { textDocument, position: positionOf(SOURCE, 'hits'), context: { includeDeclaration: true } })) as Location[];
    expect(refs.map((r) => r.range.start.line)).toEqual([0, 6, 6, 13]);
    const eth = (await client.connection.sendRequest(DefinitionRequest.type, { textDocument, position: positionOf(SOURCE, 'eth ==') })) as Location;
    expect(eth.range.start).toEqual({ line: 4, character: 8 });
  });

  it('renames, and refuses a rename that would break the file', async () => {
    const prepared = await client.connection.sendRequest(PrepareRenameRequest.type, { textDocument, position: positionOf(SOURCE, 'hits') });
    expect(prepared).toMatchObject({ placeholder: 'hits' });
    const edit = (await client.connection.sendRequest(RenameRequest.type, { textDocument, position: positionOf(SOURCE, 'hits'), newName: 'counters' })) as WorkspaceEdit;
    const renamed = TextDocument.applyEdits(TextDocument.create(URI, 'kernelscript', 3, SOURCE), edit.changes![URI]!);
    expect(renamed).toBe(SOURCE.replaceAll('hits', 'counters'));
    await expect(client.connection.sendRequest(RenameRequest.type, { textDocument, position: positionOf(SOURCE, 'hits'), newName: 'match' })).rejects.toThrow(/would not compile/);
    expect(await client.connection.sendRequest(PrepareRenameRequest.type, { textDocument, position: positionOf(SOURCE, 'XDP_PASS') })).toBeNull();
  });

  it('completes context members for the program kind while the line does not parse yet', async () => {
    const line = positionOf(SOURCE, 'hits[0] =');
    await client.change(URI, 4, [{ range: { start: line, end: line }, text: 'let n = ctx.\n    ' }]);
    await client.diagnostics(URI, 4);
    const items = (await client.connection.sendRequest(CompletionRequest.type, { textDocument, position: { line: line.line, character: line.character + 'let n = ctx.'.length } })) as CompletionItem[];
    const labels = items.map((i) => i.label);
    expect(labels).toEqual(expect.arrayContaining(['data', 'data_end', 'len', 'header']));
    expect(items.find((i) => i.label === 'header')).toMatchObject({ kind: 2, detail: 'header<T>(offset: u32) -> *T' });
    await client.change(URI, 5, [{ range: { start: line, end: { line: line.line + 1, character: 4 } }, text: '' }]);
    expect((await client.diagnostics(URI, 5)).diagnostics.some((d) => d.severity === 1)).toBe(false);
  });

  it('completes built-ins with signatures and struct fields of a view', async () => {
    const line = positionOf(SOURCE, 'hits[0] =');
    await client.change(URI, 6, [{ range: { start: line, end: line }, text: 'let p = eth.\n    ' }]);
    const fields = (await client.connection.sendRequest(CompletionRequest.type, { textDocument, position: { line: line.line, character: line.character + 'let p = eth.'.length } })) as CompletionItem[];
    expect(fields.map((i) => i.label)).toEqual(['h_dest', 'h_source', 'h_proto']);
    await client.change(URI, 7, [{ range: { start: line, end: { line: line.line, character: line.character + 'let p = eth.'.length } }, text: 'let t = bpf_k' }]);
    const names = (await client.connection.sendRequest(CompletionRequest.type, { textDocument, position: { line: line.line, character: line.character + 'let t = bpf_k'.length } })) as CompletionItem[];
    expect(names.find((i) => i.label === 'bpf_ktime_get_ns')).toMatchObject({ kind: 3, detail: 'fn bpf_ktime_get_ns() -> u64' });
    await client.change(URI, 8, [{ range: { start: line, end: { line: line.line + 1, character: 4 } }, text: '' }]);
    await client.diagnostics(URI, 8);
  });

  it('offers the atomic rewrite of the lost update as a quick fix', async () => {
    const { diagnostics } = await client.diagnostics(URI, 8);
    const lost = diagnostics.find((d) => d.message.includes('lost-update race'))!;
    const actions = (await client.connection.sendRequest(CodeActionRequest.type, { textDocument, range: lost.range, context: { diagnostics: [lost] } })) as { title: string; kind: string; edit: WorkspaceEdit; isPreferred: boolean }[];
    const fix = actions.find((a) => a.kind === 'quickfix')!;
    expect(fix).toMatchObject({ title: "Use '+=' (an atomic update)", isPreferred: true });
    expect(TextDocument.applyEdits(TextDocument.create(URI, 'kernelscript', 8, SOURCE), fix.edit.changes![URI]!)).toContain('hits[0] += 1;');
  });

  it('formats the document', async () => {
    const uri = 'file:///work/project/cramped.ks';
    await client.open(uri, 'map<u32,u64>m:HashMap(4);\nfn f(x:u32)->u32{return x+1;}\n');
    const edits = (await client.connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } })) as TextEdit[];
    expect(edits).toHaveLength(1);
    expect(edits[0]!.newText).toBe('map<u32, u64> m : HashMap(4);\nfn f(x: u32) -> u32 {\n  return x + 1;\n}\n');
  });

  it('outlines the document and colours its names', async () => {
    const symbols = (await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument })) as DocumentSymbol[];
    expect(symbols.map((s) => [s.name, s.kind])).toEqual([
      ['hits', 13],
      ['count', 2],
      ['other', 2],
    ]);
    expect(symbols[1]!.children!.map((s) => s.name)).toEqual(['main']);
    const { data } = (await client.connection.sendRequest(SemanticTokensRequest.type, { textDocument }))!;
    const legend = client.initialized!.capabilities.semanticTokensProvider!.legend;
    const decoded: string[] = [];
    for (let i = 0, line = 0, character = 0; i < data.length; i += 5) {
      line += data[i]!;
      character = data[i]! === 0 ? character + data[i + 1]! : data[i + 1]!;
      const modifiers = legend.tokenModifiers.filter((_, bit) => data[i + 4]! & (1 << bit));
      decoded.push(`${line}:${character}+${data[i + 2]} ${legend.tokenTypes[data[i + 3]!]}${modifiers.map((m) => `.${m}`).join('')}`);
    }
    expect(decoded.slice(0, 3)).toEqual(['0:4+3 type.defaultLibrary', '0:9+3 type.defaultLibrary', '0:14+4 variable.declaration.static']);
    expect(decoded).toContain('2:8+5 namespace.declaration');
    expect(decoded).toContain('3:10+3 parameter.declaration');
  });
});
