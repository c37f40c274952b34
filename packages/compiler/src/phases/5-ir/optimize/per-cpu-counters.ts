// Per-CPU conversion of contended counters: a HashMap, Array or LruHash with
// integer values becomes PercpuHash, PercpuArray or LruPercpuHash when every
// kernel program only adds to it (`m[k] += x` / `-= x`, or deletes), so each
// CPU adds into its own copy and the sum of the copies is what the shared
// counter would hold. Readers sum: the generated coordinator's per-CPU
// accessors and the JS runtime read the sum over CPUs, and their writes set
// CPU 0 and zero the others (so a write then a read gives the value back).
// A kernel read (it would see only its own CPU's copy) or a kernel `=` / `|=`
// (each CPU would keep its own value, and readers would add them up) blocks
// the conversion; the report says which. The new kind replaces the map in
// the IR, so the eBPF map type, the coordinator's
// accessors, the metadata (`kind`, `bpfType`) and the JS types all follow.
import { MAP_KINDS } from '../../../language/map-kinds.js';
import type { IrMap, IrStmt } from '../ir.js';
import { statements } from '../ir-walk.js';
import type { DeclinedOptimization, OptimizationChange } from './optimization.js';
import type { Pass } from './pass.js';
import { rewriteStatements } from '../rewrite.js';

type MapStmt = Extract<IrStmt, { map: IrMap }>;

export const convertCountersToPerCpu: Pass = (input) => {
  const { ir } = input;
  const suggested = new Set(input.analysis.suggestions.filter((s) => s.kind === 'per-cpu').map((s) => s.map));
  const uses = ir.kernelFunctions.flatMap((fn) =>
    [...statements(fn.body)].flatMap((stmt) => ('map' in stmt ? [{ stmt: stmt as MapStmt, programs: input.programsOf(fn.cName) }] : [])),
  );
  const converted = new Map<IrMap, IrMap>();
  const changes: OptimizationChange[] = [];
  const declined: DeclinedOptimization[] = [];
  for (const map of ir.maps) {
    const perCpu = map.kind.perCpuCounterpart;
    if (!perCpu || map.value.kind !== 'int') continue;
    const mine = uses.filter((u) => u.stmt.map === map);
    const programs = [...new Set(mine.flatMap((u) => u.programs))];
    const blockers = mine.filter((u) => !isAddition(u.stmt) && u.stmt.op !== 'mapDelete');
    if (!mine.some((u) => isAddition(u.stmt)) || blockers.length > 0) {
      const reason = blockers.length > 0 ? blockers.map((b) => blockerReason(b.stmt, b.programs)).join('; ') : 'no kernel program adds to it with += or -=';
      if (suggested.has(map.name) || mine.some((u) => isAddition(u.stmt))) declined.push({ kind: 'per-cpu', subject: map.name, reason: `map '${map.name}' stays ${map.kind.sourceName}: ${reason}` });
      continue;
    }
    const kind = MAP_KINDS[perCpu];
    converted.set(map, { ...map, kind });
    changes.push({
      subject: map.name,
      programs,
      message: `map '${map.name}' ${map.kind.sourceName} → ${kind.sourceName}: ${programs.join(', ')} only ${programs.length === 1 ? 'adds' : 'add'} to it (+= / -=) and no kernel program reads it; userspace reads sum the per-CPU copies`,
      line: map.span.start.line,
    });
  }
  if (converted.size === 0) return { ir, changes, declined };
  const swap = (map: IrMap) => converted.get(map) ?? map;
  const retarget = (body: IrStmt[]) => rewriteStatements(body, (stmt) => ['map' in stmt ? ({ ...stmt, map: swap(stmt.map) } as IrStmt) : stmt]);
  return {
    ir: {
      ...ir,
      maps: ir.maps.map(swap),
      kernelFunctions: ir.kernelFunctions.map((fn) => ({ ...fn, body: retarget(fn.body) })),
      userspaceFunctions: ir.userspaceFunctions.map((fn) => ({ ...fn, body: retarget(fn.body) })),
    },
    changes,
    declined,
  };
};

/** `m[k] += x` / `m[k] -= x` on the whole value: the per-CPU copies add up to the same total. */
function isAddition(stmt: MapStmt): boolean {
  return stmt.op === 'mapAtomic' && stmt.path.length === 0 && (stmt.operator === '+=' || stmt.operator === '-=');
}

function blockerReason(stmt: MapStmt, programs: string[]): string {
  const who = `${programs.join(', ')} (line ${stmt.line})`;
  switch (stmt.op) {
    case 'mapLookup':
      return `${who} reads it in the kernel, where a per-CPU map shows only the running CPU's copy`;
    case 'mapAtomic':
      return `${who} updates it with '${stmt.operator}': summing per-CPU copies only matches += and -=`;
    default:
      return `${who} writes it with '=': each CPU would keep its own value and readers would see their sum`;
  }
}
