// What the runtime refuses (issue 15, items 22-26): pin paths that escape
// pinRoot, out-of-range options, config and struct keys taken from
// Object.prototype, and objects libbpf must not parse; and ring-buffer
// records that a loop stopping early must not lose.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import koffi from 'koffi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeKernel, ethIpv4Udp, withPinDir } from '../../../test/helpers/kernel.js';
import { decode, encode } from '../src/codec.js';
import { load, type KernelModule, type MapHandle, type RingBufferHandle, type SystemMetadata, type TypeDescriptor } from '../src/index.js';
import { elfProblem } from '../src/object-check.js';
import { compileFixture, counterMetadata, getppidMetadata, u32 } from './fixtures.js';

const getppid = koffi.load('libc.so.6').func('int getppid(void)');
// The corrupted-object test opens objects only: load()'s checks without bpf_object__load.
const openEntry = pathToFileURL(join(import.meta.dirname, '../dist/load.js')).href;
const LONG = process.env.KS_LONG === '1';

function withPin(metadata: SystemMetadata, pinPath: string): SystemMetadata {
  return { ...metadata, maps: { ...metadata.maps, packets: { ...metadata.maps.packets!, pinPath } } };
}

describe('checked before any object is opened', () => {
  // These throw before libbpf is touched: the object below is never read.
  const module = (metadata: SystemMetadata): KernelModule => ({ metadata, object: '/nonexistent/never-read.o' });

  it('refuses pin paths that climb out of /sys/fs/bpf or pinRoot, or that C would cut short', () => {
    expect(() => load(module(withPin(counterMetadata, '/sys/fs/bpf/../../../tmp/x')))).toThrow(
      new TypeError(`map 'packets' cannot be pinned at "/sys/fs/bpf/../../../tmp/x": it climbs out of /sys/fs/bpf/ with '..'`),
    );
    expect(() => load(module(withPin(counterMetadata, '/sys/fs/bpf/../../../tmp/x')), { pinRoot: '/sys/fs/bpf/test' })).toThrow(/climbs out/);
    expect(() => load(module(withPin(counterMetadata, '/sys/fs/bpf/a/../../b')), { pinRoot: '/sys/fs/bpf/test' })).toThrow(/climbs out/);
    expect(() => load(module(withPin(counterMetadata, '/sys/fs/bpf/m\0../../etc')))).toThrow(/control character U\+0000/);
    expect(() => load(module(counterMetadata), { pinRoot: 'relative/pins' })).toThrow(/pinRoot "relative\/pins" cannot hold pins: it must be an absolute path/);
    expect(() => load(module(counterMetadata), { pinRoot: '/sys/fs/bpf/t/../../..' })).toThrow(/not in normal form: write "\/sys"/);
  });

  it('refuses an object whose bytes do not match the hash its module carries, before libbpf sees them', () => {
    const object = Buffer.from('\u007fELF not really an object');
    const sha256 = createHash('sha256').update('something else').digest('hex');
    expect(() => load({ metadata: { ...counterMetadata, maps: {} }, object, objectSha256: sha256 })).toThrow(
      /^the eBPF object of 'counter' is not the one its module was built with \(SHA-256 [0-9a-f]{16}…, the module says [0-9a-f]{16}…\): it was changed or corrupted; rebuild it$/,
    );
    expect(() => load({ metadata: { ...counterMetadata, maps: {} }, object })).toThrow(/is not a valid eBPF ELF object: .*shorter than an ELF header/);
  });
});

describe('values with inherited fields', () => {
  it('a struct value needs its own fields, not inherited ones', () => {
    const key: TypeDescriptor = { kind: 'struct', name: 'K', size: 4, align: 4, fields: [{ name: 'a', offset: 0, type: u32 }] };
    expect(encode(key, { a: 7 }, 'k')).toEqual(Buffer.from([7, 0, 0, 0]));
    expect(() => encode(key, Object.create({ a: 7 }), 'k')).toThrow(new TypeError("k: missing field 'a' of K"));
    const withConstructor = { ...key, fields: [{ name: 'constructor', offset: 0, type: u32 }] };
    expect(() => encode(withConstructor, {}, 'k')).toThrow(/missing field 'constructor'/);
    const withProto = { ...key, fields: [{ name: '__proto__', offset: 0, type: u32 }] };
    const decoded = decode(withProto, Buffer.from([9, 0, 0, 0])) as Record<string, unknown>;
    expect(Object.keys(decoded)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(decoded, '__proto__')?.value).toBe(9);
  });
});

