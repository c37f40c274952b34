// Prints JSON-like data (plus bigint) as TypeScript source: either as a value
// expression for the generated JS module, or as its exact literal type for the
// generated declaration file. One printer for both keeps the two in step.

export type LiteralData = null | boolean | number | bigint | string | LiteralData[] | { [key: string]: LiteralData };

export type LiteralMode = 'value' | 'type';

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** An object key as written in source: bare when it is an identifier, quoted otherwise (`'prog::map'`). */
export function propertyKey(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

/**
 * `mode: 'type'` prints object properties `readonly` but arrays as mutable
 * tuples: a readonly tuple would not be assignable to the runtime's
 * `FieldDescriptor[]`, while readonly properties are.
 */
export function printLiteral(value: LiteralData, mode: LiteralMode, indent = ''): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
    case 'number':
      return String(value);
    case 'bigint':
      return `${value}n`;
    case 'string':
      return JSON.stringify(value);
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((item) => `${inner}${printLiteral(item, mode, inner)},`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  const lines = entries.map(([key, item]) =>
    mode === 'value'
      ? // In an object literal `__proto__: v` (bare or quoted) sets the prototype; a computed key makes it a property.
        `${inner}${key === '__proto__' ? '["__proto__"]' : propertyKey(key)}: ${printLiteral(item, mode, inner)},`
      : `${inner}readonly ${propertyKey(key)}: ${printLiteral(item, mode, inner)};`,
  );
  return `{\n${lines.join('\n')}\n${indent}}`;
}
