// attachAll(): every program of a system attached at once, as a libbpf
// skeleton's `__attach()` does — each to its declared target, the interface
// programs (xdp, tc) to the interfaces given — and all or nothing.
import { ATTACH_TARGETS } from '@kernelscript/shared';
import type { AttachTarget, Attachment } from './attach.js';
import type { ProgramHandle } from './program.js';

/** Targets by program name: required for xdp and tc programs, an override of the declared event otherwise. */
export type AttachTargets = Record<string, AttachTarget>;

/**
 * Attaches every program that can be attached: xdp and tc programs to the
 * interface `targets` names for them, tracepoints and raw tracepoints to
 * `targets[name]` or their declared event, kprobes from their section.
 * Socket filters and cgroup programs are left alone (attach them through
 * their fd). When one attach fails, the ones made before are undone.
 */
export function attachAll(programs: Record<string, ProgramHandle>, targets: AttachTargets = {}): Attachment[] {
  for (const name of Object.keys(targets)) {
    if (!Object.hasOwn(programs, name)) {
      throw new TypeError(`attachAll: no program '${name}' (programs: ${Object.keys(programs).join(', ') || 'none'})`);
    }
  }
  const attachments: Attachment[] = [];
  try {
    for (const program of Object.values(programs)) {
      const how = ATTACH_TARGETS[program.attachMethod];
      const target = targets[program.name];
      if (target !== undefined && (how === 'unsupported' || how === 'section')) {
        throw new TypeError(`attachAll: ${program.kind} program '${program.name}' takes no target`);
      }
      if (how === 'unsupported') continue;
      if (how === 'interface' && target === undefined) {
        throw new TypeError(
          `attachAll: ${program.kind} program '${program.name}' attaches to an interface: name it, e.g. attachAll({ ${program.name}: 'eth0' })`,
        );
      }
      attachments.push(program.attach(target));
    }
  } catch (error) {
    for (const attachment of attachments.reverse()) attachment.detach();
    throw error;
  }
  return attachments;
}
