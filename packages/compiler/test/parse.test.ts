import { describe, expect, it } from 'vitest';
import type * as ast from '../src/phases/1-parse/ast.js';
import { parse } from '../src/phases/1-parse/parse.js';
import { CompileError } from '../src/diagnostics/diagnostic.js';

function body(statements: string): ast.Stmt[] {
  const file = parse(`fn f() { ${statements} }`);
  return (file.items[0] as ast.FnDecl).body.statements;
}

function expr(text: string): ast.Expr {
  const [stmt] = body(`let x = ${text};`);
  return (stmt as ast.LetStmt).init;
}

function syntaxError(source: string): CompileError {
  try {
    parse(source);
  } catch (error) {
    if (error instanceof CompileError) return error;
    throw error;
  }
  throw new Error('expected a syntax error');
}

describe('parser', () => {
  it('parses the seed example with spans on every node', () => {
    const file = parse(`map<u32, u32> shared_counter : HashMap(1024) {\n  pinned: "/sys/fs/bpf/shared_counter"\n};\n`);
    const map = file.items[0] as ast.MapDecl;
    expect(map.kind).toBe('MapDecl');
    expect(map.name.name).toBe('shared_counter');
    expect(map.mapKind.name).toBe('HashMap');
    expect(map.attributes[0]!.value).toMatchObject({ kind: 'StringLiteral', value: '/sys/fs/bpf/shared_counter' });
    expect(map.span.start).toEqual({ offset: 0, line: 1, column: 1 });
    expect(map.name.span.start).toMatchObject({ line: 1, column: 15 });
    expect(map.attributes[0]!.span.start).toMatchObject({ line: 2, column: 3 });
  });

  it('follows the precedence table of LANGUAGE.md §6', () => {
    // bitwise binds tighter than comparison, comparison tighter than logical
    expect(expr('a & 1 == 0 && b | c < d')).toMatchObject({
      op: '&&',
      left: { op: '==', left: { op: '&' } },
      right: { op: '<', left: { op: '|' } },
    });
    expect(expr('-x as u32 * 2')).toMatchObject({ op: '*', left: { kind: 'CastExpr', expr: { kind: 'UnaryExpr', op: '-' } } });
    expect(expr('a << 2 + 1')).toMatchObject({ op: '<<', right: { op: '+' } });
    expect(expr('not a or b and c')).toMatchObject({ op: '||', left: { kind: 'UnaryExpr', op: '!' }, right: { op: '&&' } });
  });

  it('folds prefix operators, pointer stars and else-if chains read as lists into the same nested nodes', () => {
    expect(expr('- ~!x')).toMatchObject({
      kind: 'UnaryExpr',
      op: '-',
      span: { start: { column: 18 }, end: { column: 23 } },
      operand: { op: '~', span: { start: { column: 20 } }, operand: { op: '!', operand: { kind: 'Identifier', name: 'x' } } },
    });
    const [param] = (parse('fn f(p: **u8) {}').items[0] as ast.FnDecl).params;
    expect(param!.type).toMatchObject({ kind: 'PointerType', span: { start: { column: 9 } }, target: { kind: 'PointerType', span: { start: { column: 10 } }, target: { kind: 'NamedType', name: 'u8' } } });
    const [chain] = body('if a { } else if b { } else { c = 1; }');
    expect(chain).toMatchObject({
      kind: 'IfStmt',
      condition: { name: 'a' },
      span: { start: { column: 10 }, end: { column: 48 } },
      otherwise: { kind: 'IfStmt', condition: { name: 'b' }, span: { start: { column: 24 }, end: { column: 48 } }, otherwise: { kind: 'Block' } },
    });
  });

  it('reads every integer form with separators', () => {
    expect(expr('1_000_000')).toMatchObject({ kind: 'IntLiteral', value: 1_000_000n });
    expect(expr('0xff_ff')).toMatchObject({ value: 0xffffn });
    expect(expr('0o17')).toMatchObject({ value: 15n });
    expect(expr('0b1010')).toMatchObject({ value: 10n });
  });

  it('reads strings and chars with escapes', () => {
    expect(expr(`"a\\n\\t\\x41\\0"`)).toMatchObject({ kind: 'StringLiteral', value: 'a\n\tA\0' });
    expect(expr(`'\\''`)).toMatchObject({ kind: 'CharLiteral', value: 39 });
  });

  it('parses generic context calls, paths, struct and array literals', () => {
    expect(expr('ctx.header<EthHdr>(0)')).toMatchObject({ kind: 'CallExpr', typeArgs: [{ name: 'EthHdr' }], callee: { kind: 'MemberExpr', property: { name: 'header' } } });
    expect(expr('XdpAction::Pass')).toMatchObject({ kind: 'PathExpr', segments: [{ name: 'XdpAction' }, { name: 'Pass' }] });
    expect(expr('Flow { src: 1, dst: 2 }')).toMatchObject({ kind: 'StructLiteral', fields: [{ name: { name: 'src' } }, { name: { name: 'dst' } }] });
    expect(expr('[0; 64]')).toMatchObject({ kind: 'ArrayRepeatLiteral' });
    expect(expr('[1, 2, 3,]')).toMatchObject({ kind: 'ArrayLiteral', elements: [{}, {}, {}] });
  });

  it('keeps `if flag { ... }` an if, not a struct literal', () => {
    const [stmt] = body('if done { x = 1; }');
    expect(stmt).toMatchObject({ kind: 'IfStmt', condition: { kind: 'Identifier', name: 'done' } });
  });

  it('parses match with alternatives, both arrows, block arms without commas and a value block', () => {
    const match = expr('match x { 1 | 2 -> 10, Color::Red => 3, -1 -> { 4 } _ -> 0 }') as ast.MatchExpr;
    expect(match.arms.map((a) => a.patterns.length)).toEqual([2, 1, 1, 0]);
    expect((match.arms[2]!.body as ast.Block).result).toMatchObject({ kind: 'IntLiteral', value: 4n });
  });

  it('parses tail calls with a fallback only in return position', () => {
    const [stmt] = body('return tail_call(ctx, parse_ipv6) else XDP_PASS;');
    expect(stmt).toMatchObject({ kind: 'ReturnStmt', value: { kind: 'TailCallExpr', target: { name: 'parse_ipv6' }, fallback: { name: 'XDP_PASS' } } });
  });

  it('accepts keywords as field names after a dot', () => {
    expect(expr('icmp.type')).toMatchObject({ kind: 'MemberExpr', property: { name: 'type' } });
  });

  it('accepts optional semicolons after closing braces of declarations', () => {
    const file = parse('struct A { x: u32 }; enum E { X };\nfn f() -> u32 { return 1; };\nconfig { a: u32 = 1, };');
    expect(file.items.map((i) => i.kind)).toEqual(['StructDecl', 'EnumDecl', 'FnDecl', 'ConfigBlock']);
  });

  it('reports a missing semicolon right after the previous token', () => {
    const error = syntaxError('fn f() {\n  let x = 1\n  return;\n}');
    expect(error.diagnostic.message).toBe("expected ';'");
    expect(error.diagnostic.span!.start).toMatchObject({ line: 2, column: 12 });
  });

  it('suggests the keyword a misspelled statement meant', () => {
    const error = syntaxError('fn f() -> u32 {\n    retrun 1;\n}');
    expect(error.diagnostic.message).toBe("unknown statement 'retrun'");
    expect(error.diagnostic.notes).toEqual(["help: did you mean 'return'?"]);
    expect(error.diagnostic.span!.start).toMatchObject({ line: 2, column: 5 });
  });

  it('says an expression is expected where one is missing', () => {
    const error = syntaxError('fn f() {\n  let x = 1 +;\n}');
    expect(error.diagnostic.message).toBe("unexpected ';'; expected an expression");
    expect(error.diagnostic.span!.start).toMatchObject({ line: 2, column: 14 });
  });
});
