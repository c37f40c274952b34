// Every code block of every README works as written, on this Node (20). Each
// block is preceded by an invisible `<!-- snippet: HOW -->` comment saying how
// it is proven; a `ts`, `js` or `kernelscript` block without one fails:
//
//   compile                      the KernelScript source compiles without errors
//   build APP [FILE]             the block's files (each starting with a `// path`
//                                comment, or the whole block as FILE) replace those
//                                of a copy of examples/APP, which then type-checks
//                                (`typecheck` script) and builds, and Node parses every
//                                built .js file; the app's main.ts gains a `using`
//                                statement first, so a config that leaves `using` to
//                                Node 20 (which cannot parse it) fails
//   typecheck NAME=PATH… [error=TSnnnn]
//                                tsc accepts the block beside NAME (a copy of PATH,
//                                with its declarations), or reports exactly that error
//   run NAME=PATH…               Node runs the block (types stripped); each
//                                `console.log(…); // expected` prints the expected text
//   tested-by TEST               part of a walkthrough a whole test follows (the file must exist)
//   skip: WHY                    shell commands, file fragments, and configurations of
//                                editors the test machines do not have (Lua, TOML, Rust)
import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { execa } from 'execa';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../../packages/compiler/src/index.js';
import { REPO_ROOT } from '../helpers/build.js';
import { copyTrackedFiles } from '../helpers/tarballs.js';

const READMES = ['README.md', 'packages/compiler/README.md', 'packages/runtime/README.md', 'packages/unplugin/README.md', 'packages/shared/README.md'];
const TIMEOUT = 180_000;
const KERNELSCRIPT = join(REPO_ROOT, 'packages/compiler/bin/kernelscript.js');
/** Packages a snippet may import, linked into its scratch project. */
const LINKED = {
  '@kernelscript/compiler': 'packages/compiler',
  '@kernelscript/runtime': 'packages/runtime',
  '@kernelscript/shared': 'packages/shared',
  'unplugin-kernelscript': 'packages/unplugin',
  vitest: 'node_modules/vitest',
  '@types/node': 'node_modules/@types/node',
};

/** Code every built app carries: `using`, which TypeScript keeps and Node 20 cannot parse unless the bundler lowers it. */
const USING_PROBE = 'export function disposes(): void {\n  using resource = { [Symbol.dispose]() {} };\n  void resource;\n}\n';

interface Snippet {
  readme: string;
  line: number;
  language: string;
  code: string;
  how: string | null;
}

function snippetsOf(readme: string, text: string): Snippet[] {
  const snippets: Snippet[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const open = /^```(\S*)$/.exec(lines[index]!);
    if (!open) continue;
    const end = lines.indexOf('```', index + 1);
    const annotation = /^<!-- snippet: (.+) -->$/.exec(lines[index - 1] ?? '');
    snippets.push({ readme, line: index + 1, language: open[1]!, code: lines.slice(index + 1, end).join('\n') + '\n', how: annotation?.[1] ?? null });
    index = end;
  }
  return snippets;
}

const snippets = (await Promise.all(READMES.map(async (readme) => snippetsOf(readme, await readFile(join(REPO_ROOT, readme), 'utf8'))))).flat();
const scratch = await mkdtemp(join(tmpdir(), 'ks-snippets-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** `NAME=PATH` arguments: files copied into the scratch project under NAME. */
function fileArguments(args: string[]): [string, string][] {
  return args.filter((arg) => arg.includes('=') && !arg.startsWith('error=')).map((arg) => arg.split('=') as [string, string]);
}

async function project(name: string, files: [string, string][]): Promise<string> {
  const dir = join(scratch, name);
  await mkdir(join(dir, 'node_modules/@kernelscript'), { recursive: true });
  await mkdir(join(dir, 'node_modules/@types'), { recursive: true });
  for (const [module, path] of Object.entries(LINKED)) await symlink(join(REPO_ROOT, path), join(dir, 'node_modules', module));
  for (const [file, path] of files) await cp(join(REPO_ROOT, path), join(dir, file));
  return dir;
}

/** The block's files: split at `// path` comment lines that name a file, else the whole block as `fallback`. */
function blockFiles(code: string, fallback: string | undefined): [string, string][] {
  const parts = code.split(/^(?=\/\/ [\w./-]+\.(?:ts|mjs|js)\b)/m).filter((part) => part.trim() !== '');
  const named = parts.map((part) => [/^\/\/ ([\w./-]+\.(?:ts|mjs|js))\b/.exec(part)?.[1], part] as const);
  if (named.every(([file]) => file !== undefined)) return named as [string, string][];
  if (fallback === undefined) throw new Error('the block names no file and the annotation gives none');
  return [[fallback, code]];
}

async function jsFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile() && /\.(m?js|cjs)$/.test(entry.name)).map((entry) => join(entry.parentPath, entry.name));
}

