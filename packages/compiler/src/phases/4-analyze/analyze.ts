// Phase 4: the programs analysed together, after type checking. Which code
// reaches which map (through helper calls), how it touches it, and what that
// means when the programs run at the same time on several CPUs. Every name is
// taken as the type checker resolved it: a local or parameter that shares a
// map's name is not the map.
import type * as ast from '../1-parse/ast.js';
import { walk } from '../1-parse/walk.js';
import { CompileError, type DiagnosticBag } from '../../diagnostics/diagnostic.js';
import { MAP_KINDS } from '../../language/map-kinds.js';
import { constantOrNull, type ConstNames } from '../2-symbols/const-eval.js';
import type { FunctionSymbol, MapSymbol } from '../2-symbols/symbol-table.js';
import { sizeOf, typeName } from '../2-symbols/types.js';
import type { Resolution, TypedSystem } from '../3-typecheck/typed-system.js';
import type { Accessor, AccessKind, Conflict, MapAccess, MapReport, ProgramReport, Suggestion, SystemAnalysis, AnalysisNote } from './analysis.js';
import { expressionKey } from './expression-key.js';
import { metadataAccessesOf, pairMetadata } from './metadata-handoff.js';

/** A non-atomic read-modify-write, and who does it. */
interface LostUpdate {
  map: string;
  accessor: Accessor;
  location: ast.Span;
}

/** What one function does by itself, before calls are followed. */
interface FunctionFacts {
  symbol: FunctionSymbol;
  accesses: Omit<MapAccess, 'accessor' | 'callChain'>[];
  /** Non-atomic read-modify-writes found in this function. */
  lostUpdates: { map: string; location: ast.Span }[];
  calls: { callee: FunctionSymbol; span: ast.Span }[];
}

export function analyzeSystem(typed: TypedSystem, diagnostics: DiagnosticBag): SystemAnalysis {
  const { symbols } = typed;
  const facts = new Map<FunctionSymbol, FunctionFacts>();
  for (const fn of symbols.functions) facts.set(fn, collectFacts(fn, typed.resolutions));
  refuseRecursion(facts);

  const accesses: MapAccess[] = [];
  const lostUpdates: LostUpdate[] = [];
  const metadataAccesses: ReturnType<typeof metadataAccessesOf> = [];
  const programs: ProgramReport[] = symbols.programs.map((program) => {
    const accessor: Accessor = { kind: 'program', program: program.name };
    const reached = reachable(program.main, facts);
    const maps = new Set<string>();
    metadataAccesses.push(...metadataAccessesOf(program, reached.keys(), typed));
    for (const [fn, chain] of reached) {
      const fnFacts = facts.get(fn)!;
      for (const access of fnFacts.accesses) {
        accesses.push({ ...access, accessor, callChain: chain });
        maps.add(access.map);
      }
      for (const lost of fnFacts.lostUpdates) lostUpdates.push({ ...lost, accessor });
    }
    return { name: program.name, kind: program.info.kind, section: program.section, target: program.target, functions: [...reached.keys()].map((f) => f.name), maps: [...maps] };
  });
  if (symbols.userspace) {
    const accessor: Accessor = { kind: 'userspace' };
    const userFunctions = symbols.functions.filter((f) => f.owner.kind === 'userspace');
    const reached = symbols.userspace.main ? reachable(symbols.userspace.main, facts) : new Map<FunctionSymbol, string[]>();
    for (const fn of userFunctions) {
      const fnFacts = facts.get(fn)!;
      const chain = reached.get(fn) ?? [fn.name];
      for (const access of fnFacts.accesses) accesses.push({ ...access, accessor, callChain: chain });
      for (const lost of fnFacts.lostUpdates) lostUpdates.push({ ...lost, accessor });
    }
  }

  // Each map's accesses and lost updates, grouped once: a pass per map over all of them is quadratic in a large system.
  const accessesOf = groupBy(accesses, (a) => a.map);
  const lostUpdatesOf = groupBy(lostUpdates, (l) => l.map);
  const maps = symbols.maps.map((map) => mapReport(map, accessesOf.get(map.name) ?? []));
  const notes: AnalysisNote[] = [];
  const conflicts = [
    ...symbols.maps.flatMap((map, i) => sharedWriterConflicts(map, maps[i]!, notes)),
    ...symbols.maps.flatMap((map, i) => lostUpdateConflicts(map, lostUpdatesOf.get(map.name) ?? [], maps[i]!.accesses)),
  ];
  const suggestions = symbols.maps.flatMap((map, i) => suggestionsFor(map, maps[i]!));
  for (const conflict of conflicts) {
    const first = conflict.locations[0];
    diagnostics.warning(conflict.kind === 'shared-writers' ? 'KS4101' : 'KS4102', conflict.message, first ? pointSpan(first) : null, `help: ${conflict.fix}`);
  }
  const metadata = pairMetadata(metadataAccesses, diagnostics);
  return { programs, maps, conflicts, suggestions, notes, metadata };
}

