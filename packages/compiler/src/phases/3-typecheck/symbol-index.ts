// Programs and program-local maps by name, indexed once per system: a search
// per function or per name is quadratic in a large system.
import type { MapSymbol, ProgramSymbol, SymbolTable } from '../2-symbols/symbol-table.js';

const programIndexes = new WeakMap<SymbolTable, Map<string, ProgramSymbol>>();
const mapPathIndexes = new WeakMap<SymbolTable, Map<string, MapSymbol>>();

export function programNamed(symbols: SymbolTable, name: string): ProgramSymbol | undefined {
  let index = programIndexes.get(symbols);
  if (!index) programIndexes.set(symbols, (index = new Map(symbols.programs.map((p) => [p.name, p]))));
  return index.get(name);
}

/** The map `program::name` names, if that program declares it. */
export function programMap(symbols: SymbolTable, program: string, name: string): MapSymbol | undefined {
  let index = mapPathIndexes.get(symbols);
  if (!index) mapPathIndexes.set(symbols, (index = new Map(symbols.maps.filter((m) => m.program).map((m) => [`${m.program}::${m.declName}`, m]))));
  return index.get(`${program}::${name}`);
}
