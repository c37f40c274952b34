// The syntax tree as a layout document. Every token printed is taken from the
// source token stream in order (so spellings such as `and`, `=>`, `0x1f`,
// string escapes and grouping parentheses survive), and the comments found
// between tokens are placed by where they sat:
// - on their own line before a declaration, statement, field, arm or list
//   element: on their own line before it, blank lines kept (at most one);
// - after the last token of such an element on its line: at the end of the
//   element's last line (a line comment forces the element's list to break);
// - inside an element: a block comment stays where it is, a line comment
//   moves to the end of the element (its own line would change the layout);
// - after an opening `{`, `(` or `[`: right after it;
// - before a closing `}` with nothing after them: on their own lines inside.
import type * as ast from '../phases/1-parse/ast.js';
import { group, hardline, ifBreak, indent, line, lineSuffix, softline, type Doc } from './doc.js';
import { isComment, type Token } from './tokens.js';

export class FormatError extends Error {}

/** Element lists that are one per line, or that break together when they do not fit. */
type ListLayout = 'vertical' | 'fill';

export class Printer {
  /** Next token to consume (comments included). */
  private position = 0;
  /** End offset of the last consumed token or comment. */
  private lastEnd = 0;
  /** Line comments waiting for the end of the element they were found in. */
  private anchors: string[][] = [[]];
  /** For each `(` / `[` / `{` token index, the index of its partner. */
  private readonly partners: Map<number, number>;

  constructor(
    private readonly source: string,
    private readonly tokens: Token[],
  ) {
    this.partners = matchBrackets(tokens);
  }

  // ---------- tokens and comments ----------

  private nextSignificant(): number {
    let i = this.position;
    while (i < this.tokens.length && isComment(this.tokens[i]!)) i++;
    return i;
  }

  private peek(): Token | undefined {
    return this.tokens[this.nextSignificant()];
  }

  private peekIs(...texts: string[]): boolean {
    const next = this.peek();
    return next !== undefined && texts.includes(next.text);
  }

  /** Consumes the next token, which must be one of `texts`, with the comments around it; prints it as written. */
  private tok(...texts: string[]): Doc {
    return this.consume(texts, null);
  }

  /** Consumes the next token of one of `kinds` (a literal), printed as written. */
  private tokOfKind(...kinds: Token['kind'][]): Doc {
    return this.consume(null, kinds);
  }

  /** A token only the formatter writes (a separator the source left out), or the source's own when it is there. */
  private separator(text: string, accepted: string[] = [text], output: 'always' | 'if-break' = 'always'): Doc {
    const printed = output === 'always' ? text : ifBreak(text);
    if (!this.peekIs(...accepted)) return printed;
    const doc = this.consume(accepted, null, false);
    return [doc.before, printed, doc.after];
  }

  /** An optional token the canonical layout leaves out (`;` after a `}`): its comments stay. */
  private dropOptional(text: string): Doc {
    if (!this.peekIs(text)) return '';
    const doc = this.consume([text], null, false);
    return [doc.before, doc.after];
  }

  private consume(texts: string[] | null, kinds: Token['kind'][] | null): Doc;
  private consume(texts: string[] | null, kinds: Token['kind'][] | null, joined: false): { before: Doc; after: Doc; text: string };
  private consume(texts: string[] | null, kinds: Token['kind'][] | null, joined = true): Doc | { before: Doc; after: Doc; text: string } {
    const index = this.nextSignificant();
    const token = this.tokens[index];
    if (!token || (texts && !texts.includes(token.text)) || (kinds && !kinds.includes(token.kind))) {
      throw new FormatError(`expected ${texts ? texts.map((t) => `'${t}'`).join(' or ') : kinds!.join(' or ')} at offset ${token?.start ?? this.source.length}, found ${token ? `'${token.text}'` : 'the end'}`);
    }
    const before: Doc[] = [];
    for (; this.position < index; this.position++) before.push(this.inlineComment(this.tokens[this.position]!));
    this.position = index + 1;
    this.lastEnd = token.end;
    const after = this.trailingComments();
    return joined ? [before, token.text, after] : { before, after, text: token.text };
  }

