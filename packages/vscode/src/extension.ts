// The VS Code side: starts the KernelScript language server for .ks files.
// The server is bundled with the extension (dist/server.cjs, run over IPC);
// `kernelscript.server.path` points at another one, run with --stdio.
import { workspace, type ExtensionContext } from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

let client: LanguageClient | null = null;

export async function activate(context: ExtensionContext): Promise<void> {
  const configured = workspace.getConfiguration('kernelscript').get<string>('server.path', '').trim();
  const bundled = context.asAbsolutePath('dist/server.cjs');
  const serverOptions: ServerOptions = configured
    ? { command: configured, args: ['--stdio'], transport: TransportKind.stdio }
    : { run: { module: bundled, transport: TransportKind.ipc }, debug: { module: bundled, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } } };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'kernelscript' }],
    synchronize: { fileEvents: workspace.createFileSystemWatcher('**/*.ks') },
  };
  client = new LanguageClient('kernelscript', 'KernelScript', serverOptions, clientOptions);
  context.subscriptions.push(client);
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = null;
}
