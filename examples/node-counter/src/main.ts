// node-counter <interface> [--seconds N]: attaches an XDP packet counter to
// the interface and prints the packets seen per protocol every second, until
// N seconds have passed or SIGINT/SIGTERM; then detaches. `--help` needs no
// privileges and no libbpf: the runtime loads libbpf on first use.
import { parseArgs } from 'node:util';
import { BpfError, load } from '@kernelscript/runtime';
import protocols from './protocols.ks';

/** Counter index → name: the order of `enum Proto` in protocols.ks. */
const PROTOCOLS = ['tcp', 'udp', 'icmp', 'other'] as const;
const USAGE = 'usage: node-counter <interface> [--seconds N]';
const HELP = `${USAGE}

Attaches an XDP program to <interface> and prints the packets it saw per
protocol (${PROTOCOLS.join(', ')}) every second; detaches on SIGINT/SIGTERM.

  --seconds N   stop after N seconds
  -h, --help    print this help

Needs root (or CAP_BPF, CAP_NET_ADMIN) and libbpf 1.x.`;

function options(): { ifname: string; seconds: number } {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { seconds: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const seconds = values.seconds === undefined ? Infinity : Number(values.seconds);
  if (positionals.length !== 1 || !(seconds > 0)) {
    console.error(USAGE);
    process.exit(2);
  }
  return { ifname: positionals[0]!, seconds };
}

function main(): void {
  const { ifname, seconds } = options();
  const system = load(protocols);
  try {
    system.programs.count_protocols.attach(ifname);
  } catch (error) {
    system.close();
    throw error;
  }
  console.log(`attached to ${ifname}`);

  // One batch read per report; the per-CPU counters come back summed, typed [number, bigint].
  const report = (): void => {
    const counts = new Map(system.maps.counts.getMany());
    console.log(PROTOCOLS.map((name, index) => `${name}=${counts.get(index) ?? 0n}`).join(' '));
  };
  let elapsed = 0;
  const timer = setInterval(() => {
    report();
    if (++elapsed >= seconds) stop();
  }, 1000);
  const stop = (): void => {
    clearInterval(timer);
    process.off('SIGINT', stop).off('SIGTERM', stop);
    system.close();
    console.log(`detached from ${ifname}`);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

try {
  main();
} catch (error) {
  console.error(error instanceof BpfError ? error.message : error);
  process.exitCode = 1;
}
