// `kernelscript-language-server --stdio` (or --node-ipc, --socket=N, --pipe=NAME):
// the transports vscode-languageserver reads from the command line.
import { createRequire } from 'node:module';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node.js';
import { SERVER_NAME, startServer } from './server.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };
const TRANSPORTS = /^--(stdio|node-ipc|socket=\d+|pipe=.+|clientProcessId=\d+)$/;

export function main(argv: string[]): void {
  if (argv.includes('--version')) {
    process.stdout.write(`${SERVER_NAME} ${version}\n`);
    return;
  }
  if (argv.includes('--help') || !argv.some((arg) => TRANSPORTS.test(arg) && !arg.startsWith('--clientProcessId'))) {
    const out = argv.includes('--help') ? process.stdout : process.stderr;
    out.write(`usage: ${SERVER_NAME} --stdio\n\nThe KernelScript language server. Editors start it and talk LSP over standard input and output\n(or --node-ipc, --socket=PORT, --pipe=NAME).\n`);
    if (!argv.includes('--help')) process.exitCode = 2;
    return;
  }
  startServer(createConnection(ProposedFeatures.all), version);
}
