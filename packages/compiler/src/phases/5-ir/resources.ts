// Phase 5b: resource planning. Every figure is computed from the IR of the
// code a program really runs (helpers are inlined into each program).
import { roundUp, sizeOf } from '../2-symbols/types.js';
import type { IrExpr, IrFunction, IrMap, IrStmt, IrSystem } from './ir.js';
import { reachableFunctions } from './call-graph.js';
import { allExpressions, statements } from './ir-walk.js';
import { livesOnStack, stackNeed } from './stack-slots.js';

/** The eBPF stack of one program, in bytes. */
export const BPF_STACK_LIMIT = 512;
/** Verifier complexity limit for privileged programs (BPF_COMPLEXITY_LIMIT_INSNS). */
export const BPF_INSN_LIMIT = 1_000_000;
/** Kernel memory one map may plan before compile() warns (docs/limits.md). */
export const MAP_MEMORY_WARNING_BYTES = 256 * 2 ** 20;

export interface ProgramResources {
  program: string;
  /** Estimated from the IR with a per-operation BPF instruction cost. */
  estimatedInstructions: number;
  /** Counted in the built object (set by the driver after clang ran). */
  measuredInstructions: number | null;
  /** Instructions the kernel verifier processed (all paths), when the object was verified. */
  verifierProcessedInstructions: number | null;
  /** Stack depth the kernel verifier reported, when the object was verified: cross-checks `stackBytes`. */
  verifierStackDepth: number | null;
  /** Bytes of stack the program's locals need: address-taken and aggregate locals, helpers inlined. */
  stackBytes: number;
  /** The largest stack locals, for the report and for the over-limit error. */
  largestLocals: { name: string; function: string; bytes: number }[];
  /** Bytes of map memory this program can reach. */
  mapMemoryBytes: number;
  withinLimits: boolean;
}

export interface MapResources {
  map: string;
  /** (key + value) × max_entries (× CPUs for per-CPU kinds); the ring size for ring buffers. */
  bytes: number;
  perCpu: boolean;
}

export interface ResourcePlan {
  /** CPUs the per-CPU figures were computed for. */
  cpus: number;
  programs: ProgramResources[];
  maps: MapResources[];
  totalMapMemoryBytes: number;
  withinLimits: boolean;
}

export function planResources(ir: IrSystem, cpus: number): ResourcePlan {
  const byName = new Map(ir.kernelFunctions.map((f) => [f.cName, f]));
  const maps = ir.maps.map((map) => mapResources(map, cpus));
  const bytesOf = new Map(maps.map((m) => [m.map, m.bytes]));
  const programs = ir.kernelFunctions
    .filter((f) => f.program)
    .map((main) => {
      const reached = reachableFunctions(main, byName);
      const stackLocals = reached.flatMap((fn) => fn.locals.filter(livesOnStack).map((local) => ({ name: local.name, function: fn.name, bytes: sizeOf(local.type) })));
      const stackBytes = programStack(main, byName);
      const usedMaps = new Set(reached.flatMap((fn) => mapsUsed(fn.body)));
      const mapMemoryBytes = [...usedMaps].reduce((sum, map) => sum + (bytesOf.get(map) ?? 0), 0);
      const estimatedInstructions = functionCost(main, byName);
      return {
        program: main.program!.name,
        estimatedInstructions,
        measuredInstructions: null,
        verifierProcessedInstructions: null,
        verifierStackDepth: null,
        stackBytes,
        largestLocals: [...stackLocals].sort((a, b) => b.bytes - a.bytes).slice(0, 3).map(({ name, function: fn, bytes }) => ({ name, function: fn, bytes })),
        mapMemoryBytes,
        withinLimits: stackBytes <= BPF_STACK_LIMIT && estimatedInstructions <= BPF_INSN_LIMIT,
      };
    });
  return {
    cpus,
    programs,
    maps,
    totalMapMemoryBytes: maps.reduce((sum, m) => sum + m.bytes, 0),
    withinLimits: programs.every((p) => p.withinLimits),
  };
}

function mapResources(map: IrMap, cpus: number): MapResources {
  if (map.kind.size === 'ring-bytes') return { map: map.name, bytes: map.maxEntries, perCpu: false };
  const keySize = map.key ? sizeOf(map.key) : 0;
  // Per-CPU values are stored rounded up to 8 bytes, once per CPU.
  const valueSize = map.kind.perCpu ? roundUp(sizeOf(map.value), 8) * cpus : map.kind.access === 'tail_calls' ? 4 : sizeOf(map.value);
  return { map: map.name, bytes: (keySize + valueSize) * map.maxEntries, perCpu: map.kind.perCpu };
}

/** Stack of a program: its main with every helper inlined where it is called. */
function programStack(main: IrFunction, byName: Map<string, IrFunction>): number {
  const need = (fn: IrFunction, calling: string[]): number =>
    stackNeed(fn.body, (name) => {
      const callee = byName.get(name);
      return callee && !calling.includes(name) ? need(callee, [...calling, name]) : 0;
    });
  return need(main, [main.cName]);
}

function mapsUsed(body: IrStmt[]): string[] {
  const redirects = [...allExpressions(body)].flatMap((expr) => (expr.op === 'redirectMap' ? [expr.map.name] : []));
  return [...[...statements(body)].flatMap((stmt) => ('map' in stmt ? [stmt.map.name] : [])), ...redirects];
}