  /** A comment met in the middle of an element: a block comment in place, a line comment to the element's end. */
  private inlineComment(comment: Token): Doc {
    this.lastEnd = comment.end;
    if (comment.kind === 'block-comment') return [comment.text, ' '];
    this.anchors[this.anchors.length - 1]!.push(commentText(comment));
    return '';
  }

  /** Comments after the token just consumed, on its line. */
  private trailingComments(): Doc {
    const docs: Doc[] = [];
    while (this.position < this.tokens.length) {
      const next = this.tokens[this.position]!;
      if (!isComment(next) || this.source.slice(this.lastEnd, next.start).includes('\n')) break;
      this.position++;
      this.lastEnd = next.end;
      if (next.kind === 'block-comment') docs.push(' ', next.text);
      else this.anchors[this.anchors.length - 1]!.push(commentText(next));
    }
    return docs;
  }

  /** Runs `print` as one element: line comments found inside it go after its end. */
  private anchored(print: () => Doc): Doc {
    this.anchors.push([]);
    const doc = print();
    return [doc, this.flushAnchor()];
  }

  /** The waiting line comments of the current element, printed at the end of the current line. */
  private flushAnchor(): Doc {
    const waiting = this.anchors[this.anchors.length - 1]!;
    const doc = waiting.length > 0 ? lineSuffix(` ${waiting.join(' ')}`) : '';
    waiting.length = 0;
    if (this.anchors.length > 1) this.anchors.pop();
    else this.anchors[0] = [];
    return doc;
  }

  /** An opening bracket: the comments waiting in the current element, and those after the bracket, go right after it. */
  private open(text: string): Doc {
    const doc = this.tok(text);
    const waiting = this.anchors[this.anchors.length - 1]!;
    const suffix = waiting.length > 0 ? lineSuffix(` ${waiting.join(' ')}`) : '';
    waiting.length = 0;
    return [doc, suffix];
  }

  /**
   * Comments before the next token that sit on their own lines (or before it
   * on its line), as lines of their own; `separated` says whether a blank
   * line came before them in the source.
   */
  private leadingComments(layout: ListLayout): Doc[] {
    const docs: Doc[] = [];
    while (this.position < this.tokens.length && isComment(this.tokens[this.position]!)) {
      const comment = this.tokens[this.position]!;
      if (layout === 'vertical' && docs.length > 0 && this.blankLineBefore(comment.start)) docs.push(hardline);
      this.position++;
      this.lastEnd = comment.end;
      const next = this.tokens[this.position];
      const ownLine = comment.kind === 'line-comment' || (next !== undefined && this.source.slice(comment.end, next.start).includes('\n'));
      docs.push(commentText(comment), ownLine ? hardline : ' ');
    }
    return docs;
  }

  private blankLineBefore(offset: number): boolean {
    return /\n[ \t\r]*\n/.test(this.source.slice(this.lastEnd, offset));
  }

  private nextTokenStart(): number {
    return this.tokens[this.position]?.start ?? this.source.length;
  }

