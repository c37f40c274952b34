import pc from 'picocolors';

export type Colors = ReturnType<typeof pc.createColors>;

/** Colour only on a terminal, never with NO_COLOR (picocolors also honours FORCE_COLOR). */
export function colorsFor(stream: NodeJS.WriteStream, enabled: boolean): Colors {
  return pc.createColors(enabled && pc.isColorSupported && stream.isTTY === true);
}