// ---------- instruction estimate ----------

/** BPF instructions a map helper call costs: map address (ld_imm64 = 2), pointer args (2 each), call. */
const MAP_CALL = (pointerArgs: number, scalarArgs = 0) => 2 + pointerArgs * 2 + scalarArgs + 1;

function functionCost(fn: IrFunction, byName: Map<string, IrFunction>, stack: string[] = []): number {
  const exprCost = (expr: IrExpr): number => {
    switch (expr.op) {
      case 'int':
        return expr.value > 0x7fff_ffffn || expr.value < -0x8000_0000n ? 2 : 1;
      case 'bool':
      case 'symbol':
      case 'string':
        return 1;
      case 'local':
        return expr.local.addressTaken ? 1 : 0;
      case 'unary':
        return exprCost(expr.operand) + 1;
      case 'binary':
        return exprCost(expr.left) + exprCost(expr.right) + 1;
      case 'cast':
        return exprCost(expr.value) + 1;
      case 'call': {
        const args = expr.args.reduce((sum, a) => sum + exprCost(a) + 1, 0);
        const callee = byName.get(expr.name);
        // Kernel helpers are `static __always_inline`: the body is copied to the call site.
        if (callee && !stack.includes(callee.cName)) return args + functionCost(callee, byName, [...stack, fn.cName]);
        return args + 1;
      }
      case 'field':
        return exprCost(expr.object) + 1;
      case 'index':
        return exprCost(expr.array) + exprCost(expr.index) + 2;
      case 'elementValue':
        return 3;
      case 'isNull':
        return 1;
      case 'context':
        return 1;
      case 'structLiteral':
        return expr.fields.reduce((sum, f) => sum + exprCost(f.value) + 1, 0) + Math.ceil(expr.type.size / 8);
      case 'arrayLiteral':
        return expr.elements.reduce((sum, e) => sum + exprCost(e) + 1, 0);
      case 'arrayRepeat':
        return exprCost(expr.value) + Math.ceil(sizeOf(expr.type) / 8);
      case 'zero':
      case 'stringBytes':
        return Math.max(1, Math.ceil(sizeOf(expr.type) / 8));
      case 'kernelRead':
        // Per pointer hop: the address (base + relocated offset), a bpf_probe_read_kernel call with its three arguments.
        return exprCost(expr.base) + (expr.path.filter((s) => 'deref' in s).length + 1) * 6;
      case 'kernelFieldExists':
        return 1;
      case 'probeRead':
        return exprCost(expr.source) + 5;
      case 'stringCompare':
        return exprCost(expr.value) + (expr.literal.length + (expr.prefix ? 0 : 1)) * 3;
      case 'addressOf':
        return 1;
      case 'redirectMap':
        return MAP_CALL(0, 2) + exprCost(expr.key) + exprCost(expr.flags);
    }
  };
  const stmtCost = (stmt: IrStmt): number => {
    switch (stmt.op) {
      case 'declare':
        return (stmt.init ? exprCost(stmt.init) : 0) + (stmt.local.addressTaken ? 1 : 0);
      case 'assign':
        return exprCost(stmt.value) + (stmt.target.op === 'local' ? 1 : exprCost(stmt.target) + 1);
      case 'mapLookup':
        return MAP_CALL(1);
      case 'mapUpdate':
        return MAP_CALL(2, 1);
      case 'mapDelete':
        return MAP_CALL(1);
      case 'mapAtomic':
      case 'mapFieldStore': {
        const operand = stmt.op === 'mapAtomic' ? stmt.operand : stmt.value;
        // lookup, null check, insert zero (BPF_NOEXIST), lookup again, null check, the update itself
        return MAP_CALL(1) + 1 + 1 + MAP_CALL(2, 1) + MAP_CALL(1) + 1 + exprCost(operand) + 2;
      }
      case 'ringSubmit':
        return MAP_CALL(1, 2);
      case 'mapElementRef':
        // lookup, null check, insert zero (BPF_NOEXIST), lookup again
        return MAP_CALL(1) + 1 + MAP_CALL(2, 1) + MAP_CALL(1);
      case 'packetView':
        return exprCost(stmt.offset) + (stmt.copy ? MAP_CALL(1, 2) + 2 : 5);
      case 'scope':
        return block(stmt.body);
      case 'if':
        return exprCost(stmt.condition) + 1 + block(stmt.then) + block(stmt.otherwise) + (stmt.otherwise.length > 0 ? 1 : 0);
      case 'forRange':
        return exprCost(stmt.start) + exprCost(stmt.end) + 3 + block(stmt.body);
      case 'while':
        return block(stmt.head) + exprCost(stmt.condition) + 2 + block(stmt.body);
      case 'break':
      case 'continue':
        return 1;
      case 'return':
        return (stmt.value ? exprCost(stmt.value) : 0) + 1;
      case 'tailCall':
        return MAP_CALL(0, 2) + (stmt.fallback ? exprCost(stmt.fallback) : 1) + 1;
      case 'eval':
        return exprCost(stmt.expr);
      case 'iterate':
      case 'poll':
        return 0;
    }
  };
  const block = (body: IrStmt[]): number => body.reduce((sum, s) => sum + stmtCost(s), 0);
  // A program ends in `exit`; the return value is moved into r0 by `return`.
  return block(fn.body) + 1;
}
