// The input limits of docs/limits.md (packages/compiler/src/phases/1-parse/limits.ts):
// each nesting shape compiles at its limit — with half of Node's default
// stack, the margin that keeps a caller's own stack use safe — and one step
// past it gets a located error; deep inputs in a fresh process never abort
// Node; oversized input is refused before parsing.
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { compile } from '../../packages/compiler/src/compile.js';
import { formatDiagnostic } from '../../packages/compiler/src/diagnostics/format.js';
import { checkSourceLimits, MAX_BRACKET_DEPTH, MAX_NESTING_DEPTH, MAX_SOURCE_BYTES } from '../../packages/compiler/src/phases/1-parse/limits.js';
import { CompileError } from '../../packages/compiler/src/diagnostics/diagnostic.js';
import { inMain, NESTING_SHAPES } from './edge-cases.js';

const compilerEntry = pathToFileURL(join(import.meta.dirname, '../../packages/compiler/dist/index.js')).href;

function firstError(source: string): string {
  const result = compile(source, { filename: 'deep.ks' });
  expect(result.ok).toBe(false);
  return formatDiagnostic(result.diagnostics[0]!, 'deep.ks', source);
}

/** Compiles each source in a worker thread whose stack is `stackMb`; the first error message of each, or 'ok'. */
async function compileWithStack(sources: string[], stackMb: number): Promise<string[]> {
  const code = `
    import { parentPort, workerData } from 'node:worker_threads';
    const { compile } = await import(workerData.compilerEntry);
    parentPort.postMessage(workerData.sources.map((source) => {
      const result = compile(source, { filename: 'deep.ks' });
      return result.ok ? 'ok' : result.diagnostics[0].message;
    }));`;
  const worker = new Worker(code, { eval: true, workerData: { sources, compilerEntry }, resourceLimits: { stackSizeMb: stackMb } });
  try {
    return await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  } finally {
    await worker.terminate();
  }
}

/** Compiles `source` as the first thing a new Node process does (the cold state where V8 once aborted). */
async function compileInFreshProcess(source: string) {
  const script = `
    const { compile } = await import(${JSON.stringify(compilerEntry)});
    let source = '';
    for await (const chunk of process.stdin) source += chunk;
    const result = compile(source, { filename: 'deep.ks' });
    process.stdout.write(JSON.stringify(result.diagnostics.map((d) => ({ message: d.message, line: d.span?.start.line ?? null }))));`;
  return execa(process.execPath, ['--input-type=module', '-e', script], { input: source, reject: false });
}

