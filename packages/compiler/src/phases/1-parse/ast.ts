// The syntax tree the parser produces. Every node carries the span of source
// text it came from, so every later phase can point its diagnostics at it.

export interface Position {
  /** 0-based character offset. */
  offset: number;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export interface Span {
  start: Position;
  end: Position;
}

interface Node {
  span: Span;
}

export interface Identifier extends Node {
  kind: 'Identifier';
  name: string;
}

// ---------- types ----------

export type TypeExpr = NamedType | ArrayType | PointerType;

export interface NamedType extends Node {
  kind: 'NamedType';
  name: string;
}

export interface ArrayType extends Node {
  kind: 'ArrayType';
  element: TypeExpr;
  length: Expr;
}

export interface PointerType extends Node {
  kind: 'PointerType';
  target: TypeExpr;
}

// ---------- declarations ----------

export interface SourceFile extends Node {
  kind: 'SourceFile';
  items: TopLevelItem[];
}

export type TopLevelItem =
  | ExternFnDecl
  | MapDecl
  | ProgramDecl
  | FnDecl
  | StructDecl
  | EnumDecl
  | TypeAliasDecl
  | ConstDecl
  | ConfigBlock
  | UserspaceBlock;

export type ProgramItem = MapDecl | FnDecl | ConfigBlock | StructDecl | EnumDecl | TypeAliasDecl | ConstDecl;
export type UserspaceItem = FnDecl | StructDecl | EnumDecl | TypeAliasDecl | ConstDecl;

export interface MapDecl extends Node {
  kind: 'MapDecl';
  name: Identifier;
  /** Null for single-parameter maps (`map<E> events : RingBuffer(...)`). */
  keyType: TypeExpr | null;
  valueType: TypeExpr;
  mapKind: Identifier;
  maxEntries: Expr;
  attributes: MapAttribute[];
}

export interface MapAttribute extends Node {
  kind: 'MapAttribute';
  name: Identifier;
  value: Expr | null;
}

export interface ProgramDecl extends Node {
  kind: 'ProgramDecl';
  name: Identifier;
  programKind: Identifier;
  target: StringLiteral | null;
  items: ProgramItem[];
}

export interface FnDecl extends Node {
  kind: 'FnDecl';
  name: Identifier;
  params: Param[];
  returnType: TypeExpr | null;
  body: Block;
}

/** `extern fn name(params) -> T;`: a kernel function (kfunc) the programs call, checked against the BTF. */
export interface ExternFnDecl extends Node {
  kind: 'ExternFnDecl';
  name: Identifier;
  params: Param[];
  returnType: TypeExpr | null;
}

export interface Param extends Node {
  kind: 'Param';
  name: Identifier;
  type: TypeExpr;
}

export interface StructDecl extends Node {
  kind: 'StructDecl';
  name: Identifier;
  fields: StructField[];
}

export interface StructField extends Node {
  kind: 'StructField';
  name: Identifier;
  type: TypeExpr;
}

export interface EnumDecl extends Node {
  kind: 'EnumDecl';
  name: Identifier;
  variants: EnumVariant[];
}

export interface EnumVariant extends Node {
  kind: 'EnumVariant';
  name: Identifier;
  value: Expr | null;
}

export interface TypeAliasDecl extends Node {
  kind: 'TypeAliasDecl';
  name: Identifier;
  type: TypeExpr;
}

export interface ConstDecl extends Node {
  kind: 'ConstDecl';
  name: Identifier;
  type: TypeExpr | null;
  value: Expr;
}

export interface ConfigBlock extends Node {
  kind: 'ConfigBlock';
  fields: ConfigField[];
}

export interface ConfigField extends Node {
  kind: 'ConfigField';
  name: Identifier;
  type: TypeExpr;
  value: Expr;
}

export interface UserspaceBlock extends Node {
  kind: 'UserspaceBlock';
  items: UserspaceItem[];
}

// ---------- statements ----------

export type Stmt =
  | LetStmt
  | AssignStmt
  | ExprStmt
  | IfStmt
  | ForRangeStmt
  | ForEachStmt
  | WhileStmt
  | ReturnStmt
  | BreakStmt
  | ContinueStmt
  | DeleteStmt
  | Block;

export interface Block extends Node {
  kind: 'Block';
  statements: Stmt[];
  /** Trailing expression without `;` — the value of a block used as a match arm. */
  result: Expr | null;
}

export interface LetStmt extends Node {
  kind: 'LetStmt';
  name: Identifier;
  /** `const x = e;` — an immutable local. */
  isConst: boolean;
  type: TypeExpr | null;
  init: Expr;
}

export type AssignOp = '=' | '+=' | '-=' | '*=' | '/=' | '%=' | '&=' | '|=' | '^=' | '<<=' | '>>=';

export interface AssignStmt extends Node {
  kind: 'AssignStmt';
  target: Expr;
  op: AssignOp;
  value: Expr;
}

export interface ExprStmt extends Node {
  kind: 'ExprStmt';
  expr: Expr;
}

export interface IfStmt extends Node {
  kind: 'IfStmt';
  condition: Expr;
  then: Block;
  otherwise: Block | IfStmt | null;
}

export interface ForRangeStmt extends Node {
  kind: 'ForRangeStmt';
  variable: Identifier;
  start: Expr;
  end: Expr;
  body: Block;
}

/** `for (k, v) in m { }` — userspace map iteration. */
export interface ForEachStmt extends Node {
  kind: 'ForEachStmt';
  key: Identifier;
  value: Identifier;
  iterable: Expr;
  body: Block;
}

export interface WhileStmt extends Node {
  kind: 'WhileStmt';
  condition: Expr;
  body: Block;
}

export interface ReturnStmt extends Node {
  kind: 'ReturnStmt';
  value: Expr | null;
}

export interface BreakStmt extends Node {
  kind: 'BreakStmt';
}

export interface ContinueStmt extends Node {
  kind: 'ContinueStmt';
}

export interface DeleteStmt extends Node {
  kind: 'DeleteStmt';
  target: IndexExpr;
}

// ---------- expressions ----------

export type Expr =
  | IntLiteral
  | BoolLiteral
  | NullLiteral
  | StringLiteral
  | CharLiteral
  | Identifier
  | PathExpr
  | BinaryExpr
  | UnaryExpr
  | CastExpr
  | CallExpr
  | MemberExpr
  | IndexExpr
  | SliceExpr
  | StructLiteral
  | ArrayLiteral
  | ArrayRepeatLiteral
  | MatchExpr
  | TailCallExpr;

export interface IntLiteral extends Node {
  kind: 'IntLiteral';
  value: bigint;
  raw: string;
}

export interface BoolLiteral extends Node {
  kind: 'BoolLiteral';
  value: boolean;
}

export interface NullLiteral extends Node {
  kind: 'NullLiteral';
}

export interface StringLiteral extends Node {
  kind: 'StringLiteral';
  value: string;
}

export interface CharLiteral extends Node {
  kind: 'CharLiteral';
  value: number;
}

/** `Enum::Variant`, `program::map`. */
export interface PathExpr extends Node {
  kind: 'PathExpr';
  segments: Identifier[];
}

export type BinaryOp =
  | '*' | '/' | '%'
  | '+' | '-'
  | '<<' | '>>'
  | '&' | '^' | '|'
  | '<' | '<=' | '>' | '>='
  | '==' | '!='
  | '&&' | '||';

export interface BinaryExpr extends Node {
  kind: 'BinaryExpr';
  op: BinaryOp;
  left: Expr;
  right: Expr;
}

export type UnaryOp = '-' | '!' | '~';

export interface UnaryExpr extends Node {
  kind: 'UnaryExpr';
  op: UnaryOp;
  operand: Expr;
}

export interface CastExpr extends Node {
  kind: 'CastExpr';
  expr: Expr;
  type: TypeExpr;
}

export interface CallExpr extends Node {
  kind: 'CallExpr';
  callee: Expr;
  /** `ctx.header<EthHdr>(0)` */
  typeArgs: TypeExpr[];
  args: Expr[];
}

export interface MemberExpr extends Node {
  kind: 'MemberExpr';
  object: Expr;
  property: Identifier;
}

export interface IndexExpr extends Node {
  kind: 'IndexExpr';
  object: Expr;
  index: Expr;
}

/** `buf[off..]`: the tail of an array from `start`, as a place a helper writes into. */
export interface SliceExpr extends Node {
  kind: 'SliceExpr';
  object: Expr;
  start: Expr;
}

export interface StructLiteral extends Node {
  kind: 'StructLiteral';
  name: Identifier;
  fields: StructLiteralField[];
}

export interface StructLiteralField extends Node {
  kind: 'StructLiteralField';
  name: Identifier;
  value: Expr;
}

export interface ArrayLiteral extends Node {
  kind: 'ArrayLiteral';
  elements: Expr[];
}

export interface ArrayRepeatLiteral extends Node {
  kind: 'ArrayRepeatLiteral';
  value: Expr;
  count: Expr;
}

export interface MatchExpr extends Node {
  kind: 'MatchExpr';
  subject: Expr;
  arms: MatchArm[];
}

export interface MatchArm extends Node {
  kind: 'MatchArm';
  /** Empty for the wildcard `_`. */
  patterns: Expr[];
  body: Block | ReturnStmt | Expr;
}

/** `tail_call(ctx, prog) [else fallback]` — only valid as a return value. */
export interface TailCallExpr extends Node {
  kind: 'TailCallExpr';
  context: Expr;
  target: Identifier;
  fallback: Expr | null;
}
