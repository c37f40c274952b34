// libbpf is loaded on first use, not at import, and a libbpf that is missing
// or is not libbpf 1.x fails that first use with an error naming the package
// to install. Each case runs in its own Node process (the built runtime), with
// KERNELSCRIPT_LIBBPF pointing where the library is looked for.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const RUNTIME = pathToFileURL(join(import.meta.dirname, '../dist/index.js')).href;
// The smallest ELF object that passes the runtime's own sanity check (a header and a section name table)
// but that libbpf refuses at open: it has no symbol table.
const EMPTY_SYSTEM = "{ metadata: { name: 'empty', programs: {}, maps: {}, config: {}, tailCalls: null }, object: minimalElf() }";
const MINIMAL_ELF = `
function minimalElf() {
  const bytes = Buffer.alloc(208);
  bytes.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  bytes.writeUInt16LE(1, 16); // ET_REL
  bytes.writeUInt16LE(247, 18); // EM_BPF
  bytes.writeUInt32LE(1, 20);
  bytes.writeBigUInt64LE(80n, 40); // section headers after the name table
  bytes.writeUInt16LE(64, 52);
  bytes.writeUInt16LE(64, 58);
  bytes.writeUInt16LE(2, 60);
  bytes.writeUInt16LE(1, 62);
  bytes.write('\\0.shstrtab\\0', 64, 'latin1');
  const names = 80 + 64;
  bytes.writeUInt32LE(1, names);
  bytes.writeUInt32LE(3, names + 4); // SHT_STRTAB
  bytes.writeBigUInt64LE(64n, names + 24);
  bytes.writeBigUInt64LE(11n, names + 32);
  return bytes;
}`;

/** Imports the runtime, reports whether libbpf is mapped, then calls load() and prints what it threw. */
const PROBE = `
import { readFileSync } from 'node:fs';
const { load } = await import(${JSON.stringify(RUNTIME)});
const mapped = () => /libbpf/.test(readFileSync('/proc/self/maps', 'utf8'));
${MINIMAL_ELF}
console.log(JSON.stringify({ mappedAfterImport: mapped() }));
try {
  load(${EMPTY_SYSTEM});
} catch (error) {
  console.log(JSON.stringify({ message: error.message, mappedAfterLoad: mapped() }));
}
`;

async function probe(libbpf?: string): Promise<{ mappedAfterImport: boolean; message: string; mappedAfterLoad: boolean }> {
  const env = libbpf === undefined ? {} : { KERNELSCRIPT_LIBBPF: libbpf };
  const { stdout } = await execa(process.execPath, ['--input-type=module', '-e', PROBE], { env });
  const [imported, loaded] = stdout.split('\n').map((line) => JSON.parse(line));
  return { ...imported, ...loaded };
}

describe('loading libbpf', () => {
  it('is deferred until the first call: importing the runtime maps no libbpf', async () => {
    const result = await probe();
    expect(result.mappedAfterImport).toBe(false);
    // The first call did load it (and libbpf refused the object without a symbol table).
    expect(result.mappedAfterLoad).toBe(true);
    expect(result.message).toMatch(/^opening the object of 'empty' failed/);
  });

  it('names the Debian package when libbpf.so.1 is missing', async () => {
    const result = await probe('/nonexistent/libbpf.so.1');
    expect(result.mappedAfterImport).toBe(false);
    expect(result.message).toMatch(/^@kernelscript\/runtime cannot load \/nonexistent\/libbpf\.so\.1 \(.*No such file or directory\)/);
    expect(result.message).toContain('apt-get install libbpf1');
  });

  it('says a library without libbpf 1.x functions is not a usable libbpf', async () => {
    // libz is a real shared library that lacks every libbpf symbol.
    const { stdout } = await execa('ldconfig', ['-p']);
    const libz = /libz\.so\.1 \([^)]*\) => (\S+)/.exec(stdout)![1]!;
    const result = await probe(libz);
    expect(result.message).toBe(
      `@kernelscript/runtime: ${libz} is not a usable libbpf 1.x (Cannot find function 'bpf_object__open_mem' in shared library): ` +
        'install libbpf 1.x (Debian/Ubuntu: `apt-get install libbpf1`, Fedora: `dnf install libbpf`) or set KERNELSCRIPT_LIBBPF to its path',
    );
  });
});
