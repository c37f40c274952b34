// One compile of a document, kept up to date edit by edit: what every
// language query reads. Diagnostics are exactly those of `compile()` (tested
// over random edits); the work per edit is bounded by re-parsing only the
// top-level items an edit touched and re-lowering only the programs whose
// text changed, for the stack check that needs the IR.
import { checkStackLimits, checkSystem, recordFailure } from '../compile.js';
import { DiagnosticBag, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { KernelInputs } from '../kernel/kernel-inputs.js';
import type { Position, SourceFile, TopLevelItem } from '../phases/1-parse/ast.js';
import { parse } from '../phases/1-parse/parse.js';
import type { SystemAnalysis } from '../phases/4-analyze/analysis.js';
import type { ProgramSymbol, SymbolTable } from '../phases/2-symbols/symbol-table.js';
import type { TypedSystem } from '../phases/3-typecheck/typed-system.js';
import { lowerSystem } from '../phases/5-ir/lower.js';
import { planResources, type ProgramResources, type ResourcePlan } from '../phases/5-ir/resources.js';
import { splitChunks, type Chunk } from './chunks.js';

export interface DocumentCheck {
  filename: string;
  source: string;
  /** The kernel the document was checked against (its BTF and tracepoint formats), as `compile()`'s `kernel` option. */
  kernel: KernelInputs | undefined;
  /** The syntax tree; null when the file has a syntax error. */
  ast: SourceFile | null;
  /** The top-level items of every chunk that parses, also when another chunk has a syntax error (for the outline). */
  items: TopLevelItem[];
  symbols: SymbolTable | null;
  analysis: SystemAnalysis | null;
  typed: TypedSystem | null;
  /** What `compile(source)` reports, in the same order. */
  diagnostics: Diagnostic[];
  /** Stack figures per program, when type checking passed. */
  stack: Map<string, StackFigures>;
  /** The full resource plan (instructions, stack, map memory), computed on first use. */
  resources(): ResourcePlan | null;
}

type StackFigures = Pick<ProgramResources, 'program' | 'stackBytes' | 'largestLocals'>;

interface ParsedChunk {
  text: string;
  start: Position;
  /** Items with positions in the file; null when the chunk does not parse alone. */
  items: TopLevelItem[] | null;
}

/**
 * The state kept between edits of one document. `update` takes the whole new
 * text (the language server applies incremental edits to its copy first) and
 * returns a fresh, immutable check.
 */
export class DocumentSession {
  private chunks = new Map<string, ParsedChunk>();
  /** Stack figures of the last check, and the program texts and declaration texts they were computed from. */
  private stackCache: { programs: Map<string, { text: string; figures: StackFigures }>; declarations: string } | null = null;

  /** `kernel`: what `compile()` gets as `options.kernel`, so kernel types check in the editor as on the command line. */
  constructor(
    readonly filename: string,
    readonly kernel?: KernelInputs,
  ) {}

  update(source: string): DocumentCheck {
    const diagnostics = new DiagnosticBag();
    const parsed = splitChunks(source).map((chunk) => this.parseChunk(chunk));
    this.chunks = new Map(parsed.map((chunk) => [chunk.text, chunk]));
    const items = parsed.flatMap((chunk) => chunk.items ?? []);
    const check: DocumentCheck = {
      filename: this.filename,
      source,
      kernel: this.kernel,
      ast: null,
      items,
      symbols: null,
      analysis: null,
      typed: null,
      diagnostics: diagnostics.items,
      stack: new Map(),
      resources: () => null,
    };
    try {
      check.ast = parsed.every((chunk) => chunk.items) ? { kind: 'SourceFile', items, span: fileSpan(source) } : parse(source);
      Object.assign(check, checkSystem(check.ast, diagnostics, this.kernel));
      const { symbols, typed } = check;
      if (!symbols || !typed || diagnostics.hasErrors) return check;
      check.stack = this.stackFigures(source, typed, symbols, parsed);
      checkStackLimits([...check.stack.values()], typed, diagnostics);
      let plan: ResourcePlan | undefined;
      check.resources = () => (plan ??= planResources(lowerSystem(typed), 1));
    } catch (error) {
      recordFailure(error, diagnostics);
    }
    return check;
  }

  /** The cached parse of a chunk with the same text, moved to where it is now; else a fresh parse. */
  private parseChunk(chunk: Chunk): ParsedChunk {
    const cached = this.chunks.get(chunk.text);
    if (cached && samePosition(cached.start, chunk.start)) return cached;
    if (cached) return { ...chunk, items: cached.items && moved(cached.items, cached.start, chunk.start) };
    try {
      return { ...chunk, items: moved(parse(chunk.text).items, { offset: 0, line: 1, column: 1 }, chunk.start) };
    } catch {
      return { ...chunk, items: null };
    }
  }

  /**
   * Stack figures per program. A program whose text is unchanged, in a file
   * whose other declarations are unchanged, keeps its figures; the others
   * are lowered alone (with the shared kernel helpers they may call).
   */
  private stackFigures(source: string, typed: TypedSystem, symbols: SymbolTable, chunks: ParsedChunk[]): Map<string, StackFigures> {
    const programText = (program: ProgramSymbol) => source.slice(program.decl.span.start.offset, program.decl.span.end.offset);
    const declarations = chunks
      .filter((chunk) => !chunk.items?.every((item) => item.kind === 'ProgramDecl'))
      .map((chunk) => chunk.text)
      .concat(symbols.programs.map((p) => `${p.name}:${p.info.kind}`))
      .join('\u0000');
    const previous = this.stackCache?.declarations === declarations ? this.stackCache.programs : new Map<string, { text: string; figures: StackFigures }>();
    const programs = new Map<string, { text: string; figures: StackFigures }>();
    const stale: ProgramSymbol[] = [];
    for (const program of symbols.programs) {
      const text = programText(program);
      const hit = previous.get(program.name);
      if (hit && hit.text === text) programs.set(program.name, hit);
      else stale.push(program);
    }
    if (stale.length > 0) {
      const names = new Set(stale.map((p) => p.name));
      const functions = typed.functions.filter((fn) => fn.symbol.owner.kind === 'kernel' || (fn.symbol.owner.kind === 'program' && names.has(fn.symbol.owner.program)));
      for (const figures of planResources(lowerSystem({ ...typed, functions }), 1).programs) {
        const program = stale.find((p) => p.name === figures.program);
        if (program) programs.set(program.name, { text: programText(program), figures: { program: figures.program, stackBytes: figures.stackBytes, largestLocals: figures.largestLocals } });
      }
    }
    this.stackCache = { programs, declarations };
    return new Map(symbols.programs.map((p) => [p.name, programs.get(p.name)!.figures]));
  }
}

function fileSpan(source: string): SourceFile['span'] {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < source.length; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { start: { offset: 0, line: 1, column: 1 }, end: { offset: source.length, line, column: source.length - lineStart + 1 } };
}

function samePosition(a: Position, b: Position): boolean {
  return a.offset === b.offset && a.line === b.line && a.column === b.column;
}

/**
 * A copy of `items` parsed at `from`, with every position moved to `to`.
 * Positions shared between nodes (a postfix expression shares its start with
 * its object) stay shared in the copy.
 */
function moved(items: TopLevelItem[], from: Position, to: Position): TopLevelItem[] {
  const copies = new Map<object, unknown>();
  const copy = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    const known = copies.get(value);
    if (known) return known;
    if (Array.isArray(value)) {
      const array: unknown[] = [];
      copies.set(value, array);
      for (const element of value) array.push(copy(element));
      return array;
    }
    const object = value as Record<string, unknown>;
    if (typeof object.offset === 'number' && typeof object.line === 'number' && typeof object.column === 'number') {
      const position = object as unknown as Position;
      const firstLine = position.line === from.line;
      const shifted: Position = {
        offset: position.offset - from.offset + to.offset,
        line: position.line - from.line + to.line,
        column: firstLine ? position.column - from.column + to.column : position.column,
      };
      copies.set(value, shifted);
      return shifted;
    }
    const result: Record<string, unknown> = {};
    copies.set(value, result);
    for (const key in object) result[key] = copy(object[key]);
    return result;
  };
  return copy(items) as TopLevelItem[];
}