  /**
   * A list of elements. Vertical lists put each element on its own line,
   * keeping a blank line the source had between two; fill lists are one
   * line when they fit. `separator` follows every element (or only when
   * broken, for the last element of a fill list).
   */
  private list<T>(elements: T[], print: (element: T) => Doc, options: { layout: ListLayout; separator?: string; accepted?: string[]; trailing?: 'always' | 'if-break' | 'none' }): Doc[] {
    const { layout, separator, accepted = separator ? [separator] : [] } = options;
    const trailing = options.trailing ?? (layout === 'vertical' ? 'always' : 'if-break');
    return elements.map((element, i) => {
      const blank = layout === 'vertical' && i > 0 && this.blankLineBefore(this.nextTokenStart()) ? [hardline] : [];
      const leading = this.leadingComments(layout);
      const last = i === elements.length - 1;
      const doc = this.anchored(() => {
        const body = print(element);
        if (!separator) return body;
        if (last && trailing === 'none') return [body, this.dropOptional(separator)];
        return [body, this.separator(separator, accepted, last ? (trailing === 'always' ? 'always' : 'if-break') : 'always')];
      });
      const between = i === 0 ? [] : layout === 'vertical' ? [hardline] : [line];
      return [between, blank, leading, doc];
    });
  }

  /** Comments left before a closing bracket, each on its own line (inside the indentation), after `elements` if any. */
  private danglingComments(elements: Doc[]): Doc[] {
    const docs: Doc[] = [...elements];
    while (this.position < this.tokens.length && isComment(this.tokens[this.position]!)) {
      const comment = this.tokens[this.position]!;
      const blank = docs.length > 0 && this.blankLineBefore(comment.start) ? [hardline] : [];
      this.position++;
      this.lastEnd = comment.end;
      docs.push(docs.length > 0 ? hardline : '', blank, commentText(comment));
    }
    return docs;
  }

  /** A `{ ... }` body whose elements are one per line. */
  private verticalBody<T>(elements: T[], print: (element: T) => Doc, separator?: { text: string; accepted: string[] }): Doc {
    const opening = this.open('{');
    const inner = this.danglingComments(this.list(elements, print, { layout: 'vertical', separator: separator?.text, accepted: separator?.accepted }));
    if (inner.length === 0) return [opening, this.tok('}')];
    return [opening, indent([hardline, ...inner]), hardline, this.tok('}')];
  }

  /** `(a, b)` / `<A, B>` / `[a, b]`: one line when it fits, else one element per line. */
  private fillList<T>(openText: string, closeText: string, elements: T[], print: (element: T) => Doc): Doc {
    const opening = this.open(openText);
    const inner = this.danglingComments(this.list(elements, print, { layout: 'fill', separator: ',' }));
    if (inner.length === 0) return [opening, this.tok(closeText)];
    return group([opening, indent([softline, ...inner]), softline, this.tok(closeText)]);
  }

  // ---------- file and declarations ----------

  file(file: ast.SourceFile): Doc {
    const docs = this.danglingComments(this.list(file.items, (item) => this.topLevel(item), { layout: 'vertical' }));
    if (this.nextSignificant() < this.tokens.length) throw new FormatError(`unexpected '${this.peek()!.text}' after the last declaration`);
    return [docs, this.flushAnchor(), hardline];
  }