/** CPU time of `body` in milliseconds: what a busy shared machine does not distort. */
function cpuMilliseconds(body: () => void): number {
  const start = process.cpuUsage();
  body();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

describe('nesting limits', () => {
  it.each(NESTING_SHAPES)('$name compiles at its limit and is refused, located, one step past it', (shape) => {
    const atLimit = compile(shape.build(shape.largest), { filename: 'deep.ks' });
    expect(atLimit.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const past = shape.build(shape.largest + 1);
    const error = firstError(past);
    if (shape.limit === 'brackets') expect(error).toMatch(new RegExp(`^deep\\.ks:\\d+:\\d+: error\\[KS1007\\]: nesting too deep: more than ${MAX_BRACKET_DEPTH} brackets are open here\\n`));
    else expect(error).toMatch(new RegExp(`^deep\\.ks:\\d+:\\d+: error\\[KS1007\\]: nesting too deep: .* more than ${MAX_NESTING_DEPTH} levels deep\\n`));
    expect(error).toContain('note: the limits are listed in docs/limits.md');
  });

  it('at every limit, compile() needs less than half of the stack Node gives a program', async () => {
    // Node's main thread has a 984 kB stack; a worker with half a megabyte has about half that.
    const results = await compileWithStack(
      NESTING_SHAPES.map((shape) => shape.build(shape.largest)),
      0.5,
    );
    expect(Object.fromEntries(NESTING_SHAPES.map((shape, index) => [shape.name, results[index]]))).toEqual(
      Object.fromEntries(NESTING_SHAPES.map((shape) => [shape.name, 'ok'])),
    );
  });

  it('the reported cases are located errors in a fresh process, never an abort or an internal error', async () => {
    const cases = {
      '440 parentheses': inMain(`let x: u32 = ${'('.repeat(440)}a${')'.repeat(440)};`),
      '10,000 nested ifs': inMain(`${'if a == 1 { '.repeat(10_000)}a = 2;${' }'.repeat(10_000)}`),
      '10,000 match arms': inMain(`match a { ${Array.from({ length: 10_000 }, (_, i) => `${i} -> { a = 1; }`).join(' ')} _ -> {} }`),
      '2,000-term sum': inMain(`let x: u32 = ${Array(2000).fill('1').join(' + ')};`),
      '5,000 chained casts': inMain(`let x = a${' as u32'.repeat(5000)};`),
    };
    for (const [name, source] of Object.entries(cases)) {
      const run = await compileInFreshProcess(source);
      expect({ name, exitCode: run.exitCode, signal: run.signal ?? null }).toEqual({ name, exitCode: 0, signal: null });
      const [first] = JSON.parse(run.stdout) as { message: string; line: number | null }[];
      expect(first!.message, name).toMatch(/^nesting too deep/);
      expect(first!.line, name).toBe(4);
    }
  });

  it('brackets inside comments, strings and character literals do not count', () => {
    const many = '('.repeat(MAX_BRACKET_DEPTH + 10);
    const source = inMain(`// ${many}\n    /* ${many} */\n    let s = "${many}";\n    let c = '(';\n    let d = '\\'';`);
    expect(compile(source, { filename: 'deep.ks' }).diagnostics.filter((d) => d.message.startsWith('nesting'))).toEqual([]);
  });

  it('an unterminated string does not hide the brackets after it', () => {
    const source = inMain(`let s = "oops;\n    let x: u32 = ${'('.repeat(MAX_BRACKET_DEPTH)}a${')'.repeat(MAX_BRACKET_DEPTH)};`);
    expect(firstError(source)).toMatch(/^deep\.ks:5:\d+: error\[KS1007\]: nesting too deep: more than 128 brackets/);
  });
});

describe('input size limit', () => {
  function sizeError(source: string): CompileError | null {
    try {
      checkSourceLimits(source);
      return null;
    } catch (error) {
      return error as CompileError;
    }
  }

  it('is 8 MiB of UTF-8, counted in bytes', () => {
    expect(sizeError(' '.repeat(MAX_SOURCE_BYTES))).toBeNull();
    expect(sizeError(' '.repeat(MAX_SOURCE_BYTES + 1))?.diagnostic.message).toBe('source file too large: more than 8,388,608 bytes (8 MiB)');
    // é is two bytes, ✓ three, 😀 four (a surrogate pair).
    expect(sizeError('é'.repeat(MAX_SOURCE_BYTES / 2))).toBeNull();
    expect(sizeError(`${'é'.repeat(MAX_SOURCE_BYTES / 2)} `)).not.toBeNull();
    expect(sizeError(`${'✓'.repeat((MAX_SOURCE_BYTES - 2) / 3)}  `)).toBeNull();
    expect(sizeError(`${'😀'.repeat(MAX_SOURCE_BYTES / 4)}`)).toBeNull();
    expect(sizeError(`${'😀'.repeat(MAX_SOURCE_BYTES / 4)} `)).not.toBeNull();
  });

  it('refuses 100 MB of const lines at once, located where the limit is passed', () => {
    const line = 'const LIMIT_VALUE: u32 = 1;\n';
    const source = line.repeat(Math.ceil(100_000_000 / line.length));
    let result!: ReturnType<typeof compile>;
    const cpu = cpuMilliseconds(() => (result = compile(source, { filename: 'huge.ks' })));
    expect(result.ok).toBe(false);
    const [error] = result.diagnostics;
    expect(error!.message).toMatch(/^source file too large/);
    expect(error!.span!.start.offset).toBe(MAX_SOURCE_BYTES);
    expect(error!.span!.start.line).toBe(Math.floor(MAX_SOURCE_BYTES / line.length) + 1);
    expect(cpu).toBeLessThan(1000);
  });
});

describe('syntax errors on long and unfinished input', () => {
  it('a 100,000-character string before a stray word is a quick expected-; error (no quadratic hint)', () => {
    const source = inMain(`let x = "${'A'.repeat(100_000)}" y;`);
    let error = '';
    const cpu = cpuMilliseconds(() => (error = firstError(source)));
    // The caret goes right after the closing quote: 4 spaces, `let x = "`, 100,000 characters, `"`.
    expect(error.split('\n')[0]).toBe("deep.ks:4:100015: error[KS1002]: expected ';'");
    expect(cpu).toBeLessThan(1000);
  });

  it("an 'expected ;' at the end of the file stays inside the file", () => {
    const source = 'program p : xdp {\n  fn main(ctx: XdpContext) -> XdpAction {\n    return XDP_PASS';
    const result = compile(source, { filename: 'eof.ks' });
    const span = result.diagnostics[0]!.span!;
    expect(result.diagnostics[0]!.message).toBe("expected ';'");
    expect(span.start.offset).toBe(source.length);
    expect(span.end.offset).toBeLessThanOrEqual(source.length);
    expect(formatDiagnostic(result.diagnostics[0]!, 'eof.ks', source)).toMatch(/^eof\.ks:3:20: error\[KS1002\]: expected ';'\n3 \| {5}return XDP_PASS\n {2}\| {20}\^$/);
  });

  it('nested array literals parse and check in linear time', () => {
    for (const depth of [20, 21, 24, MAX_BRACKET_DEPTH - 2]) {
      const source = inMain(`let x = ${'['.repeat(depth)}a${']'.repeat(depth)};`);
      expect(cpuMilliseconds(() => expect(compile(source, { filename: 'deep.ks' }).ok).toBe(true))).toBeLessThan(1000);
    }
  });
});
