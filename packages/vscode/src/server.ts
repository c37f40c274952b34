// The language server as the extension bundles it: the same server as
// `kernelscript-language-server`, on the transport VS Code passes on the
// command line (--node-ipc for the bundled one).
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from '@kernelscript/language-server';

declare const EXTENSION_VERSION: string;

startServer(createConnection(ProposedFeatures.all), EXTENSION_VERSION);