  private topLevel(item: ast.TopLevelItem): Doc {
    switch (item.kind) {
      case 'MapDecl':
        return this.mapDecl(item);
      case 'ProgramDecl':
        return [this.tok('program'), ' ', this.identifier(item.name), ' ', this.tok(':'), ' ', this.identifier(item.programKind), item.target ? [this.tok('('), this.tokOfKind('string'), this.tok(')')] : '', ' ', this.verticalBody(item.items, (i) => this.topLevel(i)), this.dropOptional(';')];
      case 'UserspaceBlock':
        return [this.tok('userspace'), ' ', this.verticalBody(item.items, (i) => this.topLevel(i)), this.dropOptional(';')];
      case 'ExternFnDecl':
        return [
          this.tok('extern'),
          ' ',
          this.tok('fn'),
          ' ',
          this.identifier(item.name),
          this.fillList('(', ')', item.params, (p) => [this.identifier(p.name), this.tok(':'), ' ', this.type(p.type)]),
          item.returnType ? [' ', this.tok('->'), ' ', this.type(item.returnType)] : '',
          this.tok(';'),
        ];
      case 'FnDecl':
        return this.fnDecl(item);
      case 'StructDecl':
        return [this.tok('struct'), ' ', this.identifier(item.name), ' ', this.verticalBody(item.fields, (f) => [this.property(f.name), this.tok(':'), ' ', this.type(f.type)], { text: ',', accepted: [',', ';'] }), this.dropOptional(';')];
      case 'EnumDecl':
        return [this.tok('enum'), ' ', this.identifier(item.name), ' ', this.verticalBody(item.variants, (v) => [this.identifier(v.name), v.value ? [' ', this.tok('='), ' ', this.expr(v.value)] : ''], { text: ',', accepted: [','] }), this.dropOptional(';')];
      case 'TypeAliasDecl':
        return [this.tok('type'), ' ', this.identifier(item.name), ' ', this.tok('='), ' ', this.type(item.type), this.tok(';')];
      case 'ConstDecl':
        return [this.tok('const'), ' ', this.identifier(item.name), item.type ? [this.tok(':'), ' ', this.type(item.type)] : '', ' ', this.tok('='), ' ', this.expr(item.value), this.tok(';')];
      case 'ConfigBlock':
        return [this.tok('config'), ' ', this.verticalBody(item.fields, (f) => [this.identifier(f.name), this.tok(':'), ' ', this.type(f.type), ' ', this.tok('='), ' ', this.expr(f.value)], { text: ',', accepted: [','] }), this.dropOptional(';')];
    }
  }

  private mapDecl(map: ast.MapDecl): Doc {
    const head = [
      this.tok('map'),
      this.tok('<'),
      map.keyType ? [this.type(map.keyType), this.tok(','), ' '] : '',
      this.type(map.valueType),
      this.tok('>'),
      ' ',
      this.identifier(map.name),
      ' ',
      this.tok(':'),
      ' ',
      this.identifier(map.mapKind),
      this.tok('('),
      this.expr(map.maxEntries),
      this.tok(')'),
    ];
    const attributes = this.peekIs('{')
      ? [' ', this.verticalBody(map.attributes, (a) => [this.identifier(a.name), a.value ? [this.tok(':'), ' ', this.expr(a.value)] : ''], { text: ',', accepted: [','] })]
      : '';
    return [head, attributes, this.separator(';')];
  }

  private fnDecl(fn: ast.FnDecl): Doc {
    return [
      this.tok('fn'),
      ' ',
      this.identifier(fn.name),
      this.fillList('(', ')', fn.params, (p) => [this.identifier(p.name), this.tok(':'), ' ', this.type(p.type)]),
      fn.returnType ? [' ', this.tok('->'), ' ', this.type(fn.returnType)] : '',
      ' ',
      this.block(fn.body),
      this.dropOptional(';'),
    ];
  }

  private identifier(id: ast.Identifier): Doc {
    return this.tok(id.name);
  }

  /** A field name: keywords are allowed there, so it is taken by spelling. */
  private property(id: ast.Identifier): Doc {
    return this.tok(id.name);
  }

  private type(type: ast.TypeExpr): Doc {
    switch (type.kind) {
      case 'NamedType':
        return this.tok(type.name);
      case 'ArrayType':
        return [this.tok('['), this.type(type.element), this.tok(';'), ' ', this.expr(type.length), this.tok(']')];
      case 'PointerType':
        return [this.tok('*'), this.type(type.target)];
    }
  }

  // ---------- statements ----------

  private block(block: ast.Block, short = false): Doc {
    const opening = this.open('{');
    const statements = this.list(block.statements, (s) => this.statement(s), { layout: 'vertical' });
    const result = block.result ? [statements.length > 0 ? hardline : '', this.leadingComments('vertical'), this.anchored(() => this.expr(block.result!))] : [];
    const inner = this.danglingComments([...statements, ...result]);
    if (inner.length === 0) return [opening, this.tok('}')];
    if (short) return group([opening, indent([line, ...inner]), line, this.tok('}')]);
    return [opening, indent([hardline, ...inner]), hardline, this.tok('}')];
  }

