// The one error type for failed kernel/libbpf operations. libbpf 1.x returns
// negative errno values (or NULL with errno set); BpfError keeps the number,
// its symbolic code and whatever libbpf logged meanwhile (e.g. the verifier log).
import { constants } from 'node:os';

/** Kernel-internal errno values that os.constants does not name but BPF returns. */
const KERNEL_ONLY_ERRNO: Record<number, string> = { 524: 'ENOTSUPP' };

const ERRNO_CODES = new Map<number, string>(
  Object.entries(constants.errno).map(([code, errno]) => [errno, code] as [number, string]),
);

export class BpfError extends Error {
  /** Positive errno, e.g. 1 for EPERM. */
  readonly errno: number;
  /** Symbolic errno, e.g. 'EPERM'; 'E<number>' when unknown. */
  readonly code: string;
  /** What libbpf printed during the failed operation (the verifier log for a rejected program). */
  readonly libbpfLog: string;

  constructor(operation: string, errno: number, description: string, libbpfLog = '') {
    const code = ERRNO_CODES.get(errno) ?? KERNEL_ONLY_ERRNO[errno] ?? `E${errno}`;
    super(`${operation} failed: ${code} (${description})${libbpfLog ? `\n${libbpfLog.trimEnd()}` : ''}`);
    this.name = 'BpfError';
    this.errno = errno;
    this.code = code;
    this.libbpfLog = libbpfLog;
  }
}
