// `load(module)` typed from the declaration file the compiler writes for a
// `.ks` import: tsc accepts correct use without type arguments and rejects a
// wrong key, a wrong value use, a wrong or unknown config (also where the
// `.ks` declares none), a misspelled program, and attachAll() without the
// interface an xdp or tc program needs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDts } from '../../compiler/src/index.js';
import { compileOrThrow, EXAMPLES, REPO_ROOT } from '../../../test/helpers/build.js';

const TSC = join(REPO_ROOT, 'node_modules/.bin/tsc');

const CORRECT = `import { load } from '@kernelscript/runtime';
import flowTable, { type FlowKey, type FlowStats } from './flow_table.ks';
import sizeFilter from './size_filter.ks';
import getppid from './getppid_counter.ks';
import type { Attachment, ProgramHandle } from '@kernelscript/runtime';

const key: FlowKey = { saddr: 1, daddr: 2, sport: 3, dport: 4, protocol: 17 };
using flows = load(flowTable);
export const stats: FlowStats | undefined = flows.maps.flows.get(key);
export const packets: bigint | undefined = flows.maps.flows.get(key)?.packets;
export const all: [FlowKey, FlowStats][] = flows.maps.flows.getMany();

using filter = load(sizeFilter, { config: { max_packet_size: 100, udp_only: true }, pinRoot: '/sys/fs/bpf/x', verifierLog: 'stats' });
export const limit: number = filter.config.max_packet_size;
export const dropped: bigint | undefined = filter.maps.verdicts.get(1);

export const program: ProgramHandle<'xdp'> = filter.programs.drop_oversized;
export const kind: 'tc' = flows.programs.track_flows.kind;
export const attached: Attachment[] = filter.attachAll({ drop_oversized: 'eth0' });
export const byIndex: Attachment[] = flows.attachAll({ track_flows: { ifindex: 2 } });
using counter = load(getppid, { config: {} });
// Its tracepoint is declared: nothing to name, and the event may be overridden.
export const declared: Attachment[] = counter.attachAll();
export const overridden: Attachment[] = counter.attachAll({ count_getppid: 'syscalls/sys_enter_getpid' });
`;

/** Each wrong use, with the error tsc must report for it. */
const WRONG: Record<string, { source: string; error: RegExp }> = {
  'wrong-key.ts': {
    source: "import { load } from '@kernelscript/runtime';\nimport flowTable from './flow_table.ks';\nusing flows = load(flowTable);\nexport const wrong = flows.maps.flows.get(1);\n",
    error: /wrong-key\.ts\(4,\d+\): error TS2345: Argument of type 'number' is not assignable to parameter of type 'FlowKey'/,
  },
  'wrong-value.ts': {
    source: "import { load } from '@kernelscript/runtime';\nimport sizeFilter from './size_filter.ks';\nusing filter = load(sizeFilter);\nexport const wrong: number | undefined = filter.maps.verdicts.get(0);\n",
    error: /wrong-value\.ts\(4,\d+\): error TS2322: Type 'bigint \| undefined' is not assignable to type 'number \| undefined'/,
  },
  'wrong-config.ts': {
    source: "import { load } from '@kernelscript/runtime';\nimport sizeFilter from './size_filter.ks';\nusing filter = load(sizeFilter, { config: { max_packet_size: 100n } });\n",
    error: /wrong-config\.ts\(3,\d+\): error TS2322: Type 'bigint' is not assignable to type 'number'/,
  },
  'unknown-config.ts': {
    source: "import { load } from '@kernelscript/runtime';\nimport sizeFilter from './size_filter.ks';\nusing filter = load(sizeFilter, { config: { max_size: 100 } });\n",
    error: /unknown-config\.ts\(3,\d+\): error TS2353: Object literal may only specify known properties, and 'max_size' does not exist/,
  },
  'unknown-program.ts': {
    source: "import { load } from '@kernelscript/runtime';\nimport sizeFilter from './size_filter.ks';\nusing filter = load(sizeFilter);\nfilter.programs.drop_oversize.attach('eth0');\n",
    error: /unknown-program\.ts\(4,\d+\): error TS2551: Property 'drop_oversize' does not exist on type 'Programs'. Did you mean 'drop_oversized'\?/,
  },
  'config-without-config.ts': {
    source: "import { load } from '@kernelscript/runtime';\nimport flowTable from './flow_table.ks';\nusing flows = load(flowTable, { config: { max_packet_size: 100 } });\n",
    error: /config-without-config\.ts\(3,\d+\): error TS2322: Type 'number' is not assignable to type 'never'/,
  },
  'attach-without-interface.ts': {
    source: "import { load } from '@kernelscript/runtime';\nimport sizeFilter from './size_filter.ks';\nusing filter = load(sizeFilter);\nfilter.attachAll();\n",
    error: /attach-without-interface\.ts\(4,\d+\): error TS2554: Expected 1 arguments, but got 0/,
  },
  'attach-unknown-program.ts': {
    source: "import { load } from '@kernelscript/runtime';\nimport sizeFilter from './size_filter.ks';\nusing filter = load(sizeFilter);\nfilter.attachAll({ drop_oversized: 'eth0', drop: 'eth1' });\n",
    error: /attach-unknown-program\.ts\(4,\d+\): error TS2353: Object literal may only specify known properties, and 'drop' does not exist/,
  },
};

describe('typing of load() from a .ks declaration file', () => {
  let dir: string;
  let output: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ks-typing-'));
    for (const name of ['flow_table', 'size_filter', 'getppid_counter']) {
      const filename = `${name}.ks`;
      const result = compileOrThrow(await readFile(join(EXAMPLES, filename), 'utf8'), filename);
      writeFileSync(join(dir, `${name}.d.ks.ts`), generateDts({ filename, metadata: result.metadata!, analysis: result.analysis! }));
    }
    writeFileSync(join(dir, 'correct.ts'), CORRECT);
    for (const [file, { source }] of Object.entries(WRONG)) writeFileSync(join(dir, file), source);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'ESNext',
          moduleResolution: 'Bundler',
          allowArbitraryExtensions: true,
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          lib: ['ES2022', 'ESNext.Disposable'],
          types: ['node'],
          typeRoots: [join(REPO_ROOT, 'node_modules/@types')],
          paths: { '@kernelscript/runtime': [join(import.meta.dirname, '../src/index.ts')] },
        },
        include: ['*.ts'],
      }),
    );
    output = (await execa(TSC, ['-p', dir], { reject: false })).stdout;
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts correct use without type arguments: map values are the struct types, config is typed', () => {
    expect(output.split('\n').filter((line) => line.startsWith('correct.ts'))).toEqual([]);
  });

  it.each(Object.keys(WRONG))('rejects %s', (file) => {
    expect(output).toMatch(WRONG[file]!.error);
  });

  it('reports nothing else', () => {
    const lines = output.split('\n').filter((line) => /error TS/.test(line));
    expect(lines).toHaveLength(Object.keys(WRONG).length);
  });
});
