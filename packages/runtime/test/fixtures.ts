// Hand-written SystemMetadata for the C fixtures in ./fixtures, standing in
// for what the compiler emits, and a helper that compiles a fixture.
import { join } from 'node:path';
import { compileBpfC } from '../../../test/helpers/kernel.js';
import { MAP_KINDS } from '../../compiler/src/language/map-kinds.js';
import { PROGRAM_KINDS } from '../../compiler/src/language/program-kinds.js';
import type { MapMetadata, ProgramMetadata, SystemMetadata, TypeDescriptor } from '../src/index.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');

/** Compiles fixtures/<name>.bpf.c into `buildDir` with the project's strict clang flags; returns the object path. */
export async function compileFixture(name: string, buildDir: string): Promise<string> {
  const objectPath = join(buildDir, `${name}.bpf.o`);
  await compileBpfC(join(FIXTURES, `${name}.bpf.c`), objectPath);
  return objectPath;
}

export const u8: TypeDescriptor = { kind: 'int', name: 'u8', size: 1, signed: false };
export const u16: TypeDescriptor = { kind: 'int', name: 'u16', size: 2, signed: false };
export const i16: TypeDescriptor = { kind: 'int', name: 'i16', size: 2, signed: true };
export const u32: TypeDescriptor = { kind: 'int', name: 'u32', size: 4, signed: false };
export const u64: TypeDescriptor = { kind: 'int', name: 'u64', size: 8, signed: false };
const bool: TypeDescriptor = { kind: 'bool', size: 1 };
const char: TypeDescriptor = { kind: 'char', size: 1 };

export const flowKey: TypeDescriptor = {
  kind: 'struct',
  name: 'FlowKey',
  size: 8,
  align: 4,
  fields: [
    { name: 'saddr', offset: 0, type: u32 },
    { name: 'sport', offset: 4, type: u16 },
    { name: 'proto', offset: 6, type: u8 },
  ],
};

export const flowStats: TypeDescriptor = {
  kind: 'struct',
  name: 'FlowStats',
  size: 24,
  align: 8,
  fields: [
    { name: 'packets', offset: 0, type: u64 },
    { name: 'bytes', offset: 8, type: u32 },
    { name: 'seen', offset: 12, type: bool },
    { name: 'tag', offset: 13, type: char },
    { name: 'delta', offset: 14, type: { kind: 'array', element: i16, length: 3, size: 6, align: 2 } },
  ],
};

const lpmKey: TypeDescriptor = {
  kind: 'struct',
  name: 'LpmKey',
  size: 8,
  align: 4,
  fields: [
    { name: 'prefixlen', offset: 0, type: u32 },
    { name: 'addr', offset: 4, type: { kind: 'array', element: u8, length: 4, size: 4, align: 1 } },
  ],
};

function map(name: string, kind: MapMetadata['kind'], key: TypeDescriptor | null, value: TypeDescriptor, maxEntries: number, extra: Partial<MapMetadata> = {}): MapMetadata {
  return {
    name,
    objectName: name,
    kind,
    bpfType: MAP_KINDS[kind].bpfType,
    access: MAP_KINDS[kind].access,
    perCpu: MAP_KINDS[kind].perCpu,
    isArray: MAP_KINDS[kind].isArray,
    ifindexValues: MAP_KINDS[kind].value === 'ifindex',
    key,
    value,
    maxEntries,
    pinPath: null,
    scope: 'global',
    flags: [],
    ...extra,
  };
}

function program(name: string, kind: ProgramMetadata['kind'], section: string, target: string | null = null): ProgramMetadata {
  return { name, kind, attach: PROGRAM_KINDS[kind].attach, section, target };
}

export const counterMetadata: SystemMetadata = {
  name: 'counter',
  programs: {
    count_packets: program('count_packets', 'xdp', 'xdp'),
    count_tc: program('count_tc', 'tc', 'tc', 'ingress'),
  },
  maps: {
    packets: map('packets', 'hash_map', u32, u64, 1024, { pinPath: '/sys/fs/bpf/packets' }),
    hits: map('hits', 'percpu_array', u32, u64, 4),
  },
  config: {
    verdict: { name: 'verdict', program: null, symbol: 'verdict', type: u32, default: 2 },
    increment: { name: 'increment', program: null, symbol: 'increment', type: u64, default: 1n },
  },
  tailCalls: null,
};

export const structsMetadata: SystemMetadata = {
  name: 'structs',
  programs: { touch_maps: program('touch_maps', 'xdp', 'xdp') },
  maps: {
    flows: map('flows', 'hash_map', flowKey, flowStats, 64),
    routes: map('routes', 'lpm_trie', lpmKey, u32, 64, { flags: ['BPF_F_NO_PREALLOC'] }),
  },
  config: {},
  tailCalls: null,
};

export const getppidMetadata: SystemMetadata = {
  name: 'getppid',
  programs: {
    on_getppid: program('on_getppid', 'tracepoint', 'tracepoint/syscalls/sys_enter_getppid', 'syscalls/sys_enter_getppid'),
  },
  maps: {
    calls: map('calls', 'hash_map', u32, u64, 1024),
    events: map('events', 'ring_buffer', null, {
      kind: 'struct',
      name: 'Event',
      size: 8,
      align: 4,
      fields: [
        { name: 'tgid', offset: 0, type: u32 },
        { name: 'pid', offset: 4, type: u32 },
      ],
    }, 4096),
  },
  config: {},
  tailCalls: null,
};

export const tailcallMetadata: SystemMetadata = {
  name: 'tailcall',
  programs: {
    dispatcher: program('dispatcher', 'xdp', 'xdp'),
    tx_target: program('tx_target', 'xdp', 'xdp'),
  },
  maps: { jump_table: map('jump_table', 'prog_array', u32, u32, 4) },
  config: {},
  tailCalls: { map: 'jump_table', slots: [{ index: 0, program: 'tx_target' }] },
};