function collectFacts(fn: FunctionSymbol, resolutions: TypedSystem['resolutions']): FunctionFacts {
  const facts: FunctionFacts = { symbol: fn, accesses: [], lostUpdates: [], calls: [] };
  const resolved = (expr: ast.Expr): Resolution | undefined => resolutions.get(expr);
  const mapOf = (expr: ast.Expr): MapSymbol | undefined => {
    const resolution = resolved(expr);
    return resolution?.kind === 'map' ? resolution.map : undefined;
  };
  const constants: ConstNames = (name) => {
    const resolution = resolved(name);
    return resolution?.kind === 'constant' ? resolution.value : resolution?.kind === 'action' ? BigInt(resolution.value) : undefined;
  };
  const keyText = (expr: ast.Expr): string | null => {
    const value = constantOrNull(expr, constants);
    return value === null ? null : String(value);
  };
  /** Locals by their unique C name, so two locals of one name in different blocks are different keys. */
  const keyOf = (expr: ast.Expr) => expressionKey(expr, (name) => {
    const resolution = resolved(name);
    return resolution?.kind === 'local' ? resolution.local.cName : undefined;
  });
  const record = (map: MapSymbol, access: AccessKind, atomic: boolean, key: ast.Expr | null, span: ast.Span) =>
    facts.accesses.push({
      map: map.name,
      function: fn.name,
      access,
      atomic,
      keyed: key !== null,
      constantKey: key ? keyText(key) : null,
      location: { line: span.start.line, column: span.start.column },
    });
  /** Locals that hold a copy of a map element: C name → `map[key]`. */
  const copiesOfElements = new Map<string, string>();
  const localName = (expr: ast.Expr): string | null => {
    const resolution = resolved(expr);
    return resolution?.kind === 'local' ? resolution.local.cName : null;
  };

  const elementOf = (expr: ast.Expr): { map: MapSymbol; index: ast.IndexExpr } | null => {
    const index = expr.kind === 'MemberExpr' ? expr.object : expr;
    if (index.kind !== 'IndexExpr') return null;
    const map = mapOf(index.object);
    return map ? { map, index } : null;
  };

  walk(fn.decl.body, (node) => {
    switch (node.kind) {
      case 'AssignStmt': {
        const element = elementOf(node.target);
        if (!element) return;
        const { map, index } = element;
        const elementKey = `${map.name}[${keyOf(index.index)}]`;
        const atomic = node.op !== '=';
        const readsSameElement = expressionReads(node.value, (e) => {
          const other = elementOf(e);
          if (other && `${other.map.name}[${keyOf(other.index.index)}]` === elementKey) return true;
          return e.kind === 'Identifier' && copiesOfElements.get(localName(e) ?? '') === elementKey;
        });
        record(map, atomic || readsSameElement ? 'read-modify-write' : 'write', atomic, index.index, node.span);
        if (readsSameElement && !atomic) facts.lostUpdates.push({ map: map.name, location: node.span });
        walk(index.index, visitReads);
        // The read of the element itself is the "read" of this read-modify-write.
        walk(node.value, (e) => {
          const other = e.kind === 'IndexExpr' ? elementOf(e) : null;
          if (other && `${other.map.name}[${keyOf(other.index.index)}]` === elementKey) {
            walk(other.index.index, visitReads);
            return false;
          }
          return visitReads(e);
        });
        return false;
      }
      case 'LetStmt': {
        const element = elementOf(node.init);
        if (element && node.init.kind === 'IndexExpr') {
          const local = resolutions.get(node);
          if (local?.kind === 'local') copiesOfElements.set(local.local.cName, `${element.map.name}[${keyOf(element.index.index)}]`);
        }
        return;
      }
      case 'DeleteStmt': {
        const map = mapOf(node.target.object);
        if (map) record(map, 'delete', false, node.target.index, node.span);
        walk(node.target.index, visitReads);
        return false;
      }
      case 'ForEachStmt': {
        const map = mapOf(node.iterable);
        if (map) record(map, 'read', false, null, node.iterable.span);
        return;
      }
      default:
        return visitReads(node);
    }
  });

  function visitReads(node: ast.Stmt | ast.Expr | ast.MatchArm): boolean | void {
    if (node.kind === 'IndexExpr') {
      const map = mapOf(node.object);
      if (map) record(map, 'read', false, node.index, node.span);
    } else if (node.kind === 'CallExpr') {
      if (node.callee.kind === 'MemberExpr') {
        const map = mapOf(node.callee.object);
        if (map && node.callee.property.name === 'submit') record(map, 'submit', false, null, node.span);
        else if (map) record(map, 'read', false, null, node.span);
      } else {
        const callee = resolved(node.callee);
        if (callee?.kind === 'function') facts.calls.push({ callee: callee.fn, span: node.span });
      }
    }
  }
  return facts;
}

