// The KernelScript language server: the LSP side of the compiler's language
// services (@kernelscript/compiler/services). Documents are synced
// incrementally; each change is checked at once and its diagnostics are
// published; every other request reads the latest check of its document.
import { fileURLToPath } from 'node:url';
import {
  CodeActionKind,
  CompletionItemKind,
  DiagnosticSeverity,
  DocumentSymbol,
  SymbolKind,
  TextDocumentSyncKind,
  TextDocuments,
  type CodeAction as LspCodeAction,
  type Connection,
  type Diagnostic as LspDiagnostic,
  type InitializeResult,
  type Range,
  type TextEdit as LspTextEdit,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic, Span } from '@kernelscript/compiler';
import { kernelInputs } from '@kernelscript/compiler/driver/kernel-inputs';
import {
  codeActions,
  completions,
  definition,
  DocumentSession,
  format,
  hover,
  outline,
  references,
  relatedLocations,
  rename,
  renameTarget,
  SEMANTIC_TOKEN_MODIFIERS,
  SEMANTIC_TOKEN_TYPES,
  semanticTokens,
  type CompletionKind,
  type DocumentCheck,
  type OutlineItem,
  type OutlineKind,
  type TextEdit,
} from '@kernelscript/compiler/services';

/** What the server keeps per open document. */
interface OpenDocument {
  session: DocumentSession;
  /** A second session for the patched texts completion checks, so they do not disturb the document's cache. */
  completionSession: DocumentSession;
  check: DocumentCheck;
  version: number;
}

export const SERVER_NAME = 'kernelscript-language-server';

/** Wires the language features to `connection` and starts listening. */
export function startServer(connection: Connection, version: string): void {
  const documents = new TextDocuments(TextDocument);
  const open = new Map<string, OpenDocument>();
  // This machine's BTF and tracefs, read the first time a document names a kernel type (then kept while unchanged).
  const kernel = kernelInputs();

  const refresh = (document: TextDocument): OpenDocument => {
    let state = open.get(document.uri);
    if (!state) {
      const filename = displayName(document.uri);
      state = { session: new DocumentSession(filename, kernel), completionSession: new DocumentSession(filename, kernel), check: null as unknown as DocumentCheck, version: -1 };
      open.set(document.uri, state);
    }
    if (state.version !== document.version) {
      state.check = state.session.update(document.getText());
      state.version = document.version;
    }
    return state;
  };
  /** The latest check of an open document (brought up to date first). */
  const checked = (uri: string): { document: TextDocument; state: OpenDocument } | null => {
    const document = documents.get(uri);
    return document ? { document, state: refresh(document) } : null;
  };

  connection.onInitialize((): InitializeResult => ({
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      hoverProvider: true,
      definitionProvider: true,
      referencesProvider: true,
      renameProvider: { prepareProvider: true },
      completionProvider: { triggerCharacters: ['.', ':'] },
      documentSymbolProvider: true,
      semanticTokensProvider: { legend: { tokenTypes: [...SEMANTIC_TOKEN_TYPES], tokenModifiers: [...SEMANTIC_TOKEN_MODIFIERS] }, full: true },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite] },
      documentFormattingProvider: true,
    },
    serverInfo: { name: SERVER_NAME, version },
  }));

  documents.onDidChangeContent(({ document }) => {
    const { check } = refresh(document);
    void connection.sendDiagnostics({ uri: document.uri, version: document.version, diagnostics: check.diagnostics.map((d) => toLspDiagnostic(d, check, document.uri)) });
  });
  documents.onDidClose(({ document }) => {
    open.delete(document.uri);
    void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
  });

  connection.onHover(({ textDocument, position }) => {
    const hit = checked(textDocument.uri);
    if (!hit) return null;
    const result = hover(hit.state.check, hit.document.offsetAt(position));
    return result && { contents: { kind: 'markdown', value: result.markdown }, range: toRange(result.span) };
  });

  connection.onDefinition(({ textDocument, position }) => {
    const hit = checked(textDocument.uri);
    const span = hit && definition(hit.state.check, hit.document.offsetAt(position));
    return span ? { uri: textDocument.uri, range: toRange(span) } : null;
  });

  connection.onReferences(({ textDocument, position, context }) => {
    const hit = checked(textDocument.uri);
    if (!hit) return [];
    return references(hit.state.check, hit.document.offsetAt(position), context.includeDeclaration).map((span) => ({ uri: textDocument.uri, range: toRange(span) }));
  });

  connection.onPrepareRename(({ textDocument, position }) => {
    const hit = checked(textDocument.uri);
    if (!hit) return null;
    const target = renameTarget(hit.state.check, hit.document.offsetAt(position));
    if ('message' in target) return null;
    return { range: toRange(target.span), placeholder: target.name };
  });

  connection.onRenameRequest(({ textDocument, position, newName }) => {
    const hit = checked(textDocument.uri);
    if (!hit) return null;
    const result = rename(hit.state.check, hit.document.offsetAt(position), newName);
    // The client shows a refused rename's message to the user.
    if (!result.ok) throw new Error(result.message);
    return { changes: { [textDocument.uri]: result.edits.map(toLspEdit) } };
  });

  connection.onCompletion(({ textDocument, position }) => {
    const hit = checked(textDocument.uri);
    if (!hit) return [];
    const { state } = hit;
    return completions(state.check, hit.document.offsetAt(position), (text) => state.completionSession.update(text)).map((item) => ({
      label: item.label,
      kind: COMPLETION_KINDS[item.kind],
      detail: item.detail || undefined,
      documentation: item.documentation ? { kind: 'markdown', value: item.documentation } : undefined,
    }));
  });

  connection.onDocumentSymbol(({ textDocument }) => {
    const hit = checked(textDocument.uri);
    return hit ? outline(hit.state.check).map(toDocumentSymbol) : [];
  });

  connection.languages.semanticTokens.on(({ textDocument }) => {
    const hit = checked(textDocument.uri);
    if (!hit) return { data: [] };
    return { data: encodeSemanticTokens(semanticTokens(hit.state.check)) };
  });

  connection.onCodeAction(({ textDocument, range }) => {
    const hit = checked(textDocument.uri);
    if (!hit) return [];
    const { document, state } = hit;
    return codeActions(state.check, document.offsetAt(range.start), document.offsetAt(range.end)).map(
      (action): LspCodeAction => ({
        title: action.title,
        kind: action.kind === 'quickfix' ? CodeActionKind.QuickFix : CodeActionKind.RefactorRewrite,
        diagnostics: action.diagnostic ? [toLspDiagnostic(action.diagnostic, state.check, textDocument.uri)] : undefined,
        isPreferred: action.preferred,
        edit: { changes: { [textDocument.uri]: action.edits.map(toLspEdit) } },
      }),
    );
  });

  connection.onDocumentFormatting(({ textDocument }) => {
    const document = documents.get(textDocument.uri);
    if (!document) return null;
    const text = document.getText();
    const result = format(text);
    // A file that does not parse is left alone; its syntax error is already among the diagnostics.
    if (!result.ok || result.text === text) return [];
    return [{ range: { start: { line: 0, character: 0 }, end: document.positionAt(text.length) }, newText: result.text }];
  });

  documents.listen(connection);
  connection.listen();
}

