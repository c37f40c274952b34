// The extension package builds to a self-contained .vsix: this runs the
// package's build (grammar, esbuild bundles, vsce package), unpacks the
// .vsix, and starts the language server bundled in it over stdio.
import { builtinModules } from 'node:module';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HoverRequest, type Hover } from 'vscode-languageserver-protocol/node.js';
import { LspClient } from '../../language-server/test/lsp-client.js';

const packageDir = join(import.meta.dirname, '..');
const unpacked = mkdtempSync(join(tmpdir(), 'ks-vsix-'));
afterAll(() => rmSync(unpacked, { recursive: true, force: true }));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? filesUnder(join(dir, name)) : [relative(unpacked, join(dir, name))]));
}

describe('packages/vscode builds kernelscript.vsix', () => {
  beforeAll(async () => {
    await execa('pnpm', ['run', 'build'], { cwd: packageDir });
    await execa('unzip', ['-q', join(packageDir, 'kernelscript.vsix'), '-d', unpacked]);
  }, 120_000);

  it('holds the bundles, the grammar and the configuration, and no node_modules', () => {
    expect(filesUnder(unpacked).sort()).toEqual([
      '[Content_Types].xml',
      'extension.vsixmanifest',
      'extension/LICENSE.txt',
      'extension/dist/extension.cjs',
      'extension/dist/server.cjs',
      'extension/language-configuration.json',
      'extension/package.json',
      'extension/readme.md',
      'extension/syntaxes/kernelscript.tmLanguage.json',
    ]);
    const manifest = JSON.parse(readFileSync(join(unpacked, 'extension/package.json'), 'utf8'));
    expect(manifest.contributes.languages[0]).toMatchObject({ id: 'kernelscript', extensions: ['.ks'], configuration: './language-configuration.json' });
    expect(manifest.contributes.grammars[0]).toMatchObject({ language: 'kernelscript', scopeName: 'source.kernelscript' });
    expect(manifest.main).toBe('./dist/extension.cjs');
  });

  it('bundles everything but vscode and Node built-ins', () => {
    for (const bundle of ['extension.cjs', 'server.cjs']) {
      const source = readFileSync(join(unpacked, 'extension/dist', bundle), 'utf8');
      const required = new Set([...source.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!));
      const foreign = [...required].filter((name) => name !== 'vscode' && !builtinModules.includes(name.replace(/^node:/, '')));
      expect(foreign, bundle).toEqual([]);
    }
  });

  it('runs the language server from the unpacked .vsix', async () => {
    const client = new LspClient(process.execPath, [join(unpacked, 'extension/dist/server.cjs'), '--stdio']);
    try {
      const initialized = await client.initialize();
      expect(initialized.serverInfo).toEqual({ name: 'kernelscript-language-server', version: JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).version });
      const uri = 'file:///vsix/check.ks';
      await client.open(uri, 'map<u32, u64> m : HashMap(4);\nprogram p : xdp {\n  fn main(ctx: XdpContext) -> XdpAction {\n    m[0] += 1;\n    return XDP_PAS;\n  }\n}\n');
      const { diagnostics } = await client.diagnostics(uri, 1);
      expect(diagnostics.map((d) => [d.message.split('\n')[0], d.range.start.line])).toEqual([["unknown name 'XDP_PAS'", 4]]);
      const hover = (await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 3, character: 4 } })) as Hover;
      expect((hover.contents as { value: string }).value).toContain('map<u32, u64> m : HashMap(4)');
    } finally {
      expect(await client.close()).toBe(0);
    }
  });
});