function expressionReads(expr: ast.Expr, predicate: (e: ast.Expr) => boolean): boolean {
  let found = false;
  walk(expr, (node) => {
    if (found) return false;
    if (node.kind !== 'MatchArm' && isExpr(node) && predicate(node)) found = true;
  });
  return found;
}

function isExpr(node: ast.Stmt | ast.Expr): node is ast.Expr {
  return !node.kind.endsWith('Stmt') && node.kind !== 'Block';
}

/** Functions reachable from `root` with the call chain that first reaches each. */
function reachable(root: FunctionSymbol, facts: Map<FunctionSymbol, FunctionFacts>): Map<FunctionSymbol, string[]> {
  const chains = new Map<FunctionSymbol, string[]>([[root, [root.name]]]);
  const queue = [root];
  for (let next = 0; next < queue.length; next++) {
    const fn = queue[next]!;
    for (const { callee } of facts.get(fn)?.calls ?? []) {
      if (chains.has(callee)) continue;
      chains.set(callee, [...chains.get(fn)!, callee.name]);
      queue.push(callee);
    }
  }
  return chains;
}

/** eBPF has no recursion: report the first call cycle, naming every function in it. */
function refuseRecursion(facts: Map<FunctionSymbol, FunctionFacts>): void {
  const state = new Map<FunctionSymbol, 'visiting' | 'done'>();
  const stack: FunctionSymbol[] = [];
  const visit = (fn: FunctionSymbol): void => {
    state.set(fn, 'visiting');
    stack.push(fn);
    for (const call of facts.get(fn)?.calls ?? []) {
      if (state.get(call.callee) === 'visiting') {
        const cycle = [...stack.slice(stack.indexOf(call.callee)), call.callee].map((f) => f.name);
        throw new CompileError({
          severity: 'error',
          code: 'KS4001',
          message: `recursion is not allowed in eBPF: ${cycle.join(' -> ')}`,
          span: call.span,
          notes: ['help: rewrite the recursion as a bounded loop'],
        });
      }
      if (!state.has(call.callee)) visit(call.callee);
    }
    stack.pop();
    state.set(fn, 'done');
  };
  for (const fn of facts.keys()) if (!state.has(fn)) visit(fn);
}

function accessorName(accessor: Accessor): string {
  return accessor.kind === 'program' ? accessor.program : 'userspace';
}

const WRITES: AccessKind[] = ['write', 'read-modify-write', 'delete', 'submit'];

