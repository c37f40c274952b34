// What the opt-in optimiser did (`--optimize`, `compile(..., { optimize: true })`):
// the transformations it applied, with the instruction counts of the programs
// each one affected, and the suggestions it could not apply, with why.

/** In the order the optimiser runs them; each sees the output of the ones before. */
export const OPTIMIZATION_KINDS = ['config-fold', 'constant-fold', 'dead-branch', 'per-cpu'] as const;
export type OptimizationKind = (typeof OPTIMIZATION_KINDS)[number];

/** One change: a folded expression, a removed branch, a converted map. */
export interface OptimizationChange {
  /** The map, or the function the change is in. */
  subject: string;
  /** Programs whose code the change affects. */
  programs: string[];
  message: string;
  /** `.ks` line of the statement changed; null for map conversions. */
  line: number | null;
}

export interface InstructionDelta {
  program: string;
  before: number;
  after: number;
  /** true: counted in built objects (`build --optimize`); false: the IR estimate. */
  measured: boolean;
}

export interface AppliedOptimization {
  kind: OptimizationKind;
  changes: OptimizationChange[];
  /** Instructions of every affected program before and after this transformation (the ones listed earlier already applied). */
  instructions: InstructionDelta[];
}

export interface DeclinedOptimization {
  kind: OptimizationKind;
  subject: string;
  reason: string;
}

export interface OptimizationReport {
  /** The kinds that ran (config-fold only with freezeConfig). */
  enabled: OptimizationKind[];
  applied: AppliedOptimization[];
  declined: DeclinedOptimization[];
}