  private statement(stmt: ast.Stmt): Doc {
    switch (stmt.kind) {
      case 'LetStmt': {
        const keyword = stmt.isConst ? this.tok('const') : [this.tok('let'), this.peekIs('mut') ? [' ', this.tok('mut')] : ''];
        return [keyword, ' ', this.identifier(stmt.name), stmt.type ? [this.tok(':'), ' ', this.type(stmt.type)] : '', ' ', this.tok('='), ' ', this.expr(stmt.init), this.tok(';')];
      }
      case 'AssignStmt':
        return [this.expr(stmt.target), ' ', this.tok(stmt.op), ' ', this.expr(stmt.value), this.tok(';')];
      case 'ExprStmt':
        if (stmt.expr.kind === 'MatchExpr') return [this.expr(stmt.expr), this.dropOptional(';')];
        return [this.expr(stmt.expr), this.tok(';')];
      case 'IfStmt':
        return this.ifStmt(stmt, true);
      case 'ForRangeStmt':
        return [this.tok('for'), ' ', this.identifier(stmt.variable), ' ', this.tok('in'), ' ', this.expr(stmt.start), this.tok('..'), this.expr(stmt.end), ' ', this.block(stmt.body)];
      case 'ForEachStmt':
        return [this.tok('for'), ' ', this.tok('('), this.identifier(stmt.key), this.tok(','), ' ', this.identifier(stmt.value), this.tok(')'), ' ', this.tok('in'), ' ', this.expr(stmt.iterable), ' ', this.block(stmt.body)];
      case 'WhileStmt':
        return [this.tok('while'), ' ', this.expr(stmt.condition), ' ', this.block(stmt.body)];
      case 'ReturnStmt':
        return [this.returnValue(stmt), this.tok(';')];
      case 'BreakStmt':
        return [this.tok('break'), this.tok(';')];
      case 'ContinueStmt':
        return [this.tok('continue'), this.tok(';')];
      case 'DeleteStmt':
        return [this.tok('delete'), ' ', this.expr(stmt.target), this.tok(';')];
      case 'Block':
        return this.block(stmt);
    }
  }

  private returnValue(stmt: ast.ReturnStmt): Doc {
    if (!stmt.value) return this.tok('return');
    return [this.tok('return'), ' ', this.expr(stmt.value)];
  }

  /** `if c { return X; }` stays on one line when it fits; a chain with `else` is always broken. */
  private ifStmt(stmt: ast.IfStmt, first: boolean): Doc {
    const head = [this.tok('if'), ' ', this.expr(stmt.condition), ' '];
    const short = first && stmt.otherwise === null && isShortBlock(stmt.then, 'if');
    const then = this.block(stmt.then, short);
    if (!stmt.otherwise) return [head, then];
    const otherwise = stmt.otherwise;
    return [head, then, ' ', this.tok('else'), ' ', otherwise.kind === 'IfStmt' ? this.ifStmt(otherwise, false) : this.block(otherwise)];
  }

  // ---------- expressions ----------

  /** An expression with the grouping parentheses the source put around it. */
  private expr(expr: ast.Expr): Doc {
    const parens = this.groupingParens(expr);
    const opening = parens.map(() => this.tok('('));
    const inner = this.bareExpr(expr);
    const closing = parens.map(() => this.tok(')'));
    return [opening, inner, closing];
  }

