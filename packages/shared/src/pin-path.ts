// The rule for bpffs pin paths, one for the compiler (which refuses a bad
// `pinned:` path at its .ks line) and the runtime (which checks the metadata
// it is given, and where `pinRoot` moves a pin). A path is accepted only in
// its normal form, so the string that is checked is the path that is pinned:
// no `..` to climb out of /sys/fs/bpf, no NUL to cut it short in C, no
// control characters.

export const BPFFS_ROOT = '/sys/fs/bpf';

/** Linux NAME_MAX and PATH_MAX (the latter counts the terminating NUL). */
const NAME_MAX = 255;
const PATH_MAX = 4096;
// C0 and C1 control characters and DEL; NUL among them.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Why `path` cannot be a pin path under `root`, or null when it can. `root` is BPFFS_ROOT unless a pin root replaces it. */
export function pinPathProblem(path: string, root = BPFFS_ROOT): string | null {
  const control = CONTROL.exec(path);
  if (control) return `it contains the control character ${describeControl(control[0])}`;
  if (!path.startsWith(`${root}/`)) return `it must be under ${root}/`;
  const segments = path.slice(root.length + 1).split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
    const normal = normalize(path);
    return normal.startsWith(`${root}/`)
      ? `it is not in normal form (no '.', '..' or empty segments): write "${normal}"`
      : `it climbs out of ${root}/ with '..'`;
  }
  if (segments.some((segment) => utf8Length(segment) > NAME_MAX)) return `a segment is longer than ${NAME_MAX} bytes`;
  if (utf8Length(path) >= PATH_MAX) return `it is longer than ${PATH_MAX - 1} bytes`;
  return null;
}

/** Moves a checked pin path from BPFFS_ROOT to `pinRoot`; `pinRoot` must itself be absolute and normal. */
export function movePinPath(path: string, pinRoot: string): string {
  return `${pinRoot === '/' ? '' : pinRoot}${path.slice(BPFFS_ROOT.length)}`;
}

/** Why `pinRoot` cannot replace BPFFS_ROOT, or null when it can. */
export function pinRootProblem(pinRoot: string): string | null {
  const control = CONTROL.exec(pinRoot);
  if (control) return `it contains the control character ${describeControl(control[0])}`;
  if (!pinRoot.startsWith('/')) return 'it must be an absolute path';
  if (pinRoot !== '/' && normalize(pinRoot) !== pinRoot) return `it is not in normal form: write "${normalize(pinRoot)}"`;
  return null;
}

/** POSIX path normalisation of an absolute path (what the kernel resolves, symlinks aside). */
function normalize(path: string): string {
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  return `/${out.join('/')}`;
}

function describeControl(char: string): string {
  return `U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}