function mapReport(map: MapSymbol, accesses: MapAccess[]): MapReport {
  const names = (kinds: AccessKind[]) => [...new Set(accesses.filter((a) => kinds.includes(a.access)).map((a) => accessorName(a.accessor)))];
  return {
    name: map.name,
    objectName: map.objectName,
    kind: map.kind.kind,
    scope: map.program ? 'local' : 'global',
    program: map.program,
    keyType: map.key ? typeName(map.key) : null,
    valueType: typeName(map.value),
    keySize: map.key ? sizeOf(map.key) : 0,
    valueSize: sizeOf(map.value),
    maxEntries: map.maxEntries,
    pinPath: map.pinPath,
    readers: names(['read', 'read-modify-write']),
    writers: names(WRITES),
    readModifyWriters: names(['read-modify-write']),
    accesses,
  };
}

function sharedWriterConflicts(map: MapSymbol, report: MapReport, notes: AnalysisNote[]): Conflict[] {
  if (map.kind.access !== 'keyed') return [];
  if (report.writers.length < 2) {
    const sharers = [...new Set(report.accesses.map((a) => accessorName(a.accessor)))];
    if (sharers.length >= 2) {
      const writer = report.writers.length === 1 ? `only ${report.writers[0]} writes it` : 'nothing writes it';
      notes.push({ map: map.name, message: `Map '${map.name}' is shared by ${sharers.join(', ')}, but ${writer}: no write-write race` });
    }
    return [];
  }
  const writes = report.accesses.filter((a) => WRITES.includes(a.access));
  const programs = report.writers.filter((w) => w !== 'userspace');
  if (programs.length === 0) return [];
  if (map.kind.perCpu) {
    notes.push({ map: map.name, message: `Map '${map.name}' is written by ${report.writers.join(', ')}, but it is per-CPU: each CPU updates its own copy, so there is no race` });
    return [];
  }
  if (writes.every((a) => a.atomic)) {
    notes.push({ map: map.name, message: `Map '${map.name}' is written by ${report.writers.join(', ')} only with atomic updates (op=): no lost updates` });
    return [];
  }
  // Each writer's keys (null: not a constant, so any element) once, then who else writes each key.
  const keysOf = new Map<string, Set<string | null>>(report.writers.map((w) => [w, new Set()]));
  for (const write of writes) keysOf.get(accessorName(write.accessor))!.add(write.constantKey);
  const writersOf = new Map<string, string[]>();
  for (const [writer, keys] of keysOf) for (const key of keys) if (key !== null) (writersOf.get(key) ?? writersOf.set(key, []).get(key)!).push(writer);
  const overlaps = (a: string, b: string) =>
    keysOf.get(a)!.has(null) || keysOf.get(b)!.has(null) || [...keysOf.get(a)!].some((key) => key !== null && writersOf.get(key)!.includes(b));
  // A writer of any element (null) overlaps every writer; without one, only writers that share a key can be in a pair.
  const anyElement = report.writers.some((w) => keysOf.get(w)!.has(null));
  const candidates = anyElement ? report.writers : report.writers.filter((w) => [...keysOf.get(w)!].some((key) => key !== null && writersOf.get(key)!.length > 1));
  const overlapping = candidates.flatMap((a, i) => candidates.slice(i + 1).filter((b) => overlaps(a, b)).map((b) => [a, b] as const));
  if (overlapping.length === 0) {
    const keyList = report.writers.map((w) => `${w}: ${[...keysOf.get(w)!].join(', ')}`).join('; ');
    notes.push({ map: map.name, message: `Map '${map.name}' is written by several programs, but each writes its own constant keys (${keyList}): no race` });
    return [];
  }
  const named = programs.length >= 2 ? programs : [...programs, 'userspace'];
  const userspace = report.writers.includes('userspace');
  const pairs = overlapping.map(([a, b]) => `${a} and ${b}`).join('; ');
  return [
    {
      kind: 'shared-writers',
      severity: 'warning',
      map: map.name,
      programs,
      userspace,
      message: `Map '${map.name}' accessed by multiple programs: ${named.join(', ')} (potential race condition)`,
      fix: `the same elements are written by ${pairs}; give each writer its own keys, use atomic updates (+=), or a per-CPU map`,
      locations: writes.map((a) => a.location),
    },
  ];
}

