// load(): open a compiled system's object with libbpf, configure it, load it
// into the kernel, wire its tail calls, and hand back typed handles.
import { readFileSync } from 'node:fs';
import { movePinPath, pinPathProblem, pinRootProblem } from '@kernelscript/shared';
import koffi from 'koffi';
import { attachAll, type AttachTargets } from './attach-all.js';
import { assertAttachable, type Attachment } from './attach.js';
import { applyConfig, type ConfigValues } from './config.js';
import { captureVerifierLogs, type VerifierLogLevel } from './verifier-log-capture.js';
import { bpfObjectOpenOpts, check, checkPointer, lib, objectMaps, type BpfMap, type BpfObject, type BpfProgram } from './libbpf.js';
import { Lifetime } from './lifetime.js';
import { decodeLogLine, NO_LOG_LINES, type LogLines } from './logs.js';
import { assertPinnable, explainPinMismatch } from './pins.js';
import { MapHandle } from './map.js';
import { checkObject } from './object-check.js';
import type { MapMetadata, SystemMetadata } from './metadata.js';
import { ProgramHandle } from './program.js';
import { RingBufferHandle } from './ringbuf.js';

/** A map as load() exposes it: key/value maps and ring buffers (tail-call tables are filled by load() and not exposed). */
export type SystemMap = MapHandle<any, any, any> | RingBufferHandle<any>;

/** Programs by name; the module of a `.ks` import types each with its kind. */
export type SystemPrograms = Record<string, ProgramHandle>;

/**
 * What a compiled `.ks` file gives the runtime: its metadata and its eBPF
 * object (bytes or a file path). The module a `.ks` import becomes declares
 * the type-only `~` members, so `load(module)` knows its maps, config,
 * programs and attach targets without type arguments; they never exist at
 * run time.
 */
export interface KernelModule<
  Maps extends Record<string, SystemMap> = Record<string, SystemMap>,
  Config extends ConfigValues = ConfigValues,
  Programs extends SystemPrograms = SystemPrograms,
  Targets extends AttachTargets = AttachTargets,
> {
  metadata: SystemMetadata;
  object: Uint8Array | string;
  /**
   * SHA-256 (hex) of the object's bytes, as the module of a `.ks` import
   * carries it: load() refuses an object that does not match. Without it
   * (an object given by path, say) the object must pass an ELF sanity check.
   */
  objectSha256?: string;
  readonly '~maps'?: Maps;
  readonly '~config'?: Config;
  readonly '~programs'?: Programs;
  readonly '~targets'?: Targets;
}

export interface LoadOptions<Config extends ConfigValues = ConfigValues> {
  /** Config values by name; unnamed ones keep the defaults the metadata declares. */
  config?: Config;
  /** Replaces the `/sys/fs/bpf` prefix of every map pin path (e.g. a per-test directory). */
  pinRoot?: string;
  /**
   * Keep each program's verifier log of a successful load in `program.verifierLog`:
   * `'stats'` (BPF_LOG_STATS: instructions processed, stack depth) or
   * `'instructions'` (also every instruction and register state; can be megabytes).
   * A refused program's log is always in the BpfError.
   */
  verifierLog?: VerifierLogLevel;
}

/**
 * A loaded system. `Maps` types the maps by name; the module generated for a
 * `.ks` file supplies it. Without it, narrow with `instanceof MapHandle` /
 * `instanceof RingBufferHandle`.
 */
export interface LoadedSystem<
  Maps extends Record<string, SystemMap> = Record<string, SystemMap>,
  Config extends ConfigValues = ConfigValues,
  Programs extends SystemPrograms = SystemPrograms,
  Targets extends AttachTargets = AttachTargets,