describe('ELF sanity of objects given by path', () => {
  it('accepts what clang builds and names what is wrong with the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ks-elf-'));
    try {
      const bytes = readFileSync(await compileFixture('counter', dir));
      expect(elfProblem(bytes)).toBeNull();
      const corrupt = (at: number, value: number[]) => {
        const copy = Buffer.from(bytes);
        copy.set(value, at);
        return elfProblem(copy);
      };
      expect(corrupt(0, [0])).toBe('no ELF magic number');
      expect(corrupt(18, [62, 0])).toBe('built for machine 62, not eBPF (247)');
      expect(corrupt(40, [0xff, 0xff, 0xff, 0xff])).toBe('the section header table lies outside the file');
      expect(elfProblem(bytes.subarray(0, bytes.length - 1))).toBe('the section header table lies outside the file');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeKernel('runtime: hostile options and early loop exits', () => {
  let buildDir: string;
  let counter: KernelModule;
  let tracepoint: KernelModule;

  beforeAll(async () => {
    buildDir = mkdtempSync(join(tmpdir(), 'ks-hostile-'));
    counter = { metadata: { ...counterMetadata, maps: { ...counterMetadata.maps, packets: { ...counterMetadata.maps.packets!, pinPath: null } } }, object: await compileFixture('counter', buildDir) };
    tracepoint = { metadata: getppidMetadata, object: await compileFixture('getppid', buildDir) };
  });

  afterAll(() => {
    if (buildDir) rmSync(buildDir, { recursive: true, force: true });
  });

  it('pins under pinRoot and nowhere else', async () => {
    await withPinDir(async (pinRoot) => {
      using system = load({ ...counter, metadata: withPin(counterMetadata, '/sys/fs/bpf/nested/packets') }, { pinRoot });
      expect(readFileSync('/proc/self/mountinfo', 'utf8')).toContain('/sys/fs/bpf');
      expect((await execa('bpftool', ['-j', 'map', 'show', 'pinned', join(pinRoot, 'nested/packets')])).exitCode).toBe(0);
      void system;
    });
  });

  it('testRun refuses out-of-range options with RangeError instead of wrapping them', () => {
    using system = load(counter);
    const program = system.programs.count_packets!;
    const packet = ethIpv4Udp();
    expect(() => program.testRun(packet, { repeat: 2 ** 32 + 1 })).toThrow(new RangeError("testRun of 'count_packets': repeat must be between 1 and 2147483647, got 4294967297"));
    expect(() => program.testRun(packet, { repeat: 2 ** 31 })).toThrow(RangeError);
    expect(() => program.testRun(packet, { repeat: 0 })).toThrow(RangeError);
    expect(() => program.testRun(packet, { repeat: -1 })).toThrow(RangeError);
    expect(() => program.testRun(packet, { repeat: 1.5 })).toThrow(TypeError);
    expect(() => program.testRun(packet, { repeat: '2' as never })).toThrow(TypeError);
    expect(program.testRun(packet, { repeat: 3 }).retval).toBe(2);
    expect(() => program.attach({ ifindex: 2 ** 32 + 1 })).toThrow(RangeError);
    expect(() => program.attach('lo\0eth0')).toThrow(/contains a NUL character/);
  });

  it("config keys from Object.prototype are unknown config, and inherited values are refused", () => {
    for (const key of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const config = JSON.parse(`{"${key}": 1}`) as Record<string, number>;
      expect(() => load(counter, { config }), key).toThrow(new TypeError(`unknown config '${key}' (declared: verdict, increment)`));
    }
    expect(() => load(counter, { config: { __proto__: { verdict: 1 } } as never })).toThrow(/config must be a plain object of values by name/);
    expect(() => load(counter, { config: Object.create({ verdict: 1 }) })).toThrow(/config must be a plain object/);
    using system = load(counter, { config: Object.assign(Object.create(null), { verdict: 1 }) });
    expect(system.config).toEqual({ verdict: 1, increment: 1n });
  });

  it('records a for-await loop did not take stay for the next reader, after break and after a throw', async () => {
    using system = load<{ events: RingBufferHandle<{ tgid: number; pid: number }>; calls: MapHandle<number, bigint> }>(tracepoint);
    const { events } = system.maps;
    system.programs.on_getppid!.attach();
    const mine = (records: { tgid: number }[]) => records.filter((record) => record.tgid === process.pid).length;
    events.consume();

    for (let i = 0; i < 5; i++) getppid();
    let seen = 0;
    for await (const event of events) {
      seen += mine([event]);
      if (seen === 1) break;
    }
    expect(mine(events.consume())).toBe(4);

    for (let i = 0; i < 5; i++) getppid();
    seen = 0;
    await expect(
      (async () => {
        for await (const event of events) {
          seen += mine([event]);
          if (seen === 2) throw new Error('handler failed');
        }
      })(),
    ).rejects.toThrow('handler failed');
    let rest = 0;
    for await (const event of events) {
      rest += mine([event]);
      if (rest === 3) break;
    }
    expect(rest).toBe(3);
  });

  it('refuses an object whose maps are not the ones its metadata declares, before the kernel allocates them', () => {
    // A changed object may ask the kernel for gigabytes: a per-CPU array of 2.5e9 entries once oopsed this kernel.
    const hits = counter.metadata.maps.hits!;
    expect(() => load({ ...counter, metadata: { ...counter.metadata, maps: { ...counter.metadata.maps, hits: { ...hits, maxEntries: 8 } } } })).toThrow(
      "map 'hits': the object says max_entries 4, the metadata 8: object and metadata do not match",
    );
    const { hits: _undeclared, ...declared } = counter.metadata.maps;
    expect(() => load({ ...counter, metadata: { ...counter.metadata, maps: declared } })).toThrow(
      "the object of 'counter' has a map 'hits' its metadata does not declare: object and metadata do not match",
    );
  });

  it('a corrupted object given by path never crashes Node: the ELF check or the metadata refuses it, or libbpf fails cleanly, or it opens', async () => {
    // Random five-byte corruptions of a real object, each opened in a child process so a crash would show as a signal.
    // Opened only, never loaded: a corrupted object must not reach the kernel (one once asked for a 2.5e9-entry
    // per-CPU array and oopsed it). openObject() runs every check load() makes before bpf_object__load.
    const objectPath = counter.object as string;
    const cases = LONG ? 3000 : 150;
    const script = `
      const { openObject } = await import(${JSON.stringify(openEntry)});
      const { lib } = await import(${JSON.stringify(new URL('libbpf.js', openEntry).href)});
      const { readFileSync, writeFileSync } = await import('node:fs');
      const [objectPath, scratch, cases, metadata] = [process.argv[1], process.argv[2], Number(process.argv[3]), JSON.parse(process.argv[4])];
      const original = readFileSync(objectPath);
      let seed = 0x2545f491;
      const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
      const outcomes = { refused: 0, mismatch: 0, libbpf: 0, opened: 0 };
      for (let i = 0; i < cases; i++) {
        const bytes = Buffer.from(original);
        for (let k = 0; k < 5; k++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
        writeFileSync(scratch, bytes);
        process.stdout.write(i + ' ');
        try {
          lib.bpf_object__close(openObject({ metadata, object: scratch }).object);
          outcomes.opened++;
        } catch (error) {
          if (/not a valid eBPF ELF object/.test(error.message)) outcomes.refused++;
          else if (/object and metadata do not match/.test(error.message)) outcomes.mismatch++;
          else outcomes.libbpf++;
        }
      }
      process.stdout.write('\\n' + JSON.stringify(outcomes));`;
    const scratch = join(buildDir, 'corrupted.o');
    const run = await execa(process.execPath, ['--input-type=module', '-e', script, objectPath, scratch, String(cases), JSON.stringify({ ...counter.metadata, config: {} })], { reject: false });
    expect({ exitCode: run.exitCode, signal: run.signal ?? null, lastCase: run.stdout.split('\n')[0]!.trim().split(' ').at(-1) }).toMatchObject({ exitCode: 0, signal: null });
    const outcomes = JSON.parse(run.stdout.split('\n').at(-1)!) as Record<string, number>;
    expect(outcomes.refused! + outcomes.mismatch! + outcomes.libbpf! + outcomes.opened!).toBe(cases);
    // The checks are not vacuous: most corruptions are refused before libbpf sees them.
    expect(outcomes.refused!).toBeGreaterThan(cases / 2);
    writeFileSync(scratch, '');
  }, 120_000);
});
