// `--config name=value` on the generated coordinator's command line: values
// are written into .rodata before load (the kernel program sees them), and
// unknown names or bad values stop the coordinator with a clear message.
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildSystem, type BuiltSystem } from '../helpers/build.js';
import { describeKernel } from '../helpers/kernel.js';

// The tracepoint fires on the coordinator's own sleep(): it copies the config it sees into a map.
const SOURCE = `
enum Mode { Off = 0, Log = 1, Drop = 5 }
config {
  limit: u32 = 1500,
  verbose: bool = false,
  offset: i16 = -3,
  mode: Mode = Mode::Log,
}
map<u32, u64> seen : Array(8);

program on_sleep : tracepoint("syscalls/sys_enter_clock_nanosleep") {
  config { scale: u64 = 7 }
  fn main(ctx: TracepointContext) -> i32 {
    seen[0] = config.limit as u64;
    if config.verbose { seen[1] = 1; } else { seen[1] = 0; }
    seen[2] = config.offset as i64 as u64;
    seen[3] = config.mode as u64;
    seen[4] = config.scale;
    return 0;
  }
}

userspace {
  fn main() -> i32 {
    if attach(on_sleep, "") != 0 { return 1; }
    sleep(20);
    print("limit=%llu verbose=%llu offset=%lld mode=%llu scale=%llu\\n", seen[0], seen[1], seen[2] as i64, seen[3], seen[4]);
    return 0;
  }
}
`;

describeKernel('generated coordinator: --config', () => {
  let system: BuiltSystem;
  beforeAll(async () => {
    system = await buildSystem(SOURCE, 'configured.ks', { coordinator: true });
  });
  afterAll(() => system?.cleanup());

  it('loads the declared defaults without options', async () => {
    expect((await execa(system.coordinator)).stdout).toBe('limit=1500 verbose=0 offset=-3 mode=1 scale=7');
  });

  it('writes every config type into .rodata before load, global and program-local', async () => {
    const args = ['--config', 'limit=0x10', '--config', 'verbose=true', '--config=offset=-32768', '--config', 'mode=Drop', '--config', 'on_sleep::scale=1_000_000_000_000'];
    expect((await execa(system.coordinator, args)).stdout).toBe('limit=16 verbose=1 offset=-32768 mode=5 scale=1000000000000');
  });

  it.each([
    [['--config', 'limit=-1'], "configured: bad value '-1' for config 'limit': expected an integer from 0 to 4294967295"],
    [['--config', 'offset=40000'], "configured: bad value '40000' for config 'offset': expected an integer from -32768 to 32767"],
    [['--config', 'verbose=yes'], "configured: bad value 'yes' for config 'verbose': expected true or false"],
    [['--config', 'mode=Fast'], "configured: bad value 'Fast' for config 'mode': expected one of Off, Log, Drop"],
    [['--config', 'limt=1'], "configured: unknown config 'limt' (known: limit, verbose, offset, mode, on_sleep::scale)"],
    [['--config', 'limit'], 'configured: --config limit needs a value: --config limit=VALUE'],
    [['--config'], 'configured: --config needs NAME=VALUE'],
    [['extra'], "configured: unexpected argument 'extra' (the userspace main takes no arguments)"],
  ])('%j is refused with exit status 2', async (args, message) => {
    const result = await execa(system.coordinator, args, { reject: false });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(message);
    expect(result.stdout).toBe('');
  });

  it('--help lists the config with types and defaults', async () => {
    const { stdout } = await execa(system.coordinator, ['--help']);
    expect(stdout).toContain('Usage: configured [--verbose] [--config NAME=VALUE]...');
    expect(stdout).toContain('  on_sleep::scale  an integer from 0 to 18446744073709551615 (default 7)');
    expect(stdout).toContain('  mode             one of Off, Log, Drop (default Log)');
  });
});
