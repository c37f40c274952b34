// Everything that reaches generated C from a .ks file is escaped by
// construction (issue 15, items 10, 12, 13): one function writes C string
// literals (cString), one writes comments (cComment), and the C compiler
// itself is the judge — it must read back exactly the bytes we meant, and no
// text can leave the literal or the comment it was put in.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile } from '../../packages/compiler/src/compile.js';
import { cComment, cString } from '../../packages/compiler/src/phases/6-codegen/c-types.js';
import { buildSystem } from '../helpers/build.js';

const LONG = process.env.KS_LONG === '1';

/** Strings that have broken generated C before: quotes, backslashes, comment ends, trigraphs, hex-digit runs, non-ASCII. */
const HOSTILE = ['"', '\\', '*/', '/*', '??/', '??=', '\n', '\r', '\t', '\0', '\x7f', 'é', '✓', '\u{1F600}', '\\x41', 'a"; puts("x"); "', 'é1f', '\x012'];

async function withGcc<T>(source: string, body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'ks-escape-'));
  try {
    await writeFile(join(dir, 'probe.c'), source);
    await execa('gcc', ['-std=gnu11', '-Wall', '-Wextra', '-Werror', '-trigraphs', '-o', join(dir, 'probe'), join(dir, 'probe.c')], { cwd: dir });
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('C string literals and comments', () => {
  it('gcc reads back the exact UTF-8 bytes of every string cString writes, even with trigraphs on', async () => {
    const strings = [...HOSTILE, HOSTILE.join(''), ...fc.sample(fc.string({ unit: 'binary', maxLength: 40 }), { numRuns: LONG ? 2000 : 200, seed: 15 })];
    // One probe prints each literal's bytes as hex, one line per string; `sizeof - 1` counts embedded NULs too.
    const rows = strings.map((text) => `    dump(${cString(text)}, sizeof ${cString(text)} - 1);`).join('\n');
    const source = `#include <stdio.h>
static void dump(const char *s, unsigned long n) { for (unsigned long i = 0; i < n; i++) printf("%02x", (unsigned char)s[i]); printf("\\n"); }
int main(void) {
${rows}
    return 0;
}
`;
    const lines = await withGcc(source, async (dir) => (await execa(join(dir, 'probe'))).stdout.split('\n'));
    expect(lines).toEqual(strings.map((text) => Buffer.from(text, 'utf8').toString('hex')));
  });

  it('no text closes a comment cComment writes or starts a line of its own', async () => {
    const texts = [...HOSTILE, '*/ int injected = 1; /*', ...fc.sample(fc.string({ unit: 'binary', maxLength: 40 }), { numRuns: LONG ? 2000 : 200, seed: 16 })];
    for (const text of texts) expect(cComment(text).split('\n')).toHaveLength(1);
    // Every comment sits between two halves of one declaration: any escape would break it or add a symbol.
    const source = `int probe_value = 1 ${texts.map(cComment).join(' ')} + 2;\nint main(void) { return probe_value == 3 ? 0 : 1; }\n`;
    await withGcc(source, async (dir) => {
      expect((await execa(join(dir, 'probe'), { reject: false })).exitCode).toBe(0);
      const symbols = (await execa('nm', [join(dir, 'probe')])).stdout;
      expect(symbols).not.toMatch(/injected/);
    });
  });
});

const pinned = (pinPath: string) => `map<u32, u32> m : HashMap(16) {
  pinned: ${JSON.stringify(pinPath)}
};
program p : xdp {
  fn main(ctx: XdpContext) -> XdpAction {
    m[1] = 1;
    return XDP_PASS;
  }
}
userspace {
  fn main(argc: u32, argv: u64) -> i32 {
    print("é ✓ %u\\n", m[1]);
    return 0;
  }
}
`;

describe('text from the .ks file in generated C', () => {
  it('a pin path holding */ stays inside its comment and its string in the built coordinator (item 12)', async () => {
    const built = await buildSystem(pinned('/sys/fs/bpf/x*/ puts("INJECTED C RAN"); /*'), 'pin.ks', { coordinator: true });
    try {
      // The preprocessor drops comments: what is left of the injection must be only the string passed to libbpf.
      const code = (await execa('gcc', ['-E', '-P', `${built.result.name}.c`], { cwd: built.dir })).stdout;
      const mentions = code.split('\n').filter((line) => line.includes('INJECTED'));
      expect(mentions).toEqual([`    err = bpf_map__set_pin_path(bpf_object__find_map_by_name(bpf_obj, "m"), "/sys/fs/bpf/x*/ puts(\\"INJECTED C RAN\\"); /*");`]);
    } finally {
      await built.cleanup();
    }
  });

  it('non-ASCII text is written as its UTF-8 bytes, in the kernel and in userspace, so both pin the same path (item 13)', async () => {
    const built = await buildSystem(pinned('/sys/fs/bpf/café_✓'), 'utf8.ks', { coordinator: true });
    try {
      expect(built.coordinatorC).toContain(cString('/sys/fs/bpf/café_✓'));
      expect(built.coordinatorC).toContain('"\\303\\251 \\342\\234\\223 %u\\n"');
      const binary = await readFile(built.coordinator);
      expect(binary.includes(Buffer.from('/sys/fs/bpf/café_✓', 'utf8'))).toBe(true);
      expect(binary.includes(Buffer.from('é ✓ %u\n', 'utf8'))).toBe(true);
    } finally {
      await built.cleanup();
    }
  });

  it('program targets are names, checked before they reach SEC() (item 10)', () => {
    for (const kind of ['kprobe', 'kretprobe', 'raw_tracepoint', 'tracepoint']) {
      for (const target of ['do_sys\nopen', 'do_sys"open', 'a\\"); int x; SEC("', 'sys/enter*/']) {
        const source = `program p : ${kind}(${JSON.stringify(target)}) {\n  fn main(ctx: ${kind === 'tracepoint' ? 'TracepointContext' : kind === 'raw_tracepoint' ? 'RawTracepointContext' : 'KprobeContext'}) -> i32 {\n    return 0;\n  }\n}\n`;
        const result = compile(source, { filename: 'target.ks' });
        expect(result.ok, `${kind}(${JSON.stringify(target)})`).toBe(false);
        expect(result.diagnostics[0]!.message).toMatch(new RegExp(`^a ${kind} target is `));
        expect(result.diagnostics[0]!.message.endsWith(`, not ${JSON.stringify(target)}`)).toBe(true);
      }
    }
  });
});
