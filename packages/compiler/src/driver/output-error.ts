/** Writing an output failed or was refused: a one-line message for the user; the target is left as it was. */
export class OutputError extends Error {}
