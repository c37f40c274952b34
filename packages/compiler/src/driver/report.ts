// The human-readable analysis report, in the shape the seed prototype printed.
import type { CompileResult } from '../compile.js';
import type { Colors } from './colors.js';

/** Instruction counts measured in the built object, per program. */
export type MeasuredInstructions = Map<string, number>;

export function formatReport(result: CompileResult, colors: Colors, measured: MeasuredInstructions | null = null): string {
  const { analysis, resources } = result;
  if (!analysis || !resources) return '';
  const lines: string[] = [colors.bold('=== Multi-Program Analysis Results ==='), ''];
  lines.push(`Programs analyzed: ${analysis.programs.length}`);
  for (const p of analysis.programs) lines.push(`  - ${p.name} (${p.kind})`);
  const globalMaps = analysis.maps.filter((m) => m.scope === 'global');
  const localMaps = analysis.maps.filter((m) => m.scope === 'local');
  lines.push('', `Global maps: ${globalMaps.length}`);
  for (const m of globalMaps) lines.push(`  - ${m.name} (${m.kind})`);
  if (localMaps.length > 0) {
    lines.push('', `Local maps: ${localMaps.length}`);
    for (const m of localMaps) lines.push(`  - ${m.name} (${m.kind})`);
  }
  if (analysis.conflicts.length > 0) {
    lines.push('', colors.yellow('⚠️  Potential conflicts found:'));
    for (const c of analysis.conflicts) lines.push(`  - ${c.message}`, colors.dim(`    ${c.fix}`));
  } else {
    lines.push('', colors.green('✓ No conflicts between programs'));
  }
  for (const note of analysis.notes) lines.push(colors.dim(`  ℹ ${note.message}`));
  if (analysis.suggestions.length > 0) {
    lines.push('', colors.cyan('💡 Optimization opportunities:'));
    for (const s of analysis.suggestions) lines.push(`  - ${s.message}`, colors.dim(`    (${s.reason})`));
  }
  lines.push('', colors.bold('📊 Resource Plan:'));
  lines.push(`   • Programs: ${resources.programs.length}`);
  lines.push(`   • Global maps: ${globalMaps.length}`);
  for (const p of resources.programs) {
    const count = measured?.get(p.program);
    const instructions = count !== undefined ? `${count} instructions (measured, est. ${p.estimatedInstructions})` : `est. ${p.estimatedInstructions} instructions`;
    lines.push(`   • ${p.program}: ${instructions}, ${p.stackBytes} bytes stack, ${p.mapMemoryBytes} bytes of maps`);
  }
  const perCpu = resources.maps.some((m) => m.perCpu) ? ` (per-CPU maps sized for ${resources.cpus} CPUs)` : '';
  lines.push(`   • Map memory: ${resources.totalMapMemoryBytes} bytes${perCpu}`);
  lines.push(`   • Verifier compatible: ${resources.withinLimits ? '✅ Yes' : '❌ No'} (stack ≤ 512 bytes, instructions ≤ 1000000)`);
  return lines.join('\n');
}
