// The one error type for failed kernel/libbpf operations. libbpf 1.x returns
// negative errno values (or NULL with errno set); BpfError keeps the number,
// its symbolic code and whatever libbpf logged meanwhile (e.g. the verifier log).
import { constants } from 'node:os';
import type { VerifierRefusal } from './verifier-log.js';

/** Kernel-internal errno values that os.constants does not name but BPF returns. */
const KERNEL_ONLY_ERRNO: Record<number, string> = { 524: 'ENOTSUPP' };

const ERRNO_CODES = new Map<number, string>(
  Object.entries(constants.errno).map(([code, errno]) => [errno, code] as [number, string]),
);

const EPERM = 1;
/** What an EPERM from the bpf() syscall almost always means. */
const PERMISSION_HINT =
  'BPF needs root, or the capabilities CAP_BPF (programs, maps), CAP_NET_ADMIN (xdp, tc) and CAP_PERFMON (tracing): ' +
  'run as root, or e.g. `setcap cap_bpf,cap_net_admin,cap_perfmon+ep "$(command -v node)"`';

export class BpfError extends Error {
  /** Positive errno, e.g. 1 for EPERM. */
  readonly errno: number;
  /** Symbolic errno, e.g. 'EPERM'; 'E<number>' when unknown. */
  readonly code: string;
  /** What libbpf printed during the failed operation (the verifier log for a rejected program). */
  readonly libbpfLog: string;
  /** For a program the verifier refused: which, why, and the source line (the `.ks` line for KernelScript objects). */
  readonly verifier: VerifierRefusal | null;

  /** What failed, e.g. `loading 'counter'`. */
  readonly operation: string;
  /** strerror of the errno. */
  readonly description: string;
  /** What to do about it, when the runtime can tell (e.g. the capabilities an EPERM lacks). */
  readonly hint: string | null;

  constructor(operation: string, errno: number, description: string, libbpfLog = '', verifier: VerifierRefusal | null = null, hint: string | null = null) {
    const code = ERRNO_CODES.get(errno) ?? KERNEL_ONLY_ERRNO[errno] ?? `E${errno}`;
    hint ??= errno === EPERM ? PERMISSION_HINT : null;
    const lines = [`${operation} failed: ${code} (${description})`];
    if (hint !== null) lines.push(hint);
    if (verifier !== null) lines.push(describeRefusal(verifier));
    if (libbpfLog) lines.push(libbpfLog.trimEnd());
    super(lines.join('\n'));
    this.name = 'BpfError';
    this.errno = errno;
    this.code = code;
    this.libbpfLog = libbpfLog;
    this.verifier = verifier;
    this.operation = operation;
    this.description = description;
    this.hint = hint;
  }

  /** The same failure, explained by `hint`. */
  withHint(hint: string): BpfError {
    return new BpfError(this.operation, this.errno, this.description, this.libbpfLog, this.verifier, hint);
  }
}

/** `counter.ks:9: the kernel verifier refused program 'count': <reason>` and the source line. */
function describeRefusal(refusal: VerifierRefusal): string {
  const where = refusal.location ? `${refusal.location.file}:${refusal.location.line}: ` : '';
  const source = refusal.location?.text ? `\n    ${refusal.location.text}` : '';
  return `${where}the kernel verifier refused program '${refusal.program}': ${refusal.message}${source}`;
}
