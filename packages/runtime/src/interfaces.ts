// Network interfaces by name: attach targets and the values of DevMap and
// DevMapHash maps (interface indexes) may be given as names.
import { bpfError, checkCString, koffiErrno, lib } from './libbpf.js';

/** The index of interface `name` in the calling thread's network namespace (if_nametoindex); throws when there is none. */
export function ifindexOf(name: string, what = 'interface name'): number {
  checkCString(name, what);
  const ifindex = lib.if_nametoindex(name) as number;
  if (ifindex === 0) throw bpfError(`finding interface '${name}'`, koffiErrno());
  return ifindex;
}
