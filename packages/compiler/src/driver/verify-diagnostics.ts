// A verifier refusal as a compiler diagnostic: at the `.ks` statement the
// refused instruction came from, with a hint for the refusals users meet most.
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { ProgramVerdict } from './verify.js';

const HINTS: [RegExp, string][] = [
  [/too large|infinite loop|back-edge|loop/i, 'help: the verifier could not prove the loop ends: use `for i in 0..N` with a constant N, or clamp the bound (`min(n, 64)`)'],
  [/variable-offset|min value is negative|max value is outside|out of bounds|unbounded/i, 'help: check the index against the array length first (`if i < N { ... }`) so the verifier knows its range'],
  [/stack/i, 'help: keep large values in a map (a per-CPU array works as scratch space) instead of on the stack'],
  [/bpf_context access/i, 'help: this context field cannot be read by this program kind (or only after a specific attach)'],
];

export function refusalDiagnostic(verdict: ProgramVerdict): Diagnostic {
  const refusal = verdict.refusal!;
  const location = refusal.location;
  const inKs = location !== null && location.column !== null;
  const notes: string[] = [];
  if (refusal.instruction !== null) notes.push(`note: at instruction ${refusal.instruction} of '${verdict.program}' (load error ${refusal.errno})`);
  if (location && !inKs) notes.push(`note: in generated code ${location.file}:${location.line}`);
  const hint = HINTS.find(([pattern]) => pattern.test(refusal.message));
  if (hint) notes.push(hint[1]);
  const span = inKs
    ? { start: { offset: 0, line: location.line, column: location.column! }, end: { offset: 0, line: location.line + 1, column: 1 } }
    : null;
  return { severity: 'error', code: 'KS5001', message: `the kernel verifier refused program '${verdict.program}': ${refusal.message}`, span, notes };
}
