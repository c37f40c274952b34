// @kernelscript/language-server: `startServer` for embedding (the bin and the
// VS Code extension's bundled server use it with a stdio or IPC connection).
export { startServer, SERVER_NAME } from './server.js';
