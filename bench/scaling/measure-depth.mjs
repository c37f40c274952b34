// Child process of 5-scaling.bench.mjs: one very deep or very wide input, in
// a process with Node's default stack, reported as compiled, refused with a
// located error, or crashed.
import { compile } from '../../packages/compiler/dist/index.js';
import { longMatchFunction, nestedIfFunction, systemAround } from './shapes.mjs';

const [kind, countText] = process.argv.slice(2);
const count = Number(countText);
const source =
  kind === 'nested-ifs' ? systemAround(nestedIfFunction('deep', count), 'deep(bpf_ktime_get_ns())') : systemAround(longMatchFunction('wide', count), 'wide(bpf_get_prandom_u32())');
const start = performance.now();
let outcome;
try {
  const result = compile(source, { filename: `${kind}.ks` });
  const error = result.diagnostics.find((d) => d.severity === 'error');
  if (result.ok) outcome = { verdict: 'compiled' };
  else if (error?.span && !error.message.startsWith('internal compiler error')) outcome = { verdict: 'located error', detail: `${kind}.ks:${error.span.start.line}:${error.span.start.column}: ${error.message}` };
  else outcome = { verdict: 'crashed', detail: error?.message ?? 'failed without a diagnostic' };
} catch (error) {
  outcome = { verdict: 'crashed', detail: String(error).split('\n')[0] };
}
process.stdout.write(JSON.stringify({ ...outcome, lines: source.split('\n').length - 1, ms: performance.now() - start }));