const RUNNERS: Record<string, (snippet: Snippet, args: string[], id: string) => Promise<void>> = {
  async 'tested-by'(snippet, [test]) {
    expect(await readFile(join(REPO_ROOT, test!), 'utf8'), test).toContain(basename(snippet.readme));
  },

  async compile(snippet) {
    const result = compile(snippet.code, { filename: 'snippet.ks' });
    expect(result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error')).toEqual([]);
  },

  async build(snippet, [app, fallback], id) {
    const dir = join(scratch, id);
    await copyTrackedFiles(`examples/${app}`, dir);
    await symlink(join(REPO_ROOT, 'examples', app!, 'node_modules'), join(dir, 'node_modules'));
    const main = join(dir, 'src/main.ts');
    await writeFile(main, `${await readFile(main, 'utf8')}\n${USING_PROBE}`);
    for (const [file, contents] of blockFiles(snippet.code, fallback)) {
      await mkdir(dirname(join(dir, file)), { recursive: true });
      await writeFile(join(dir, file), contents);
    }
    for (const script of ['typecheck', 'build']) {
      const result = await execa('pnpm', ['run', script], { cwd: dir, reject: false, all: true });
      expect(result.exitCode, `${script}:\n${result.all}`).toBe(0);
    }
    const built = await jsFiles(join(dir, 'dist'));
    expect(built.length).toBeGreaterThan(0);
    for (const file of built) {
      const parsed = await execa(process.execPath, ['--check', file], { reject: false, all: true });
      expect(parsed.exitCode, `node --check ${basename(file)}:\n${parsed.all}`).toBe(0);
    }
  },

  async typecheck(snippet, args, id) {
    const dir = await project(id, fileArguments(args));
    await writeFile(join(dir, 'snippet.ts'), snippet.code);
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', allowArbitraryExtensions: true, strict: true,
          noEmit: true, skipLibCheck: true, lib: ['ES2022', 'ESNext.Disposable'], types: ['node'],
        },
        include: ['*.ts'],
      }),
    );
    if (fileArguments(args).some(([file]) => file.endsWith('.ks'))) await execa(process.execPath, [KERNELSCRIPT, 'types', '--quiet', '.'], { cwd: dir });
    const result = await execa(join(REPO_ROOT, 'node_modules/.bin/tsc'), ['-p', dir], { reject: false });
    const expected = args.find((arg) => arg.startsWith('error='))?.slice('error='.length);
    const errors = result.stdout.split('\n').filter((line) => /error TS\d+/.test(line));
    if (expected === undefined) expect(errors).toEqual([]);
    else expect(errors.map((line) => /error (TS\d+)/.exec(line)![1])).toEqual([expected]);
  },

  async run(snippet, args, id) {
    const dir = await project(id, fileArguments(args));
    const js = ts.transpileModule(snippet.code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    await writeFile(join(dir, 'snippet.mjs'), js);
    const { stdout } = await execa(process.execPath, ['snippet.mjs'], { cwd: dir });
    const expected = [...snippet.code.matchAll(/console\.log\(.*\); \/\/ (.*)$/gm)].map((match) => match[1]);
    expect(expected.length).toBeGreaterThan(0);
    expect(stdout.split('\n')).toEqual(expected);
  },
};

describe.each(READMES)('%s', (readme) => {
  const own = snippets.filter((snippet) => snippet.readme === readme && snippet.language !== '');
  it.each(own.map((snippet) => [`line ${snippet.line} (${snippet.language}: ${snippet.how ?? 'no annotation'})`, snippet] as const))(
    'snippet at %s works as written',
    async (_, snippet) => {
      expect(snippet.how, 'every code block says how it is tested').not.toBeNull();
      const [kind, ...args] = snippet.how!.split(/\s+/);
      if (kind === 'skip:') {
        expect(['bash', 'jsonc', 'lua', 'toml', 'rust'], 'only shell commands, fragments and editor configurations may be skipped').toContain(snippet.language);
        return;
      }
      await RUNNERS[kind!]!(snippet, args, `${basename(dirname(join(REPO_ROOT, readme)))}-${snippet.line}`);
    },
    TIMEOUT,
  );
});