> {
  maps: Maps;
  programs: Programs;
  /**
   * The lines kernel `print()` writes, formatted by the kernel (the rules of
   * bpf_printk), as an async iterator: `for await (const line of sys.logs)`.
   * Each line comes without its trailing newline. Ends at once when no kernel
   * code of the system prints.
   */
  logs: LogLines;
  /** The config values the programs were loaded with: the declared defaults with the overrides applied. */
  config: Readonly<Required<Config>>;
  /**
   * Attaches every program whose target is known — tracepoints and raw
   * tracepoints to their declared events, kprobes from their sections — and
   * each xdp and tc program to the interface `targets` names for it (a
   * declared event can be overridden there too), like a libbpf skeleton's
   * `__attach()`. All or nothing: a failure undoes what it attached.
   * Socket filters and cgroup programs are skipped. `close()` detaches.
   */
  attachAll(...targets: {} extends Targets ? [targets?: Targets] : [targets: Targets]): Attachment[];
  /** Detaches every program, frees ring buffers and closes every fd (pinned maps stay pinned). Idempotent. */
  close(): void;
  [Symbol.dispose](): void;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Opens, configures and loads a compiled system: sets config and pin paths,
 * verifies every program, fills the tail-call table. Synchronous (libbpf
 * blocks while the kernel verifies); `await load(…)` works too.
 */
export function load<
  Maps extends Record<string, SystemMap> = Record<string, SystemMap>,
  Config extends ConfigValues = ConfigValues,
  Programs extends SystemPrograms = SystemPrograms,
  Targets extends AttachTargets = AttachTargets,
>(
  // The plain KernelModule lets `load<Maps>(module)` name the types of a module that does not declare them.
  module: KernelModule<Maps, Config, Programs, Targets> | KernelModule,
  options: LoadOptions<Config> = {},
): LoadedSystem<Maps, Config, Programs, Targets> {
  const { metadata } = module;
  // Checked before anything is opened, so a bad path or object costs no kernel resource.
  const pinPaths = mapPinPaths(metadata, options.pinRoot);
  const { object, maps: objectMaps, programs: objectPrograms, logs: logMap } = openObject(module);
  const lifetime = new Lifetime(metadata.name);
  const programs: Record<string, ProgramHandle> = {};

  const close = (): void => {
    if (lifetime.isClosed) return;
    lifetime.close();
    try {
      for (const program of Object.values(programs)) program.detach();
    } finally {
      lib.bpf_object__close(object);
    }
  };

  try {
    const pinned: { metadata: MapMetadata; map: BpfMap; pinPath: string }[] = [];
    for (const { map, pinPath } of pinPaths) {
      assertPinnable(map.name, pinPath);
      // With a pin path set before load, libbpf reuses an existing pin or pins the new map there.
      check(`setting the pin path of map '${map.name}'`, () => lib.bpf_map__set_pin_path(objectMaps[map.name], pinPath) as number);
      pinned.push({ metadata: map, map: objectMaps[map.name]!, pinPath });
    }
    const config = applyConfig(object, metadata.config, options.config ?? {});
    const logs = options.verifierLog ? captureVerifierLogs(objectPrograms, options.verifierLog) : null;
    // A perf event the machine lacks (hardware counters in a VM) fails here, before the kernel verifies anything.
    for (const program of Object.values(metadata.programs)) assertAttachable(program);

    try {
      check(`loading '${metadata.name}'`, () => lib.bpf_object__load(object) as number);
    } catch (error) {
      throw explainPinMismatch(error, metadata.name, pinned) ?? error;
    }

    for (const program of Object.values(metadata.programs)) {
      defineOwn(programs, program.name, new ProgramHandle(program, objectPrograms[program.name], lifetime, logs?.read(program.name) ?? ''));
    }
    fillTailCalls(metadata, objectMaps, programs);
    const possibleCpus = check('counting possible CPUs', () => lib.libbpf_num_possible_cpus() as number);
    const maps: Record<string, SystemMap> = {};
    for (const map of Object.values(metadata.maps)) {
      const fd = mapFd(objectMaps[map.name], map.name);
      if (map.access === 'ring_buffer') defineOwn(maps, map.name, new RingBufferHandle(map, fd, lifetime));
      else if (map.access === 'keyed') defineOwn(maps, map.name, new MapHandle(map, fd, possibleCpus, lifetime));
    }
    const logLines = metadata.logs && logMap ? new RingBufferHandle<string>(metadata.logs, mapFd(logMap, metadata.logs.name), lifetime, decodeLogLine) : NO_LOG_LINES;
    return {
      maps: maps as Maps,
      programs: programs as Programs,
      logs: logLines,
      config: Object.freeze(config) as Readonly<Required<Config>>,
      attachAll: (targets?: AttachTargets) => {
        lifetime.assertOpen();
        return attachAll(programs, targets);
      },
      close,
      [Symbol.dispose]: close,
      [Symbol.asyncDispose]: async () => close(),
    };
  } catch (error) {
    close();
    throw error;
  }
}

/** An object opened by libbpf and checked against its metadata, not loaded: nothing of it is in the kernel yet. */
export interface OpenedObject {
  object: BpfObject;
  maps: Record<string, BpfMap>;
  programs: Record<string, BpfProgram>;
  /** The log ring buffer kernel print() writes into, when the system has one. */
  logs: BpfMap | null;
}

/**
 * Everything load() checks before the kernel sees the object: its hash or
 * ELF sanity, libbpf's open, and every map and program against the
 * metadata. The caller closes the object (it is closed here on failure).
 */
export function openObject(module: KernelModule): OpenedObject {
  const { metadata } = module;
  const objectBytes = typeof module.object === 'string' ? readFileSync(module.object) : Buffer.from(module.object);
  checkObject(objectBytes, metadata.name, module.objectSha256);
  // libbpf reads the ELF bytes only during open (it copies instructions, BTF and data out of them).
  const object = checkPointer<BpfObject>(`opening the object of '${metadata.name}'`, () =>
    lib.bpf_object__open_mem(koffi.address(objectBytes), objectBytes.length, { sz: bpfObjectOpenOpts.size, object_name: metadata.name }) as
      | bigint
      | null,
  );
  try {
    const maps = Object.fromEntries(Object.values(metadata.maps).map((map) => [map.name, findMap(object, map)] as const));
    const logs = metadata.logs ? findMap(object, metadata.logs) : null;
    refuseUndeclaredMaps(object, metadata);
    const programs = Object.fromEntries(
      Object.values(metadata.programs).map((program) => [
        program.name,
        checkPointer<BpfProgram>(`finding program '${program.name}' in the object`, () =>
          lib.bpf_object__find_program_by_name(object, program.name) as bigint | null,
        ),
      ]),
    );
    return { object, maps, programs, logs };
  } catch (error) {
    lib.bpf_object__close(object);
    throw error;
  }
}

/**
 * Each pinned map's path, moved under `pinRoot` when one is given. The path
 * the metadata names must be a normal path under /sys/fs/bpf (no `..`, no
 * NUL or control character), so the moved one stays under `pinRoot`.
 */
function mapPinPaths(metadata: SystemMetadata, pinRoot: string | undefined): { map: MapMetadata; pinPath: string }[] {
  if (pinRoot !== undefined) {
    const problem = typeof pinRoot === 'string' ? pinRootProblem(pinRoot) : 'it must be a string';
    if (problem !== null) throw new TypeError(`pinRoot ${JSON.stringify(pinRoot)} cannot hold pins: ${problem}`);
  }
  const paths: { map: MapMetadata; pinPath: string }[] = [];
  for (const map of Object.values(metadata.maps)) {
    if (map.pinPath === null) continue;
    const problem = pinPathProblem(map.pinPath);
    if (problem !== null) throw new TypeError(`map '${map.name}' cannot be pinned at ${JSON.stringify(map.pinPath)}: ${problem}`);
    paths.push({ map, pinPath: pinRoot === undefined ? map.pinPath : movePinPath(map.pinPath, pinRoot) });
  }
  return paths;
}

/** `record[name] = value` as an own property, also for names such as `__proto__` that assignment would treat specially. */
function defineOwn<T>(record: Record<string, T>, name: string, value: T): void {
  Object.defineProperty(record, name, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Finds a map and checks that its key and value sizes and its max_entries
 * agree with the metadata: the kernel allocates what the object says, and an
 * object changed on disk may ask for gigabytes (some kernels even oops on a
 * per-CPU array of more than 2^31 entries). Checked after open, before load.
 */
function findMap(object: BpfObject, metadata: MapMetadata): BpfMap {
  const map = checkPointer<BpfMap>(`finding map '${metadata.objectName}' in the object`, () =>
    lib.bpf_object__find_map_by_name(object, metadata.objectName) as bigint | null,
  );
  const maxEntries = lib.bpf_map__max_entries(map) as number;
  if (maxEntries !== metadata.maxEntries) {
    throw new Error(`map '${metadata.name}': the object says max_entries ${maxEntries}, the metadata ${metadata.maxEntries}: object and metadata do not match`);
  }
  if (metadata.key !== null) {
    const sizes = { key: lib.bpf_map__key_size(map) as number, value: lib.bpf_map__value_size(map) as number };
    if (sizes.key !== metadata.key.size || sizes.value !== metadata.value.size) {
      throw new Error(
        `map '${metadata.name}': the object says key ${sizes.key} / value ${sizes.value} bytes, ` +
          `the metadata ${metadata.key.size} / ${metadata.value.size}: object and metadata do not match`,
      );
    }
  }
  return map;
}

/** libbpf's own maps for global data (`.rodata`, `.bss`, `.data`...) are named after their section. */
const isDataSectionMap = (name: string): boolean => name.includes('.');
/** More than any `.ks` global data needs; a larger data section means a changed object. */
const MAX_DATA_SECTION_BYTES = 64 * 1024 * 1024;

/** Every map the object would create is declared by the metadata, or is a data section of sane size. */
function refuseUndeclaredMaps(object: BpfObject, metadata: SystemMetadata): void {
  const declared = new Set([...Object.values(metadata.maps), ...(metadata.logs ? [metadata.logs] : [])].map((map) => map.objectName));
  for (const { map, name } of objectMaps(object)) {
    if (declared.has(name)) continue;
    const valueSize = lib.bpf_map__value_size(map) as number;
    if (isDataSectionMap(name) && valueSize <= MAX_DATA_SECTION_BYTES) continue;
    throw new Error(
      isDataSectionMap(name)
        ? `the object of '${metadata.name}' has a ${valueSize}-byte data section '${name}': object and metadata do not match`
        : `the object of '${metadata.name}' has a map '${name}' its metadata does not declare: object and metadata do not match`,
    );
  }
}

function mapFd(map: BpfMap, name: string): number {
  return check(`getting the fd of map '${name}'`, () => lib.bpf_map__fd(map) as number);
}

/** Puts each tail-call target's program fd into its ProgArray slot. */
function fillTailCalls(metadata: SystemMetadata, objectMaps: Record<string, BpfMap>, programs: Record<string, ProgramHandle>): void {
  const tailCalls = metadata.tailCalls;
  if (tailCalls === null) return;
  const progArray = Object.values(metadata.maps).find((map) => map.objectName === tailCalls.map);
  if (progArray === undefined) throw new Error(`tail-call map '${tailCalls.map}' is not in the metadata's maps`);
  const fd = mapFd(objectMaps[progArray.name], progArray.name);
  for (const slot of tailCalls.slots) {
    const program = Object.hasOwn(programs, slot.program) ? programs[slot.program] : undefined;
    if (program === undefined) throw new Error(`tail-call slot ${slot.index} names unknown program '${slot.program}'`);
    const key = Buffer.alloc(4);
    key.writeUInt32LE(slot.index);
    const value = Buffer.alloc(4);
    value.writeUInt32LE(program.fd);
    check(`filling tail-call slot ${slot.index} with '${slot.program}'`, () => lib.bpf_map_update_elem(fd, key, value, 0n) as number);
  }
}
