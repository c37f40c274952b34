// The opt-in optimiser: runs the passes in order over the IR and reports what each one changed,
// with the IR-estimated instructions of the programs it affected before and
// after. `build --optimize` replaces those with counts from built objects.
import type { SystemAnalysis } from '../../4-analyze/analysis.js';
import { reachableFunctions } from '../call-graph.js';
import type { IrSystem } from '../ir.js';
import { planResources } from '../resources.js';
import { removeDeadBranches } from './dead-branches.js';
import { foldConstants } from './fold-constants.js';
import { freezeConfig } from './freeze-config.js';
import { OPTIMIZATION_KINDS, type InstructionDelta, type OptimizationKind, type OptimizationReport } from './optimization.js';
import { convertCountersToPerCpu } from './per-cpu-counters.js';
import type { Pass } from './pass.js';

const PASSES: Record<OptimizationKind, Pass> = {
  'config-fold': freezeConfig,
  'constant-fold': foldConstants,
  'dead-branch': removeDeadBranches,
  'per-cpu': convertCountersToPerCpu,
};

export function optimizeSystem(
  ir: IrSystem,
  analysis: SystemAnalysis,
  kinds: readonly OptimizationKind[],
): { ir: IrSystem; report: OptimizationReport } {
  const programsOf = programsByFunction(ir);
  const enabled = OPTIMIZATION_KINDS.filter((k) => kinds.includes(k));
  const report: OptimizationReport = { enabled, applied: [], declined: [] };
  for (const kind of enabled) {
    const output = PASSES[kind]({ ir, analysis, programsOf: (cName) => programsOf.get(cName) ?? [] });
    report.declined.push(...output.declined);
    if (output.changes.length > 0) {
      const affected = [...new Set(output.changes.flatMap((c) => c.programs))].sort();
      report.applied.push({ kind, changes: output.changes, instructions: estimatedDeltas(ir, output.ir, affected) });
    }
    ir = output.ir;
  }
  return { ir, report };
}

function estimatedDeltas(before: IrSystem, after: IrSystem, programs: string[]): InstructionDelta[] {
  const estimate = (ir: IrSystem) => new Map(planResources(ir, 1).programs.map((p) => [p.program, p.estimatedInstructions]));
  const [was, is] = [estimate(before), estimate(after)];
  return programs.map((program) => ({ program, before: was.get(program) ?? 0, after: is.get(program) ?? 0, measured: false }));
}

/** For each kernel function, the programs whose main reaches it through calls. */
function programsByFunction(ir: IrSystem): Map<string, string[]> {
  const byName = new Map(ir.kernelFunctions.map((f) => [f.cName, f]));
  const result = new Map<string, string[]>();
  for (const main of ir.kernelFunctions.filter((f) => f.program)) {
    for (const fn of reachableFunctions(main, byName)) result.set(fn.cName, [...(result.get(fn.cName) ?? []), main.program!.name]);
  }
  return result;
}

export { OPTIMIZATION_KINDS, type OptimizationKind, type OptimizationReport } from './optimization.js';
