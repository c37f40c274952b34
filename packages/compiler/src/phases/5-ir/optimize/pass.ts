// The shape every optimiser pass has: the system in, the system out with the
// changes it made (and the ones it declined, with why).
import type { SystemAnalysis } from '../../4-analyze/analysis.js';
import type { IrFunction, IrStmt, IrSystem } from '../ir.js';
import type { DeclinedOptimization, OptimizationChange } from './optimization.js';

export interface PassInput {
  ir: IrSystem;
  analysis: SystemAnalysis;
  /** The programs whose code includes the kernel function `cName` (its own program, or every program that calls a helper). */
  programsOf: (cName: string) => string[];
}

export interface PassOutput {
  ir: IrSystem;
  changes: OptimizationChange[];
  declined: DeclinedOptimization[];
}

export type Pass = (input: PassInput) => PassOutput;

/**
 * Rewrites the body of every kernel function; `rewrite` reports its changes
 * through `record`, which fills in the function and its programs.
 */
export function rewriteKernelFunctions(
  input: PassInput,
  rewrite: (fn: IrFunction, record: (message: string, line: number) => void) => IrStmt[],
): PassOutput {
  const changes: OptimizationChange[] = [];
  const kernelFunctions = input.ir.kernelFunctions.map((fn) => {
    const record = (message: string, line: number) => changes.push({ subject: fn.name, programs: input.programsOf(fn.cName), message, line });
    return { ...fn, body: rewrite(fn, record) };
  });
  return { ir: { ...input.ir, kernelFunctions }, changes, declined: [] };
}
