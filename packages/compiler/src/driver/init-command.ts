// `kernelscript init [dir] [--template xdp|tracepoint|vite|node]`: a starter
// project that builds and tests as it is. A template is a list of layers
// (folders under packages/compiler/templates) copied in order, with
// `{{name}}`, `{{program}}`, `{{dependencies}}` and `{{devDependencies}}`
// filled in; nothing that already exists is overwritten.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from './command.js';

export const TEMPLATES = ['xdp', 'tracepoint', 'vite', 'node'] as const;
export type Template = (typeof TEMPLATES)[number];

interface TemplateInfo {
  layers: string[];
  /** The .ks file's base name, in src/. */
  program: string;
  description: string;
  /** npm packages the project's code imports at run time, beside the runtime. */
  dependencies: string[];
  devDependencies: string[];
  /** What `pnpm build` produces. */
  builds: string;
}

/** The versions a new project starts from: those this repository is built and tested with. */
const TOOL_VERSIONS: Record<string, string> = {
  vitest: '^4.1.12',
  vite: '^8.3.8',
  esbuild: '^0.28.2',
  typescript: '^5.9.3',
  '@types/node': '^20.19.43',
};

const KERNEL_SIDE = ['@kernelscript/compiler', 'unplugin-kernelscript', 'vitest', 'vite', 'typescript', '@types/node'];

const TEMPLATE_INFO: Record<Template, TemplateInfo> = {
  xdp: {
    layers: ['common', 'vitest', 'counter', 'standalone'],
    program: 'counter',
    description: 'an XDP program that counts packets per IP protocol, with a C coordinator',
    dependencies: [],
    devDependencies: ['@kernelscript/runtime', ...KERNEL_SIDE],
    builds: 'build/: counter.ebpf.o, the counter coordinator (run it as root: sudo ./build/counter), its C sources and Makefile',
  },
  tracepoint: {
    layers: ['common', 'vitest', 'getppid', 'standalone'],
    program: 'getppid',
    description: 'a tracepoint program that counts getppid() calls per process, with a C coordinator',
    dependencies: [],
    devDependencies: ['@kernelscript/runtime', ...KERNEL_SIDE],
    builds: 'build/: getppid.ebpf.o, the getppid coordinator (run it as root: sudo ./build/getppid), its C sources and Makefile',
  },
  vite: {
    layers: ['common', 'counter', 'vite'],
    program: 'counter',
    description: 'a Vite library that imports an XDP counter from a .ks file and runs it with the Node runtime',
    dependencies: ['@kernelscript/runtime'],
    devDependencies: KERNEL_SIDE,
    builds: 'dist/: main.js and the eBPF object it loads',
  },
  node: {
    layers: ['common', 'vitest', 'counter', 'node'],
    program: 'counter',
    description: 'a Node CLI, bundled with esbuild, that attaches an XDP counter and prints what it counts',
    dependencies: ['@kernelscript/runtime'],
    devDependencies: [...KERNEL_SIDE, 'esbuild'],
    builds: 'dist/: main.js (run it as root: sudo node dist/main.js lo) and the eBPF object it loads',
  },
};

/** Files whose name npm would drop from a published package are stored under another name. */
const STORED_AS: Record<string, string> = { gitignore: '.gitignore' };

const templatesRoot = join(dirname(fileURLToPath(import.meta.url)), '../../templates');
const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export async function initCommand(dir: string, templateName: string, io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number> {
  if (!isTemplate(templateName)) throw new UsageError(`--template must be one of ${TEMPLATES.join(', ')}, got '${templateName}'`);
  const template = templateName;
  const target = resolve(dir);
  const info = TEMPLATE_INFO[template];
  const name = packageName(basename(target));
  const files = new Map<string, string>();
  for (const layer of info.layers) {
    for (const file of await filesUnder(join(templatesRoot, layer))) {
      const path = relative(join(templatesRoot, layer), file);
      files.set(join(dirname(path), STORED_AS[basename(path)] ?? basename(path)), await readFile(file, 'utf8'));
    }
  }
  files.set('README.md', readme(name, template, info));
  const existing = [...files.keys()].filter((path) => existsSync(join(target, path)));
  if (existing.length > 0) {
    io.stderr.write(`kernelscript init: ${relative(process.cwd(), target) || '.'} already has ${existing.join(', ')}; nothing was written\n`);
    return 1;
  }
  const fill = (text: string) =>
    text
      .replaceAll('{{name}}', name)
      .replaceAll('{{program}}', info.program)
      .replaceAll('{{dependencies}}', versions(info.dependencies))
      .replaceAll('{{devDependencies}}', versions(info.devDependencies));
  for (const [path, text] of files) {
    await mkdir(dirname(join(target, path)), { recursive: true });
    await writeFile(join(target, path), fill(text), { flag: 'wx' });
  }
  const cd = relative(process.cwd(), target);
  io.stdout.write(
    [
      `Created ${name} (${template}): ${info.description}.`,
      '',
      'Next:',
      ...(cd ? [`  cd ${cd}`] : []),
      '  pnpm install      # or npm install',
      '  pnpm build        # ' + info.builds.split(':')[0],
      '  sudo pnpm test    # loading eBPF programs needs root',
      '',
    ].join('\n'),
  );
  return 0;
}

function isTemplate(name: string): name is Template {
  return (TEMPLATES as readonly string[]).includes(name);
}

function versions(packages: string[]): string {
  const entries = packages.map((pkg) => `    "${pkg}": "${TOOL_VERSIONS[pkg] ?? `^${version}`}"`);
  return entries.length === 0 ? '{}' : `{\n${entries.join(',\n')}\n  }`;
}

/** A valid npm package name from a directory name. */
function packageName(dir: string): string {
  const name = dir.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+|[-]+$/g, '');
  return name || 'kernelscript-app';
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)])));
  return nested.flat().sort();
}

function readme(name: string, template: Template, info: TemplateInfo): string {
  const scripts = template === 'xdp' || template === 'tracepoint' ? ['`pnpm watch` rebuilds on every save of the `.ks` file.'] : [];
  return [
    `# ${name}`,
    '',
    `A KernelScript project (\`kernelscript init --template ${template}\`): ${info.description}.`,
    '',
    `- \`src/${info.program}.ks\` — the eBPF system: maps, programs${template === 'xdp' || template === 'tracepoint' ? ' and the userspace coordinator' : ''}.`,
    `- \`test/\` — a Vitest test that loads the programs into the kernel with \`@kernelscript/runtime\`.`,
    '',
    '## Commands',
    '',
    '```bash',
    'pnpm install',
    'pnpm build        # ' + info.builds,
    'sudo pnpm test    # loading eBPF programs needs root (or CAP_BPF and CAP_NET_ADMIN / CAP_PERFMON)',
    'pnpm typecheck    # TypeScript, with the .ks types written by `kernelscript types`',
    'pnpm fmt          # the canonical layout of the .ks files',
    '```',
    '',
    ...scripts.flatMap((line) => [line, '']),
    'Building needs clang and libbpf (Debian: `apt-get install clang llvm libbpf-dev bpftool`);',
    'the tests skip when not run as root.',
    '',
  ]
    .filter((line, i, all) => !(line === '' && all[i - 1] === ''))
    .join('\n');
}
