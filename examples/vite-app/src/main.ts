// Imports a KernelScript system as a typed module and runs it with the runtime.
import { load } from '@kernelscript/runtime';
import counter, { type Totals } from './counter.ks';

export { counter };

/** Loads the counter, runs its XDP program on `packets` test packets, and returns what the maps counted. */
export function countPackets(packets: Uint8Array[], pinRoot?: string): { packets: bigint; totals: Totals } {
  // Maps, programs and config are typed from counter.ks: no type arguments.
  const system = load(counter, { pinRoot });
  try {
    for (const packet of packets) system.programs.count.testRun(packet);
    return {
      packets: system.maps.packets.get(0) ?? 0n,
      totals: system.maps.totals.get(0) ?? { packets: 0n, bytes: 0n },
    };
  } finally {
    system.close();
  }
}