  /** The `(` tokens before `expr` whose `)` closes right after it. */
  private groupingParens(expr: ast.Expr): number[] {
    const parens: number[] = [];
    let i = this.position;
    for (; i < this.tokens.length; i++) {
      const token = this.tokens[i]!;
      if (isComment(token)) continue;
      if (token.start >= expr.span.start.offset || token.text !== '(') break;
      parens.push(i);
    }
    // After expr: the run of `)` that closes right after it.
    let after = i;
    while (after < this.tokens.length && this.tokens[after]!.start < expr.span.end.offset) after++;
    const closing = new Set<number>();
    for (; after < this.tokens.length; after++) {
      const token = this.tokens[after]!;
      if (isComment(token)) continue;
      if (token.text !== ')') break;
      closing.add(after);
    }
    let count = 0;
    while (count < parens.length && closing.has(this.partners.get(parens[count]!) ?? -1)) count++;
    return parens.slice(0, count);
  }

  private bareExpr(expr: ast.Expr): Doc {
    switch (expr.kind) {
      case 'IntLiteral':
        return this.tok(expr.raw);
      case 'BoolLiteral':
        return this.tok(String(expr.value));
      case 'NullLiteral':
        return this.tok('null');
      case 'StringLiteral':
        return this.tokOfKind('string');
      case 'CharLiteral':
        return this.tokOfKind('char');
      case 'Identifier':
        return this.identifier(expr);
      case 'PathExpr':
        return expr.segments.map((segment, i) => [i > 0 ? this.tok('::') : '', this.identifier(segment)]);
      case 'BinaryExpr':
        return this.binaryChain(expr);
      case 'UnaryExpr': {
        const spelled = this.peekIs('not');
        return [this.tok(...(expr.op === '!' ? ['!', 'not'] : [expr.op])), spelled ? ' ' : '', this.expr(expr.operand)];
      }
      case 'CastExpr':
        return [this.expr(expr.expr), ' ', this.tok('as'), ' ', this.type(expr.type)];
      case 'CallExpr': {
        const callee = this.expr(expr.callee);
        const typeArgs = expr.typeArgs.length > 0 ? this.typeArgs(expr.typeArgs) : '';
        return [callee, typeArgs, this.fillList('(', ')', expr.args, (a) => this.expr(a))];
      }
      case 'MemberExpr':
        return [this.expr(expr.object), this.tok('.'), this.property(expr.property)];
      case 'IndexExpr':
        return [this.expr(expr.object), this.tok('['), this.expr(expr.index), this.tok(']')];
      case 'SliceExpr':
        return [this.expr(expr.object), this.tok('['), this.expr(expr.start), this.tok('..'), this.tok(']')];
      case 'StructLiteral': {
        const name = this.identifier(expr.name);
        const opening = this.open('{');
        const fields = this.danglingComments(this.list(expr.fields, (f) => [this.property(f.name), this.tok(':'), ' ', this.expr(f.value)], { layout: 'fill', separator: ',' }));
        return [name, ' ', group([opening, indent([line, ...fields]), line, this.tok('}')])];
      }
      case 'ArrayLiteral':
        return this.fillList('[', ']', expr.elements, (e) => this.expr(e));
      case 'ArrayRepeatLiteral':
        return [this.tok('['), this.expr(expr.value), this.tok(';'), ' ', this.expr(expr.count), this.tok(']')];
      case 'MatchExpr':
        return this.match(expr);
      case 'TailCallExpr': {
        const call = [this.tok('tail_call'), this.tok('('), this.expr(expr.context), this.tok(','), ' ', this.identifier(expr.target), this.tok(')')];
        return expr.fallback ? [call, ' ', this.tok('else'), ' ', this.expr(expr.fallback)] : call;
      }
    }
  }

  /**
   * `a + b - c`: operators of one precedence level break together, each line
   * ending in its operator. A parenthesised operand is a chain of its own.
   */
  private binaryChain(expr: ast.BinaryExpr): Doc {
    const chain: ast.BinaryExpr[] = [expr];
    for (let left = expr.left; left.kind === 'BinaryExpr' && PRECEDENCE[left.op] === PRECEDENCE[expr.op] && this.groupingParens(left).length === 0; left = left.left) chain.unshift(left);
    const first = this.expr(chain[0]!.left);
    const rest = chain.map((link) => [' ', this.tok(...BINARY_SPELLINGS[link.op]), line, this.expr(link.right)]);
    return group([first, indent(rest)]);
  }

