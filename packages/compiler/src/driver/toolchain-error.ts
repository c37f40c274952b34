// The error of a failed toolchain step, apart from the toolchain itself: the
// CLI's compile path and the bundler plugin recognise and raise it without
// loading execa, which only a build needs.

export const INSTALL_HINT = 'apt-get install -y clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev';

/** A toolchain step failed: the tool's own output, and what to do about it. */
export class ToolchainError extends Error {
  constructor(
    readonly step: string,
    readonly output: string,
    readonly hint: string | null = null,
  ) {
    super(`${step} failed${output ? `:\n${output.trimEnd()}` : ''}${hint ? `\n${hint}` : ''}`);
  }
}

/** A tool of the toolchain is not installed: say what to install. */
export function missingToolError(command: string, step: string): ToolchainError {
  return new ToolchainError(step, '', `'${command}' was not found. Install the toolchain (as root): ${INSTALL_HINT}`);
}
