// {{name}} <interface> [seconds]: attaches the XDP counter to the interface
// and prints packets per protocol every second, then detaches. Needs root.
import { load } from '@kernelscript/runtime';
import counter from './counter.ks';

const PROTOCOLS: [string, number][] = [['tcp', 6], ['udp', 17], ['icmp', 1]];

const [ifname, seconds = '10'] = process.argv.slice(2);
if (!ifname || !(Number(seconds) > 0)) {
  console.error('usage: {{name}} <interface> [seconds]');
  process.exit(2);
}

const system = load(counter);
system.programs.count_packets.attach(ifname);
let left = Number(seconds);
const stop = () => {
  clearInterval(timer);
  system.close();
};
const timer = setInterval(() => {
  console.log(PROTOCOLS.map(([name, protocol]) => `${name} ${system.maps.by_protocol.get(protocol)?.packets ?? 0n}`).join('  '));
  if (--left === 0) stop();
}, 1000);
process.once('SIGINT', stop).once('SIGTERM', stop);
