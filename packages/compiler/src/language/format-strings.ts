// The format strings of `print` and `bpf_printk`, read as the kernel's
// bpf_trace_printk reads them (kernel/bpf/helpers.c, bpf_bprintf_prepare) —
// the narrower of the two languages, so a format means the same in a program
// and in userspace, where it goes to printf: the integer conversions, %c,
// and %s for a `[u8; N]` string. The checker matches each against its
// argument as C compilers check printf, and the lowering passes each
// argument in the C type its conversion names. Userspace also has %o, which
// bpf_trace_printk refuses (at run time, silently).

/** One `%...` conversion: where it is in the format, and the C type it reads. */
export interface FormatConversion {
  /** Where it starts in the format. */
  start: number;
  /** As written, e.g. `%08llx`. */
  text: string;
  /** The conversion letter: d i u x X c s, and o in userspace. */
  letter: string;
  /** 8 for `ll`, else 4 (an int, which narrower values are promoted to). */
  size: 4 | 8;
  signed: boolean;
}

const CONVERSION = /%(?<flags>[-+ 0]*)(?<width>[1-9][0-9]*)?(?<length>ll|l|h|hh|z|j|t|L|q)?(?<letter>.?)/gsu;

const SIGNED_LETTERS = new Set(['d', 'i']);
const UNSIGNED_LETTERS = new Set(['u', 'x', 'X', 'c', 's']);
const USERSPACE_ONLY_LETTERS = new Set(['o']);

/** The conversions of `format` in order, or what is wrong with it. `%%` prints a `%`. */
export function parseFormat(format: string, side: 'kernel' | 'userspace'): FormatConversion[] | { problem: string } {
  const conversions: FormatConversion[] = [];
  for (const match of format.matchAll(CONVERSION)) {
    const { flags, width, length, letter } = match.groups as { flags: string; width?: string; length?: string; letter: string };
    const text = match[0];
    const shown = JSON.stringify(text).slice(1, -1);
    if (text === '%%') continue;
    if (letter === '') return { problem: `the format ends in the middle of a conversion ('${shown}'); write %% for a percent sign` };
    if (letter === '%') return { problem: `'${shown}' is not a conversion; write %% for a percent sign` };
    if (side === 'kernel' && USERSPACE_ONLY_LETTERS.has(letter)) return { problem: `'${shown}' is not a conversion bpf_printk supports: the kernel's are %d %i %u %x %X %c and %s` };
    if (!SIGNED_LETTERS.has(letter) && !UNSIGNED_LETTERS.has(letter) && !USERSPACE_ONLY_LETTERS.has(letter)) {
      const why = letter === 'p' ? 'only integers, bools and [u8; N] strings can be printed' : `the conversions are %d %i %u %x %X %c %s${side === 'userspace' ? ' and %o' : ''}`;
      return { problem: `'${shown}' is not a conversion print supports: ${why}` };
    }
    if ((letter === 'c' || letter === 's') && length !== undefined) return { problem: `'${shown}' prints a ${letter === 'c' ? 'character' : 'string'}: it takes no length modifier` };
    if (length !== undefined && length !== 'll') {
      return { problem: `'${shown}' has the length modifier '${length}': write %${flags}${width ?? ''}ll${letter} for a 64-bit value, %${flags}${width ?? ''}${letter} for anything narrower` };
    }
    conversions.push({ start: match.index, text, letter, size: length === 'll' ? 8 : 4, signed: SIGNED_LETTERS.has(letter) });
  }
  return conversions;
}
