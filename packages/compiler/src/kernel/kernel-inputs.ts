// What the pure core may learn about the target kernel, handed in by the
// driver or the plugin (which read the files): its BTF, and the tracefs
// description of tracepoint events. Both are asked for only when a program
// needs them, so a compile that uses no kernel type never reads either.
import type { Btf } from '../btf/btf.js';

export interface KernelInputs {
  /**
   * The kernel's BTF. Called the first time a program names a kernel type;
   * it throws (with a message saying which file and why) when there is none.
   */
  btf?: () => Btf;
  /** The tracefs `events/<category>/<event>/format` of an event, parsed; null when tracefs has no such event. */
  tracepointFormat?: (category: string, event: string) => TracepointFormat | null;
}

/** One tracepoint event's record layout, as tracefs describes it. */
export interface TracepointFormat {
  /** `sys_enter_openat`. */
  name: string;
  /** The event id (`ID:` line). */
  id: number;
  /** Every field, the common header (`common_type`, ...) included, in record order. */
  fields: TracepointField[];
}

export interface TracepointField {
  name: string;
  /** The C type as tracefs declares it, array suffix removed: `const char *`, `pid_t`, `char` (for `char comm[16]`). */
  cType: string;
  offset: number;
  size: number;
  signed: boolean;
  /** The 8-byte header every event record starts with (`common_type`, `common_flags`, ...). */
  common: boolean;
  /** Element count of a fixed array field (`char prev_comm[16]` → 16), else null. */
  arrayLength: number | null;
  /**
   * `__data_loc` (offset from the record start) or `__rel_loc` (offset from the end
   * of the field) dynamic data: the field is a u32 whose low 16 bits are the offset
   * and high 16 bits the length. Null for an ordinary field.
   */
  dataLocation: 'record' | 'field' | null;
  /** A pointer in the C declaration (`const char * filename`): an address, usually in user memory. */
  pointer: boolean;
}