/** The map's non-atomic read-modify-writes that can race; `accesses` are the map's own. */
function lostUpdateConflicts(map: MapSymbol, here: LostUpdate[], accesses: MapAccess[]): Conflict[] {
  if (map.kind.perCpu) return [];
  // Userspace is one thread: its read-modify-write only races with a kernel writer.
  const kernelWrites = accesses.some((a) => a.accessor.kind === 'program' && WRITES.includes(a.access));
  const racing = here.filter((l) => l.accessor.kind === 'program' || kernelWrites);
  if (racing.length === 0) return [];
  const programs = [...new Set(racing.filter((l) => l.accessor.kind === 'program').map((l) => accessorName(l.accessor)))];
  const who = [...new Set(racing.map((l) => accessorName(l.accessor)))].join(', ');
  return [
    {
      kind: 'lost-update',
      severity: 'warning',
      map: map.name,
      programs,
      userspace: racing.some((l) => l.accessor.kind === 'userspace'),
      message: `Map '${map.name}' has a non-atomic read-modify-write in ${who}: concurrent runs on several CPUs lose updates (lost-update race)`,
      fix: `write it as an atomic update (m[k] += x), or make '${map.name}' a per-CPU map`,
      locations: racing.map((l) => ({ line: l.location.start.line, column: l.location.start.column })),
    },
  ];
}

/** Small enough that an Array of max_entries slots costs little. */
const SMALL_ARRAY_ENTRIES = 256;

function suggestionsFor(map: MapSymbol, report: MapReport): Suggestion[] {
  const suggestions: Suggestion[] = [];
  const kernelWriters = report.writers.filter((w) => w !== 'userspace');
  const perCpu = map.kind.perCpuCounterpart;
  const counterValue = map.value.kind === 'int';
  const kernelCounters = report.readModifyWriters.filter((w) => w !== 'userspace');
  // A kernel program reading the value would see only its own CPU's copy; userspace reads sum the copies.
  const kernelReaders = [...new Set(report.accesses.filter((a) => a.access === 'read' && a.accessor.kind === 'program').map((a) => accessorName(a.accessor)))];
  if (perCpu && counterValue && (kernelWriters.length >= 2 || kernelCounters.length > 0) && kernelReaders.length === 0) {
    const between = kernelWriters.length >= 2 ? `between programs: ${kernelWriters.join(', ')}` : `in ${kernelCounters.join(', ')}`;
    suggestions.push({
      kind: 'per-cpu',
      map: map.name,
      from: map.kind.kind,
      to: perCpu,
      message: `Consider using ${MAP_KINDS[perCpu].sourceName} for map '${map.name}' to reduce contention ${between}`,
      reason: 'each CPU then updates its own copy without cache-line bouncing; no kernel program reads the value, and userspace reads sum the per-CPU copies',
    });
  }
  const writesNewKeys = report.accesses.some((a) => (a.access === 'write' || a.access === 'read-modify-write') && a.constantKey === null && a.accessor.kind === 'program');
  const deletes = report.accesses.some((a) => a.access === 'delete');
  const lru = map.kind.lruCounterpart;
  if (lru && writesNewKeys && !deletes) {
    suggestions.push({
      kind: 'lru',
      map: map.name,
      from: map.kind.kind,
      to: lru,
      message: `Consider using ${MAP_KINDS[lru].sourceName} for map '${map.name}': it only grows (nothing deletes from it)`,
      reason: `once ${map.maxEntries} keys are in, every new insert fails; an LruHash evicts the least recently used entry instead`,
    });
  }
  const keys = report.accesses.filter((a) => a.keyed).map((a) => a.constantKey);
  const array = map.kind.arrayCounterpart;
  if (
    array &&
    map.key?.kind === 'int' &&
    map.maxEntries <= SMALL_ARRAY_ENTRIES &&
    keys.length > 0 &&
    keys.every((k) => k !== null && BigInt(k) >= 0n && BigInt(k) < BigInt(map.maxEntries))
  ) {
    suggestions.push({
      kind: 'array',
      map: map.name,
      from: map.kind.kind,
      to: array,
      message: `Consider using ${MAP_KINDS[array].sourceName} for map '${map.name}': its keys are small constants (${[...new Set(keys)].join(', ')})`,
      reason: 'an array lookup is an index computation with no hashing, and its elements always exist',
    });
  }
  return suggestions;
}

function groupBy<T>(items: T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

function pointSpan(location: { line: number; column: number }): ast.Span {
  const position = { offset: 0, line: location.line, column: location.column };
  return { start: position, end: position };
}
