// The optimiser's section of the human report: each transformation with what it
// changed and the instructions of the programs it affected, and what it declined.
import type { InstructionDelta, OptimizationReport } from '../phases/5-ir/optimize/optimization.js';
import type { Colors } from './colors.js';

export function optimizationLines(report: OptimizationReport, colors: Colors): string[] {
  const lines = ['', colors.bold(`⚡ Optimizer (--optimize: ${report.enabled.join(', ')}):`)];
  if (report.applied.length === 0) lines.push('  nothing to change');
  for (const step of report.applied) {
    lines.push(`  - ${step.kind}: ${step.changes.length} change(s)`);
    for (const change of step.changes) lines.push(colors.dim(`      ${change.line !== null ? `line ${change.line}: ` : ''}${change.message}`));
    lines.push(`      instructions: ${step.instructions.map(deltaText).join('; ')}`);
  }
  for (const declined of report.declined) lines.push(colors.dim(`  ✗ ${declined.kind} not applied: ${declined.reason}`));
  return lines;
}

function deltaText(delta: InstructionDelta): string {
  return `${delta.program} ${delta.before} → ${delta.after}${delta.measured ? ' (measured)' : ' (est.)'}`;
}
