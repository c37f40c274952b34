// The library this project builds: load the counter, run it, read its map.
import { load } from '@kernelscript/runtime';
import counter from './counter.ks';

export { counter };

/** Packets and bytes counted for `protocol` after the XDP program ran on each of `packets`. */
export function countProtocol(packets: Uint8Array[], protocol: number): { packets: bigint; bytes: bigint } {
  using system = load(counter);
  for (const packet of packets) system.programs.count_packets.testRun(packet);
  return system.maps.by_protocol.get(protocol) ?? { packets: 0n, bytes: 0n };
}
