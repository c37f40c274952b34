// Attaching a loaded program to its hook, per program kind. Each way returns
// an Attachment whose detach() undoes exactly what it did.
import { accessSync, constants, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parsePerfEventTarget, parseUprobeTarget, type PerfEventTarget } from '@kernelscript/shared';
import { ElfFile } from './elf.js';
import { bpfError, bpfTcHook, bpfTcOpts, check, checkCString, checkPointer, lib, type BpfLink, type BpfProgram } from './libbpf.js';
import { ifindexOf } from './interfaces.js';
import type { ProgramMetadata } from './metadata.js';
import { assertPerfEventAvailable, onlineCpus, openPerfEvent } from './perf-event.js';

export interface Attachment {
  /** What the program is attached to, e.g. `xdp:veth0`. */
  readonly description: string;
  detach(): void;
}

/** A network interface: its name (resolved in the calling thread's network namespace) or its index. */
export type InterfaceTarget = string | { ifindex: number };

/**
 * What attach() takes: an interface for xdp and tc; for tracepoints
 * `"category/event"`, for raw tracepoints the event, for uprobes
 * `"/path/to/binary:symbol[+offset]"` and for perf events
 * `"EVENT[:freq=N|:period=N]"`, each defaulting to the program's declared
 * target; kprobes attach from their section and take nothing
 * (`ATTACH_TARGETS` of @kernelscript/shared, per attach method).
 */
export type AttachTarget = InterfaceTarget | undefined;

/**
 * XDP attach mode: `generic` (in the network stack, any device), `driver`
 * (in the NIC driver) or `offload` (on the NIC). Without one, the program is
 * attached as a BPF link in the best mode the device supports.
 */
export type XdpMode = 'generic' | 'driver' | 'offload';

export interface AttachOptions {
  /** xdp only. */
  mode?: XdpMode;
}

/** XDP_FLAGS_* of <linux/if_link.h>. */
const XDP_FLAGS_UPDATE_IF_NOEXIST = 1 << 0;
const XDP_MODE_FLAGS: Record<XdpMode, number> = { generic: 1 << 1, driver: 1 << 2, offload: 1 << 3 };

const EEXIST = 17;
/** Where libbpf looks for tracefs to read tracepoint event ids. */
const TRACEFS_ROOTS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];
const INT_MAX = 2 ** 31 - 1;
const BPF_TC_INGRESS = 1;
const BPF_TC_EGRESS = 2;

export function attachProgram(program: BpfProgram, programFd: number, metadata: ProgramMetadata, target: AttachTarget, options: AttachOptions = {}): Attachment {
  if (options.mode !== undefined && metadata.attach !== 'xdp') throw new TypeError(`attach mode is for xdp programs; '${metadata.name}' is ${metadata.kind}`);
  switch (metadata.attach) {
    case 'xdp': {
      const ifindex = interfaceIndex(target, metadata);
      if (options.mode !== undefined) return attachXdpInMode(programFd, metadata, ifindex, describeInterface(target), options.mode);
      return linkAttachment(`xdp:${describeInterface(target)}`, checkPointer<BpfLink>(`attaching xdp program '${metadata.name}'`, () =>
        lib.bpf_program__attach_xdp(program, ifindex) as bigint | null,
      ));
    }
    case 'tc':
      return attachTc(programFd, metadata, interfaceIndex(target, metadata), describeInterface(target));
    case 'tracepoint': {
      const tracepoint = stringTarget(target, metadata);
      const slash = tracepoint.indexOf('/');
      if (slash <= 0) throw new TypeError(`tracepoint target must be "category/event", got "${tracepoint}"`);
      const problem = tracefsProblem();
      if (problem !== null) throw new Error(`attaching tracepoint '${tracepoint}' needs tracefs, which is ${problem}`);
      return linkAttachment(`tracepoint:${tracepoint}`, checkPointer<BpfLink>(`attaching tracepoint program '${metadata.name}'`, () =>
        lib.bpf_program__attach_tracepoint(program, tracepoint.slice(0, slash), tracepoint.slice(slash + 1)) as bigint | null,
      ));
    }
    case 'raw_tracepoint': {
      const event = stringTarget(target, metadata);
      return linkAttachment(`raw_tracepoint:${event}`, checkPointer<BpfLink>(`attaching raw_tracepoint program '${metadata.name}'`, () =>
        lib.bpf_program__attach_raw_tracepoint(program, event) as bigint | null,
      ));
    }
    case 'uprobe':
    case 'uretprobe':
      return attachUprobe(program, metadata, stringTarget(target, metadata), metadata.attach === 'uretprobe');
    case 'perf_event':
      return attachPerfEvent(program, metadata, perfEventTarget(stringTarget(target, metadata), metadata));
    case 'section':
      return linkAttachment(metadata.section, checkPointer<BpfLink>(`attaching ${metadata.kind} program '${metadata.name}'`, () =>
        lib.bpf_program__attach(program) as bigint | null,
      ));
    case 'socket':
    case 'cgroup':
      throw new Error(`attach() does not support ${metadata.kind} programs yet; use program.fd with setsockopt / a cgroup`);
  }
}

