// What a build measured — instructions per program in the object, and the
// kernel verifier's verdicts when asked — folded into the resource plan so the
// report and --json show measured figures instead of estimates.
import { BPF_INSN_LIMIT, BPF_STACK_LIMIT, type ResourcePlan } from '../phases/5-ir/resources.js';
import type { OptimizationReport } from '../phases/5-ir/optimize/optimization.js';
import type { VerificationReport } from './verify.js';

export interface BuildFigures {
  /** Instructions per program, counted in the built object. */
  instructions: Map<string, number>;
  verification: VerificationReport | null;
  /** `build --optimize`: the optimiser's report with instruction counts measured in built objects. */
  optimization: OptimizationReport | null;
}

export function measuredPlan(plan: ResourcePlan, figures: BuildFigures | null): ResourcePlan {
  if (!figures) return plan;
  const programs = plan.programs.map((p) => {
    const verdict = figures.verification?.programs.find((v) => v.program === p.program);
    const measuredInstructions = figures.instructions.get(p.program) ?? null;
    const stack = verdict?.stackDepth ?? p.stackBytes;
    const instructions = measuredInstructions ?? p.estimatedInstructions;
    return {
      ...p,
      measuredInstructions,
      verifierProcessedInstructions: verdict?.processedInstructions ?? null,
      verifierStackDepth: verdict?.stackDepth ?? null,
      withinLimits: (verdict ? verdict.accepted : true) && stack <= BPF_STACK_LIMIT && instructions <= BPF_INSN_LIMIT,
    };
  });
  return { ...plan, programs, withinLimits: programs.every((p) => p.withinLimits) };
}