/** The name diagnostics and `#line` would use: the file path for file: URIs. */
function displayName(uri: string): string {
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri);
    } catch {
      // an unusual file URI: fall through
    }
  }
  return uri.split('/').pop() || 'untitled.ks';
}

/** LSP positions are 0-based; the compiler's lines and columns are 1-based, columns in UTF-16 code units as LSP's. */
export function toRange(span: Span): Range {
  return { start: { line: span.start.line - 1, character: span.start.column - 1 }, end: { line: span.end.line - 1, character: span.end.column - 1 } };
}

function pointRange(location: { line: number; column: number }): Range {
  const position = { line: location.line - 1, character: location.column - 1 };
  return { start: position, end: position };
}

function toLspEdit(edit: TextEdit): LspTextEdit {
  return { range: toRange(edit.span), newText: edit.newText };
}

const SEVERITIES = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

function toLspDiagnostic(diagnostic: Diagnostic, check: DocumentCheck, uri: string): LspDiagnostic {
  const related = relatedLocations(check, diagnostic);
  return {
    range: diagnostic.span ? toRange(diagnostic.span) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: SEVERITIES[diagnostic.severity],
    source: 'kernelscript',
    code: diagnostic.code,
    message: [diagnostic.message, ...diagnostic.notes].join('\n'),
    ...(related.length > 1 ? { relatedInformation: related.map((r) => ({ location: { uri, range: pointRange(r.location) }, message: r.message })) } : {}),
  };
}

const COMPLETION_KINDS: Record<CompletionKind, CompletionItemKind> = {
  variable: CompletionItemKind.Variable,
  parameter: CompletionItemKind.Variable,
  field: CompletionItemKind.Field,
  method: CompletionItemKind.Method,
  function: CompletionItemKind.Function,
  constant: CompletionItemKind.Constant,
  'enum-member': CompletionItemKind.EnumMember,
  struct: CompletionItemKind.Struct,
  enum: CompletionItemKind.Enum,
  type: CompletionItemKind.TypeParameter,
  keyword: CompletionItemKind.Keyword,
  module: CompletionItemKind.Module,
  property: CompletionItemKind.Property,
};

const SYMBOL_KINDS: Record<OutlineKind, SymbolKind> = {
  map: SymbolKind.Variable,
  program: SymbolKind.Module,
  function: SymbolKind.Function,
  struct: SymbolKind.Struct,
  field: SymbolKind.Field,
  enum: SymbolKind.Enum,
  variant: SymbolKind.EnumMember,
  alias: SymbolKind.TypeParameter,
  const: SymbolKind.Constant,
  config: SymbolKind.Property,
  userspace: SymbolKind.Namespace,
};

function toDocumentSymbol(item: OutlineItem): DocumentSymbol {
  return DocumentSymbol.create(item.name, item.detail || undefined, SYMBOL_KINDS[item.kind], toRange(item.span), toRange(item.selection), item.children.map(toDocumentSymbol));
}

/** LSP's relative encoding: line delta, start delta, length, type index, modifier bits. Tokens never span lines here. */
export function encodeSemanticTokens(tokens: ReturnType<typeof semanticTokens>): number[] {
  const data: number[] = [];
  let line = 0;
  let character = 0;
  let previousStart = -1;
  for (const token of tokens) {
    if (token.span.start.offset === previousStart) continue;
    previousStart = token.span.start.offset;
    const tokenLine = token.span.start.line - 1;
    const tokenCharacter = token.span.start.column - 1;
    const length = token.span.end.offset - token.span.start.offset;
    if (token.span.end.line !== token.span.start.line || length <= 0) continue;
    data.push(tokenLine - line, tokenLine === line ? tokenCharacter - character : tokenCharacter, length, SEMANTIC_TOKEN_TYPES.indexOf(token.type), token.modifiers.reduce((bits, m) => bits | (1 << SEMANTIC_TOKEN_MODIFIERS.indexOf(m)), 0));
    line = tokenLine;
    character = tokenCharacter;
  }
  return data;
}
