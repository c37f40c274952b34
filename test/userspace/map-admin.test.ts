// examples/map_admin.ks end to end: the generated coordinator seeds a pinned
// LPM-trie blocklist through map fds (insert, delete, presence test,
// iteration, read-modify-write of a pinned counter), and the XDP program,
// loaded against the same pinned map, drops exactly the blocked sources.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildExample, type BuiltSystem } from '../helpers/build.js';
import { describeKernel, dumpMap, ethIpv4Udp, testRun, withPinDir } from '../helpers/kernel.js';

/** The pin directory named in examples/map_admin.ks. */
const PIN_DIR = '/sys/fs/bpf/map_admin';
const XDP_DROP = 1;
const XDP_PASS = 2;

describeKernel('examples/map_admin.ks: userspace administers a pinned LPM blocklist', () => {
  let system: BuiltSystem;
  beforeAll(async () => {
    system = await buildExample('map_admin', { coordinator: true });
    await rm(PIN_DIR, { recursive: true, force: true });
  });
  afterAll(async () => {
    await rm(PIN_DIR, { recursive: true, force: true });
    await system?.cleanup();
  });

  it('seeds, deletes, tests presence and lists; the pinned run counter survives between runs', async () => {
    const first = await execa(system.coordinator, [], { timeout: 10_000 });
    expect(first.stdout.split('\n').sort()).toEqual(
      [
        'admin run 1',
        'retired 198.51.100.0/24',
        'blocked 10.0.0.0/8 reason 1',
        'blocked 203.0.113.7/32 reason 2',
        '2 prefixes blocked, 0 packets dropped',
      ].sort(),
    );
    // An argument makes main(argc, argv) only list.
    const second = await execa(system.coordinator, ['list'], { timeout: 10_000 });
    expect(second.stdout).toContain('admin run 2');
    expect(second.stdout).not.toContain('retired');
    expect(second.stdout).toContain('2 prefixes blocked');

    const entries = await dumpMap(join(PIN_DIR, 'blocklist'));
    const prefixes = entries.map((e) => `${[...e.key.subarray(4, 8)].join('.')}/${e.key.readUInt32LE(0)}=${e.value.readUInt32LE(0)}`).sort();
    expect(prefixes).toEqual(['10.0.0.0/8=1', '203.0.113.7/32=2']);
  });

  it('the XDP program drops sources in the prefixes userspace wrote', async () => {
    await withPinDir(async (dir) => {
      const programs = join(dir, 'programs');
      await execa('bpftool', ['prog', 'loadall', system.object, programs, 'map', 'name', 'blocklist', 'pinned', join(PIN_DIR, 'blocklist')]);
      const program = join(programs, 'drop_blocked');
      expect((await testRun(program, ethIpv4Udp({ srcIp: '10.1.2.3' }))).retval).toBe(XDP_DROP);
      expect((await testRun(program, ethIpv4Udp({ srcIp: '203.0.113.7' }))).retval).toBe(XDP_DROP);
      expect((await testRun(program, ethIpv4Udp({ srcIp: '203.0.113.8' }))).retval).toBe(XDP_PASS);
      expect((await testRun(program, ethIpv4Udp({ srcIp: '198.51.100.1' }))).retval).toBe(XDP_PASS);
    });
  });
});
