// Pinned maps, explained where libbpf says only ENOENT or EINVAL: a pin path
// that is on no BPF filesystem (as under `ip netns exec`, which remounts /sys),
// and a pin made by an earlier declaration of the map that libbpf refuses to reuse.
import { existsSync, readdirSync, statfsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BpfError } from './errors.js';
import { lib, type BpfMap } from './libbpf.js';
import type { MapMetadata } from './metadata.js';

/** Where `ip netns add` keeps its namespaces. */
const NAMED_NAMESPACES = '/run/netns';
/** statfs f_type of bpffs (<linux/magic.h>). */
const BPF_FS_MAGIC = 0xcafe4a11;

/**
 * Throws when `pinPath` cannot be pinned: the nearest existing directory on its
 * way is not on bpffs. Under `ip netns exec` that is /sys/fs/bpf itself.
 */
export function assertPinnable(mapName: string, pinPath: string): void {
  let directory = dirname(pinPath);
  while (!existsSync(directory)) directory = dirname(directory);
  if (statfsSync(directory).type === BPF_FS_MAGIC) return;
  const namespace = namedNetworkNamespace();
  throw new Error(
    `map '${mapName}' pins at ${pinPath}, but ${directory} is not a BPF filesystem (bpffs) in this mount namespace. ` +
      (namespace !== null
        ? `This process runs in network namespace '${namespace}': \`ip netns exec\` remounts /sys, which hides the bpffs mounted there. ` +
          `Enter the namespace with \`nsenter --net=/run/netns/${namespace}\` instead (it keeps /sys), or mount bpffs here: `
        : 'Mount it: ') +
      `\`mount -t bpf bpf ${directory.startsWith('/sys/fs/bpf') ? '/sys/fs/bpf' : directory}\``,
  );
}

/** The `ip netns` name of this process's network namespace, if it has one. */
function namedNetworkNamespace(): string | null {
  try {
    const own = statSync('/proc/self/ns/net').ino;
    return readdirSync(NAMED_NAMESPACES).find((name) => statSync(join(NAMED_NAMESPACES, name)).ino === own) ?? null;
  } catch {
    return null;
  }
}

/** libbpf's message when a pin exists but differs from the map being loaded. */
const REUSE_MISMATCH = /couldn't reuse pinned map at '([^']+)': parameter mismatch/;

/** The pin's parameters as bpf_obj_get_info_by_fd reports them: the head of struct bpf_map_info. */
const INFO_FIELDS = ['type', 'id', 'key_size', 'value_size', 'max_entries', 'map_flags'] as const;

/**
 * For a failed load whose libbpf log says a pin could not be reused: which map,
 * which parameter differs (pin vs declaration), and how to fix it, as a BpfError
 * that keeps the original errno and log. Null for any other failure.
 */
export function explainPinMismatch(error: unknown, system: string, maps: { metadata: MapMetadata; map: BpfMap; pinPath: string }[]): BpfError | null {
  if (!(error instanceof BpfError)) return null;
  const pinPath = REUSE_MISMATCH.exec(error.libbpfLog)?.[1];
  const target = maps.find((map) => map.pinPath === pinPath);
  if (pinPath === undefined || target === undefined) return null;
  const pinned = pinnedParameters(pinPath);
  const declared: Record<string, number> = {
    type: lib.bpf_map__type(target.map) as number,
    key_size: lib.bpf_map__key_size(target.map) as number,
    value_size: lib.bpf_map__value_size(target.map) as number,
    max_entries: lib.bpf_map__max_entries(target.map) as number,
    map_flags: lib.bpf_map__map_flags(target.map) as number,
  };
  const differing = pinned === null ? [] : Object.keys(declared).filter((name) => pinned[name] !== declared[name]);
  const show = (name: string, value: number) => (name === 'type' ? (lib.libbpf_bpf_map_type_str(value) as string | null) ?? String(value) : String(value));
  const difference =
    differing.length === 0
      ? `differs from what ${system}.ks declares`
      : `with ${differing.map((name) => `${name} ${show(name, pinned![name]!)}`).join(', ')}, but ${system}.ks declares ` +
        differing.map((name) => show(name, declared[name]!)).join(', ');
  return error.withHint(
    `map '${target.metadata.name}' is pinned at ${pinPath} ${difference}: the pin was made by an earlier declaration, and libbpf reuses a pin ` +
      'only when type, key and value sizes, max_entries and flags all match. ' +
      `Remove the pin to create the map anew (its entries are lost): rm ${pinPath}`,
  );
}

/** The pinned map's parameters, or null when the pin cannot be opened. */
function pinnedParameters(pinPath: string): Record<string, number> | null {
  const fd = lib.bpf_obj_get(pinPath) as number;
  if (fd < 0) return null;
  try {
    const info = Buffer.alloc(INFO_FIELDS.length * 4);
    const length = [info.length];
    if ((lib.bpf_obj_get_info_by_fd(fd, info, length) as number) < 0) return null;
    return Object.fromEntries(INFO_FIELDS.map((name, index) => [name, info.readUInt32LE(index * 4)]));
  } finally {
    lib.close(fd);
  }
}
