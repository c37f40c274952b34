// The human-readable analysis report, in the shape the seed prototype printed.
// Figures say "est." until clang ran; after a build they are measured, and
// after verification the kernel's own figures stand beside them.
import type { CompileResult } from '../compile.js';
import { BPF_INSN_LIMIT, BPF_STACK_LIMIT, type ProgramResources } from '../phases/5-ir/resources.js';
import { measuredPlan, type BuildFigures } from './build-figures.js';
import type { Colors } from './colors.js';
import { optimizationLines } from './optimization-report.js';

export function formatReport(result: CompileResult, colors: Colors, figures: BuildFigures | null = null): string {
  const { analysis } = result;
  if (!analysis || !result.resources) return '';
  const resources = measuredPlan(result.resources, figures);
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
  lines.push(...metadataLines(analysis));
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
  const optimization = figures?.optimization ?? result.optimization;
  if (optimization) lines.push(...optimizationLines(optimization, colors));
  const verification = figures?.verification ?? null;
  if (verification) {
    lines.push('', colors.bold('🔍 Kernel verifier:'));
    for (const v of verification.programs) {
      if (v.accepted) {
        lines.push(`  ${colors.green('✓')} ${v.program}: accepted, ${v.processedInstructions ?? '?'} instructions processed, stack depth ${v.stackDepth ?? '?'} bytes`);
      } else {
        const where = v.refusal?.location ? ` (${v.refusal.location.file}:${v.refusal.location.line}${v.refusal.location.column ? `:${v.refusal.location.column}` : ''})` : '';
        lines.push(`  ${colors.red('✗')} ${v.program}: refused — ${v.refusal?.message ?? 'no message'}${where}`);
      }
    }
  }
  lines.push('', colors.bold('📊 Resource Plan:'));
  lines.push(`   • Programs: ${resources.programs.length}`);
  lines.push(`   • Global maps: ${globalMaps.length}`);
  for (const p of resources.programs) lines.push(`   • ${p.program}: ${instructionFigure(p)}, ${stackFigure(p)}, ${p.mapMemoryBytes} bytes of maps`);
  const perCpu = resources.maps.some((m) => m.perCpu) ? ` (per-CPU maps sized for ${resources.cpus} CPUs)` : '';
  lines.push(`   • Map memory: ${resources.totalMapMemoryBytes} bytes${perCpu}`);
  const basis = verification
    ? verification.accepted
      ? 'the kernel verifier accepted every program'
      : `the kernel verifier refused: ${verification.programs.filter((v) => !v.accepted).map((v) => v.program).join(', ')}`
    : `${figures ? '' : 'est.: '}stack ≤ ${BPF_STACK_LIMIT} bytes, instructions ≤ ${BPF_INSN_LIMIT}`;
  lines.push(`   • Verifier compatible: ${resources.withinLimits ? '✅ Yes' : '❌ No'} (${basis})`);
  return lines.join('\n');
}

/** The XDP → tc metadata hand-offs, and the writers or readers without a partner. */
function metadataLines(analysis: NonNullable<CompileResult['analysis']>): string[] {
  const { accesses, handoffs } = analysis.metadata;
  if (accesses.length === 0) return [];
  const lines = ['', `Metadata hand-offs (XDP → tc): ${handoffs.length}`];
  for (const h of handoffs) lines.push(`  - ${h.writer} → ${h.reader}: ${h.type} (${h.size} bytes)`);
  const paired = new Set(handoffs.flatMap((h) => [h.writer, h.reader]));
  const alone = [...new Map(accesses.filter((a) => !paired.has(a.program)).map((a) => [`${a.program} ${a.role}`, a])).values()];
  for (const a of alone) {
    lines.push(a.role === 'writer' ? `  - ${a.program} writes ${a.type} (${a.size} bytes); no tc ingress program here reads it` : `  - ${a.program} reads ${a.type} (${a.size} bytes); no xdp program here writes it`);
  }
  return lines;
}

function instructionFigure(p: ProgramResources): string {
  if (p.measuredInstructions === null) return `est. ${p.estimatedInstructions} instructions`;
  const processed = p.verifierProcessedInstructions !== null ? `, ${p.verifierProcessedInstructions} processed by the verifier` : '';
  return `${p.measuredInstructions} instructions (measured, est. ${p.estimatedInstructions}${processed})`;
}

function stackFigure(p: ProgramResources): string {
  if (p.verifierStackDepth === null) return `${p.stackBytes} bytes stack`;
  return `${p.stackBytes} bytes stack (verifier: ${p.verifierStackDepth})`;
}