  /** `<T, U>` before call arguments: never broken (types are short). */
  private typeArgs(types: ast.TypeExpr[]): Doc {
    const docs: Doc[] = [this.tok('<')];
    types.forEach((type, i) => docs.push(i > 0 ? [this.tok(','), ' '] : '', this.type(type)));
    docs.push(this.tok('>'));
    return docs;
  }

  private match(match: ast.MatchExpr): Doc {
    const head = [this.tok('match'), ' ', this.expr(match.subject), ' '];
    const body = this.verticalBody(match.arms, (arm) => this.matchArm(arm), { text: ',', accepted: [','] });
    return [head, body];
  }

  private matchArm(arm: ast.MatchArm): Doc {
    const patterns = arm.patterns.length === 0 ? this.tok('_') : arm.patterns.map((p, i) => [i > 0 ? [' ', this.tok('|'), ' '] : '', this.expr(p)]);
    const arrow = this.tok('->', '=>');
    const body = arm.body.kind === 'Block' ? this.block(arm.body, isShortBlock(arm.body, 'arm')) : arm.body.kind === 'ReturnStmt' ? this.returnValue(arm.body) : this.expr(arm.body);
    return [patterns, ' ', arrow, ' ', body];
  }
}

const BINARY_SPELLINGS: Record<ast.BinaryOp, string[]> = {
  '*': ['*'], '/': ['/'], '%': ['%'], '+': ['+'], '-': ['-'], '<<': ['<<'], '>>': ['>>'], '&': ['&'], '^': ['^'], '|': ['|'],
  '<': ['<'], '<=': ['<='], '>': ['>'], '>=': ['>='], '==': ['=='], '!=': ['!='], '&&': ['&&', 'and'], '||': ['||', 'or'],
};

/** LANGUAGE.md §6: binary operators by precedence level. */
const PRECEDENCE: Record<ast.BinaryOp, number> = {
  '*': 9, '/': 9, '%': 9, '+': 8, '-': 8, '<<': 7, '>>': 7, '&': 6, '^': 5, '|': 4, '<': 3, '<=': 3, '>': 3, '>=': 3, '==': 2, '!=': 2, '&&': 1, '||': 0,
};

/**
 * A block that may stay on one line when it fits: in an `if`, one jump
 * (`if eth == null { return XDP_PASS; }`); in a match arm, one simple statement.
 */
function isShortBlock(block: ast.Block, place: 'if' | 'arm'): boolean {
  if (block.result || block.statements.length !== 1) return false;
  const [only] = block.statements;
  switch (only!.kind) {
    case 'ReturnStmt':
      return only.value?.kind !== 'MatchExpr';
    case 'BreakStmt':
    case 'ContinueStmt':
      return true;
    case 'AssignStmt':
    case 'DeleteStmt':
      return place === 'arm';
    case 'ExprStmt':
      return place === 'arm' && only.expr.kind !== 'MatchExpr';
    default:
      return false;
  }
}

function commentText(comment: Token): string {
  return comment.text.replace(/[ \t\r]+$/, '');
}

/** Partners of `(`/`)`, `[`/`]`, `{`/`}` among the significant tokens. */
function matchBrackets(tokens: Token[]): Map<number, number> {
  const partners = new Map<number, number>();
  const open: number[] = [];
  tokens.forEach((token, i) => {
    if (token.kind !== 'punctuation') return;
    if (token.text === '(' || token.text === '[' || token.text === '{') open.push(i);
    else if (token.text === ')' || token.text === ']' || token.text === '}') {
      const partner = open.pop();
      if (partner !== undefined) {
        partners.set(partner, i);
        partners.set(i, partner);
      }
    }
  });
  return partners;
}
