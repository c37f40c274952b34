// Network interfaces by name: attach targets and the values of DevMap and
// DevMapHash maps (interface indexes) may be given as names.
import { bpfError, koffiErrno, lib } from './libbpf.js';

/** The index of interface `name` in the calling thread's network namespace (if_nametoindex); throws when there is none. */
export function interfaceIndex(name: string): number {
  const ifindex = lib.if_nametoindex(name) as number;
  if (ifindex === 0) throw bpfError(`finding interface '${name}'`, koffiErrno());
  return ifindex;
}