/** Why tracepoint ids cannot be read here — tracefs not mounted, or mounted but not readable — or null when they can. */
function tracefsProblem(): string | null {
  const mounted = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' '))
    .filter(([, mountPoint, type]) => type === 'tracefs' && TRACEFS_ROOTS.includes(mountPoint!))
    .map(([, mountPoint]) => mountPoint!);
  if (mounted.length === 0) return 'not mounted: mount -t tracefs tracefs /sys/kernel/tracing';
  const readable = (root: string) => {
    try {
      accessSync(join(root, 'events'), constants.R_OK | constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (mounted.some(readable)) return null;
  return (
    `mounted at ${mounted[0]} but not readable by uid ${process.getuid?.()}: ` +
    `run as root, or make it readable (mount -o remount,mode=755 ${mounted[0]})`
  );
}

/**
 * A uprobe on every process running `binary`: the symbol's file offset comes
 * from the binary's ELF symbol table (.symtab, else .dynsym), as the kernel's
 * uprobes take an inode and an offset. A relative path is resolved against
 * the working directory.
 */
function attachUprobe(program: BpfProgram, metadata: ProgramMetadata, target: string, retprobe: boolean): Attachment {
  const parsed = parseUprobeTarget(target);
  if (!parsed.ok) throw new TypeError(`${metadata.kind} program '${metadata.name}': ${parsed.error}`);
  const { symbol, offset } = parsed.value;
  const binary = resolve(parsed.value.binary);
  let elf: ElfFile;
  try {
    elf = ElfFile.read(binary);
  } catch (error) {
    throw new Error(`${metadata.kind} program '${metadata.name}': cannot read the symbols of ${binary}: ${(error as Error).message}`, { cause: error });
  }
  const found = elf.findFunction(symbol);
  if (found === undefined) {
    throw new Error(
      `${metadata.kind} program '${metadata.name}': ${binary} has no function '${symbol}' in its symbol tables ` +
        `(${elf.functions.length} functions; a static or inlined function may have no symbol, a stripped binary only its exported ones)`,
    );
  }
  const fileOffset = elf.fileOffset(found.address + offset);
  if (fileOffset === null) throw new Error(`${metadata.kind} program '${metadata.name}': ${symbol}+${offset} of ${binary} is not in a loadable segment`);
  const description = `${metadata.attach}:${binary}:${symbol}${offset ? `+${offset}` : ''}`;
  return linkAttachment(description, checkPointer<BpfLink>(`attaching ${metadata.kind} program '${metadata.name}' to ${binary}:${symbol}`, () =>
    lib.bpf_program__attach_uprobe(program, retprobe, -1, binary, fileOffset) as bigint | null,
  ));
}

function perfEventTarget(target: string, metadata: ProgramMetadata): PerfEventTarget {
  const parsed = parsePerfEventTarget(target);
  if (!parsed.ok) throw new TypeError(`perf_event program '${metadata.name}': ${parsed.error}`);
  return parsed.value;
}

/** The event opened on every online CPU, the program attached to each; detach destroys the links, which close the events. */
function attachPerfEvent(program: BpfProgram, metadata: ProgramMetadata, target: PerfEventTarget): Attachment {
  const what = `perf_event program '${metadata.name}'`;
  const links: BpfLink[] = [];
  const destroyAll = () => {
    for (const link of links.splice(0)) lib.bpf_link__destroy(link);
  };
  try {
    for (const cpu of onlineCpus()) {
      const fd = openPerfEvent(target, cpu, what);
      try {
        links.push(checkPointer<BpfLink>(`attaching ${what} on CPU ${cpu}`, () => lib.bpf_program__attach_perf_event(program, fd) as bigint | null));
      } catch (error) {
        lib.close(fd);
        throw error;
      }
    }
  } catch (error) {
    destroyAll();
    throw error;
  }
  const rate = 'freq' in target.sampling ? `freq=${target.sampling.freq}` : `period=${target.sampling.period}`;
  return detachOnce(`perf_event:${target.event}:${rate}:${links.length} CPUs`, destroyAll);
}

/** For load(): a perf event program whose declared event this machine lacks fails there, not at attach. */
export function assertAttachable(metadata: ProgramMetadata): void {
  if (metadata.attach !== 'perf_event' || metadata.target === null) return;
  assertPerfEventAvailable(perfEventTarget(metadata.target, metadata), `perf_event program '${metadata.name}'`);
}

function linkAttachment(description: string, link: BpfLink): Attachment {
  return detachOnce(description, () => check(`detaching ${description}`, () => lib.bpf_link__destroy(link) as number));
}

/** An Attachment whose detach() runs `undo` the first time only. */
function detachOnce(description: string, undo: () => void): Attachment {
  let attached = true;
  return {
    description,
    detach() {
      if (!attached) return;
      attached = false;
      undo();
    },
  };
}

/** XDP in an explicit mode; refuses to replace a program already attached in that mode. */
function attachXdpInMode(programFd: number, metadata: ProgramMetadata, ifindex: number, ifname: string, mode: XdpMode): Attachment {
  const flags = XDP_MODE_FLAGS[mode];
  if (flags === undefined) throw new TypeError(`unknown xdp mode '${String(mode)}': use 'generic', 'driver' or 'offload'`);
  const description = `xdp:${ifname}:${mode}`;
  check(`attaching xdp program '${metadata.name}' to ${ifname} in ${mode} mode`, () => lib.bpf_xdp_attach(ifindex, programFd, flags | XDP_FLAGS_UPDATE_IF_NOEXIST, null) as number);
  return detachOnce(description, () => check(`detaching ${description}`, () => lib.bpf_xdp_detach(ifindex, flags, null) as number));
}

/**
 * tc: make sure the interface has a clsact qdisc, then add the program as a
 * direct-action filter on the declared direction. The qdisc is removed on
 * detach only when this attachment created it.
 */
function attachTc(programFd: number, metadata: ProgramMetadata, ifindex: number, ifname: string): Attachment {
  const direction = metadata.target ?? 'ingress';
  if (direction !== 'ingress' && direction !== 'egress') throw new TypeError(`tc program '${metadata.name}': unknown direction '${direction}'`);
  const hook = { sz: bpfTcHook.size, ifindex, attach_point: direction === 'ingress' ? BPF_TC_INGRESS : BPF_TC_EGRESS, parent: 0 };
  const created = lib.bpf_tc_hook_create(hook) as number;
  if (created < 0 && created !== -EEXIST) throw bpfError(`creating the clsact qdisc on ${ifname}`, -created);

  const destroyQdisc = () => lib.bpf_tc_hook_destroy({ ...hook, attach_point: BPF_TC_INGRESS | BPF_TC_EGRESS }) as number;

  const options = { sz: bpfTcOpts.size, prog_fd: programFd, flags: 0, prog_id: 0, handle: 0, priority: 0 };
  const description = `tc:${ifname}:${direction}`;
  try {
    check(`attaching tc program '${metadata.name}' to ${ifname} ${direction}`, () => lib.bpf_tc_attach(hook, options) as number);
  } catch (error) {
    if (created === 0) destroyQdisc();
    throw error;
  }
  return detachOnce(description, () => {
    // Detach identifies the filter by handle and priority only; the other fields must be zero.
    const filter = { sz: bpfTcOpts.size, prog_fd: 0, flags: 0, prog_id: 0, handle: options.handle, priority: options.priority };
    check(`detaching ${description}`, () => lib.bpf_tc_detach(hook, filter) as number);
    if (created === 0) check(`removing the clsact qdisc on ${ifname}`, destroyQdisc);
  });
}

/** Interface index for a name (if_nametoindex, in the calling thread's network namespace) or an explicit index. */
function interfaceIndex(target: AttachTarget, metadata: ProgramMetadata): number {
  if (typeof target === 'object' && target !== null && Number.isInteger(target.ifindex)) {
    // The kernel's ifindex is a C int: a larger number would wrap around to another interface.
    if (target.ifindex < 1 || target.ifindex > INT_MAX) throw new RangeError(`${metadata.kind} program '${metadata.name}': ifindex must be between 1 and ${INT_MAX}, got ${target.ifindex}`);
    return target.ifindex;
  }
  if (typeof target !== 'string' || target === '') {
    throw new TypeError(`${metadata.kind} program '${metadata.name}' attaches to an interface: pass its name or { ifindex }`);
  }
  return ifindexOf(target, `${metadata.kind} program '${metadata.name}': interface name`);
}

function describeInterface(target: AttachTarget): string {
  return typeof target === 'object' ? `ifindex ${target.ifindex}` : String(target);
}

function stringTarget(target: AttachTarget, metadata: ProgramMetadata): string {
  const resolved = target ?? metadata.target;
  if (typeof resolved !== 'string' || resolved === '') {
    throw new TypeError(`${metadata.kind} program '${metadata.name}' needs a target (none declared, none given)`);
  }
  checkCString(resolved, `${metadata.kind} program '${metadata.name}': target`);
  return resolved;
}
