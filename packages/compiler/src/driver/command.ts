// What every CLI command shares: exit codes, the usage error, the streams.

export const EXIT_OK = 0;
/** The input did not compile, the toolchain failed, or the verifier refused a program. */
export const EXIT_COMPILE_ERROR = 1;
export const EXIT_USAGE = 2;

/** The command line was wrong: reported with a pointer to `--help`, exit code 2. */
export class UsageError extends Error {}

export interface CommandIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}
