// A small Wadler-style document printer (the algorithm Prettier uses): the
// formatter describes what may break, this decides what does, so the layout
// depends on the program and the width only, never on the input's spacing.

export type Doc = string | Doc[] | Line | Group | Indent | IfBreak | LineSuffix;

interface Line {
  kind: 'line';
  /** Always a newline. */
  hard: boolean;
  /** A space when flat, unless soft (then nothing). */
  soft: boolean;
}

interface Group {
  kind: 'group';
  contents: Doc;
  /** Contains a hard line: can never be flat. */
  broken: boolean;
}

interface Indent {
  kind: 'indent';
  contents: Doc;
}

interface IfBreak {
  kind: 'if-break';
  broken: Doc;
  flat: Doc;
}

/** Text that waits for the end of the line (a trailing `// comment`). */
interface LineSuffix {
  kind: 'line-suffix';
  text: string;
}

/** A space, or a newline when the enclosing group breaks. */
export const line: Doc = { kind: 'line', hard: false, soft: false };
/** Nothing, or a newline when the enclosing group breaks. */
export const softline: Doc = { kind: 'line', hard: false, soft: true };
export const hardline: Doc = { kind: 'line', hard: true, soft: false };

export function group(contents: Doc): Doc {
  return { kind: 'group', contents, broken: hasHardLine(contents) };
}

export function indent(contents: Doc): Doc {
  return { kind: 'indent', contents };
}

export function ifBreak(broken: Doc, flat: Doc = ''): Doc {
  return { kind: 'if-break', broken, flat };
}

/** `text` at the end of the current line; it forces the enclosing groups to break. */
export function lineSuffix(text: string): Doc {
  return [{ kind: 'line-suffix', text }, { kind: 'line', hard: true, soft: true, suffixBreak: true } as Line];
}

function hasHardLine(doc: Doc): boolean {
  if (typeof doc === 'string') return false;
  if (Array.isArray(doc)) return doc.some(hasHardLine);
  switch (doc.kind) {
    case 'line':
      return doc.hard;
    case 'group':
      return doc.broken;
    case 'indent':
      return hasHardLine(doc.contents);
    case 'if-break':
      return hasHardLine(doc.broken) || hasHardLine(doc.flat);
    case 'line-suffix':
      return false;
  }
}

type Mode = 'flat' | 'break';

interface Command {
  indent: number;
  mode: Mode;
  doc: Doc;
}

/** Lays `doc` out within `width` columns, indenting by `indentWidth` spaces. */
export function printDoc(doc: Doc, width: number, indentWidth = 2): string {
  const out: string[] = [];
  let column = 0;
  let suffixes: string[] = [];
  const stack: Command[] = [{ indent: 0, mode: 'break', doc }];
  while (stack.length > 0) {
    const { indent: level, mode, doc: current } = stack.pop()!;
    if (typeof current === 'string') {
      out.push(current);
      column += current.length;
      continue;
    }
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push({ indent: level, mode, doc: current[i]! });
      continue;
    }
    switch (current.kind) {
      case 'group': {
        const flat = !current.broken && fits({ indent: level, mode: 'flat', doc: current.contents }, stack, width - column);
        stack.push({ indent: level, mode: flat ? 'flat' : 'break', doc: current.contents });
        break;
      }
      case 'indent':
        stack.push({ indent: level + indentWidth, mode, doc: current.contents });
        break;
      case 'if-break':
        stack.push({ indent: level, mode, doc: mode === 'break' ? current.broken : current.flat });
        break;
      case 'line-suffix':
        suffixes.push(current.text);
        break;
      case 'line':
        if ((current as Line & { suffixBreak?: boolean }).suffixBreak) break;
        if (mode === 'flat' && !current.hard) {
          if (!current.soft) {
            out.push(' ');
            column++;
          }
          break;
        }
        if (suffixes.length > 0) {
          out.push(...suffixes);
          suffixes = [];
        }
        trimTrailingSpaces(out);
        out.push('\n', ' '.repeat(level));
        column = level;
        break;
    }
  }
  out.push(...suffixes);
  return out.join('');
}

/** Whether `next` printed flat, followed by the rest up to its first line break, fits in `room`. */
function fits(next: Command, rest: Command[], room: number): boolean {
  const pending: Command[] = [next];
  let restIndex = rest.length;
  while (room >= 0) {
    let command = pending.pop();
    if (!command) {
      if (restIndex === 0) return true;
      command = rest[--restIndex]!;
    }
    const { mode, doc } = command;
    if (typeof doc === 'string') {
      room -= doc.length;
      continue;
    }
    if (Array.isArray(doc)) {
      for (let i = doc.length - 1; i >= 0; i--) pending.push({ ...command, doc: doc[i]! });
      continue;
    }
    switch (doc.kind) {
      case 'group':
        if (doc.broken && mode === 'flat') return false;
        pending.push({ ...command, mode: doc.broken ? 'break' : mode, doc: doc.contents });
        break;
      case 'indent':
        pending.push({ ...command, doc: doc.contents });
        break;
      case 'if-break':
        pending.push({ ...command, doc: mode === 'break' ? doc.broken : doc.flat });
        break;
      case 'line-suffix':
        break;
      case 'line':
        // A line comment ahead: the line it ends cannot be flat, but what follows it starts a new line.
        if ((doc as Line & { suffixBreak?: boolean }).suffixBreak) return mode === 'break';
        if (mode === 'break' || doc.hard) return true;
        if (!doc.soft) room--;
        break;
    }
  }
  return false;
}

function trimTrailingSpaces(out: string[]): void {
  while (out.length > 0) {
    const last = out[out.length - 1]!;
    const trimmed = last.replace(/[ \t]+$/, '');
    if (trimmed.length > 0 || last.length === 0) {
      out[out.length - 1] = trimmed;
      return;
    }
    out.pop();
  }
}
