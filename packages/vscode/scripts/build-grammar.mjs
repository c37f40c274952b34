// Writes syntaxes/kernelscript.tmLanguage.json: the TextMate grammar, with
// the built-in names (types, functions, constants, map and program kinds)
// taken from the compiler's own tables, so the grammar never lags the
// language. The file is committed too, for other editors and the docs; a test
// checks it is what this script writes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { vocabulary } from '@kernelscript/compiler/services';

const words = (list) => `\\b(?:${[...new Set(list)].sort((a, b) => b.length - a.length || a.localeCompare(b)).join('|')})\\b`;
const IDENT = '[A-Za-z_][A-Za-z0-9_]*';

export function grammar() {
  const v = vocabulary();
  return {
    $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
    name: 'KernelScript',
    scopeName: 'source.kernelscript',
    fileTypes: ['ks'],
    patterns: [{ include: '#code' }],
    repository: {
      code: {
        patterns: [
          { include: '#comments' },
          { include: '#strings' },
          { include: '#chars' },
          { include: '#map-declaration' },
          { include: '#program-declaration' },
          { include: '#function-declaration' },
          { include: '#type-declaration' },
          { include: '#paths' },
          { include: '#numbers' },
          { include: '#keywords' },
          { include: '#types' },
          { include: '#builtins' },
          { include: '#calls' },
          { include: '#members' },
          { include: '#constants' },
          { include: '#operators' },
          { include: '#punctuation' },
        ],
      },
      comments: {
        patterns: [
          { name: 'comment.block.kernelscript', begin: '/\\*', end: '\\*/', beginCaptures: { 0: { name: 'punctuation.definition.comment.begin.kernelscript' } }, endCaptures: { 0: { name: 'punctuation.definition.comment.end.kernelscript' } } },
          { name: 'comment.line.double-slash.kernelscript', match: '(//).*$', captures: { 1: { name: 'punctuation.definition.comment.kernelscript' } } },
        ],
      },
      escapes: { name: 'constant.character.escape.kernelscript', match: '\\\\(?:x[0-9a-fA-F]{2}|[ntr\\\\"\'0])' },
      strings: {
        // Strings end at their line: the language has no multi-line strings, and a missing quote must not colour the rest of the file.
        name: 'string.quoted.double.kernelscript',
        begin: '"',
        end: '"|$',
        beginCaptures: { 0: { name: 'punctuation.definition.string.begin.kernelscript' } },
        endCaptures: { 0: { name: 'punctuation.definition.string.end.kernelscript' } },
        patterns: [{ include: '#escapes' }, { name: 'constant.other.placeholder.kernelscript', match: '%[-+ #0]*[0-9]*(?:\\.[0-9]+)?(?:ll|l|h|hh)?[diouxXcsp%]' }],
      },
      chars: {
        name: 'string.quoted.single.kernelscript',
        match: "'(?:(\\\\(?:x[0-9a-fA-F]{2}|[ntr\\\\\"'0]))|[^'\\\\\\n])'",
        captures: { 1: { name: 'constant.character.escape.kernelscript' } },
      },
      numbers: {
        patterns: [
          { name: 'constant.numeric.hex.kernelscript', match: '\\b0x[0-9a-fA-F_]+\\b' },
          { name: 'constant.numeric.octal.kernelscript', match: '\\b0o[0-7_]+\\b' },
          { name: 'constant.numeric.binary.kernelscript', match: '\\b0b[01_]+\\b' },
          { name: 'constant.numeric.decimal.kernelscript', match: '\\b[0-9][0-9_]*\\b' },
        ],
      },
      'map-declaration': {
        // map<K, V> name : Kind(max_entries)
        begin: '\\b(map)\\s*(<)',
        end: `(>)\\s*(${IDENT})?\\s*(:)?\\s*(${words(v.mapKinds).slice(2, -2)})?`,
        beginCaptures: { 1: { name: 'storage.type.map.kernelscript' }, 2: { name: 'punctuation.definition.typeparameters.begin.kernelscript' } },
        endCaptures: {
          1: { name: 'punctuation.definition.typeparameters.end.kernelscript' },
          2: { name: 'entity.name.variable.map.kernelscript' },
          3: { name: 'punctuation.separator.colon.kernelscript' },
          4: { name: 'support.type.map-kind.kernelscript' },
        },
        patterns: [{ include: '#comments' }, { include: '#numbers' }, { include: '#types' }, { include: '#punctuation' }],
      },
      'program-declaration': {
        match: `\\b(program)\\s+(${IDENT})\\s*(:)\\s*(?:(${words(v.programKinds).slice(2, -2)})\\b|(${IDENT}))?`,
        captures: {
          1: { name: 'storage.type.program.kernelscript' },
          2: { name: 'entity.name.namespace.program.kernelscript' },
          3: { name: 'punctuation.separator.colon.kernelscript' },
          4: { name: 'support.type.program-kind.kernelscript' },
          5: { name: 'invalid.illegal.program-kind.kernelscript' },
        },
      },
      'function-declaration': {
        match: `\\b(fn)\\s+(${IDENT})`,
        captures: { 1: { name: 'storage.type.function.kernelscript' }, 2: { name: 'entity.name.function.kernelscript' } },
      },
      'type-declaration': {
        match: `\\b(struct|enum|type)\\s+(${IDENT})`,
        captures: { 1: { name: 'storage.type.kernelscript' }, 2: { name: 'entity.name.type.kernelscript' } },
      },
      paths: {
        // Enum::Variant, XdpAction::Pass, program::map
        match: `\\b(${IDENT})\\s*(::)\\s*(${IDENT})`,
        captures: { 1: { name: 'entity.name.type.kernelscript' }, 2: { name: 'punctuation.separator.namespace.kernelscript' }, 3: { name: 'variable.other.enummember.kernelscript' } },
      },
      keywords: {
        patterns: [
          { name: 'keyword.control.kernelscript', match: words(v.controlKeywords) },
          { name: 'storage.type.kernelscript', match: words(v.declarationKeywords.filter((k) => k !== 'mut')) },
          { name: 'storage.modifier.kernelscript', match: '\\bmut\\b' },
          { name: 'keyword.operator.word.kernelscript', match: words(v.operatorKeywords) },
          { name: 'constant.language.kernelscript', match: words(v.literals) },
        ],
      },
      types: {
        patterns: [
          { name: 'support.type.primitive.kernelscript', match: words(v.primitiveTypes) },
          { name: 'support.type.builtin.kernelscript', match: words(v.builtinTypes) },
          { name: 'support.type.map-kind.kernelscript', match: `${words(v.mapKinds)}(?=\\s*\\()` },
          // User types are PascalCase by convention: a struct literal, a type after `:` or `as`.
          { name: 'entity.name.type.kernelscript', match: '\\b[A-Z][a-z0-9][A-Za-z0-9_]*\\b' },
        ],
      },
      builtins: {
        patterns: [
          { name: 'support.function.builtin.kernelscript', match: `${words(v.builtinFunctions)}(?=\\s*\\()` },
          { name: 'support.constant.action.kernelscript', match: words(v.actionConstants) },
          { name: 'support.constant.kernelscript', match: words(v.protocolConstants) },
        ],
      },
      calls: {
        match: `\\b(${IDENT})\\s*(?=(?:<[^<>()]*>)?\\s*\\()`,
        captures: { 1: { name: 'entity.name.function.kernelscript' } },
      },
      members: {
        patterns: [
          {
            // ctx.header<EthHdr>(0): the type arguments of a method call.
            begin: `(\\.)\\s*(${IDENT})\\s*(<)(?=[^<>()]*>\\s*\\()`,
            end: '>',
            beginCaptures: { 1: { name: 'punctuation.accessor.kernelscript' }, 2: { name: 'entity.name.function.member.kernelscript' }, 3: { name: 'punctuation.definition.typeparameters.begin.kernelscript' } },
            endCaptures: { 0: { name: 'punctuation.definition.typeparameters.end.kernelscript' } },
            patterns: [{ include: '#types' }, { include: '#numbers' }, { include: '#punctuation' }],
          },
          { match: `(\\.)\\s*(${IDENT})\\s*(?=(?:<[^<>()]*>)?\\s*\\()`, captures: { 1: { name: 'punctuation.accessor.kernelscript' }, 2: { name: 'entity.name.function.member.kernelscript' } } },
          { match: `(\\.)\\s*(${IDENT})`, captures: { 1: { name: 'punctuation.accessor.kernelscript' }, 2: { name: 'variable.other.property.kernelscript' } } },
        ],
      },
      constants: { name: 'variable.other.constant.kernelscript', match: '\\b[A-Z][A-Z0-9_]*\\b' },
      operators: {
        patterns: [
          { name: 'keyword.operator.arrow.kernelscript', match: '->|=>' },
          { name: 'keyword.operator.range.kernelscript', match: '\\.\\.' },
          { name: 'keyword.operator.assignment.compound.kernelscript', match: '(?:<<|>>|[-+*/%&|^])=' },
          { name: 'keyword.operator.bitwise.shift.kernelscript', match: '<<|>>' },
          { name: 'keyword.operator.comparison.kernelscript', match: '==|!=|<=|>=|<|>' },
          { name: 'keyword.operator.assignment.kernelscript', match: '=' },
          { name: 'keyword.operator.logical.kernelscript', match: '&&|\\|\\||!' },
          { name: 'keyword.operator.bitwise.kernelscript', match: '&|\\||\\^|~' },
          { name: 'keyword.operator.arithmetic.kernelscript', match: '[-+*/%]' },
        ],
      },
      punctuation: {
        patterns: [
          { name: 'punctuation.terminator.statement.kernelscript', match: ';' },
          { name: 'punctuation.separator.comma.kernelscript', match: ',' },
          { name: 'punctuation.separator.colon.kernelscript', match: ':' },
          { name: 'punctuation.section.braces.kernelscript', match: '[{}]' },
          { name: 'punctuation.section.brackets.kernelscript', match: '[\\[\\]]' },
          { name: 'punctuation.section.parens.kernelscript', match: '[()]' },
        ],
      },
    },
  };
}

export const GRAMMAR_PATH = join(import.meta.dirname, '../syntaxes/kernelscript.tmLanguage.json');

if (import.meta.url === `file://${process.argv[1]}`) writeFileSync(GRAMMAR_PATH, `${JSON.stringify(grammar(), null, 2)}\n`);
