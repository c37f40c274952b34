// Names from the .ks file in generated C (issue 15, item 11): every name C,
// libc, libbpf or the generated code already use, in every position a name
// can take, either gets a located error or compiles to C that clang -Werror
// and gcc -Werror build (`program static`, `map printf` and `struct int`
// used not to). Names are kept as written where that is safe.
import { describe, expect, it } from 'vitest';
import { compile } from '../../packages/compiler/src/compile.js';
import { cIdentifier, isReservedInC, RESERVED_C_NAMES } from '../../packages/compiler/src/language/c-identifiers.js';
import { buildSystem } from '../helpers/build.js';

const NAMES = [...new Set([...RESERVED_C_NAMES, 'ks_tail_calls', 'ks_x', 'bpf_x', 'BPF_X', '__x', '_X', 'libbpf_x'])];

const PROGRAM = (body: string) => `program p : xdp {\n  fn main(ctx: XdpContext) -> XdpAction {\n${body}    return XDP_PASS;\n  }\n}\n`;
const USERSPACE = (body: string) => `userspace {\n  fn main(argc: u32, argv: u64) -> i32 {\n${body}    return 0;\n  }\n}\n`;

/** Each position: a declaration using `name` (index `i` keeps several apart), and a use of it in a program and in userspace. */
const POSITIONS: Record<string, { declare(name: string, i: number): string; kernel(name: string, i: number): string; user(name: string, i: number): string }> = {
  map: { declare: (n) => `map<u32, u32> ${n} : HashMap(4);\n`, kernel: (n) => `    ${n}[1] = 1;\n`, user: (n, i) => `    let r${i} = ${n}[1];\n    if r${i} != null { print("%u\\n", r${i}); }\n` },
  struct: { declare: (n, i) => `struct ${n} { a: u32 }\nmap<u32, ${n}> sm${i} : HashMap(4);\n`, kernel: (n, i) => `    sm${i}[1] = ${n} { a: 1 };\n`, user: (n, i) => `    let r${i} = sm${i}[1];\n    if r${i} != null { print("%u\\n", r${i}.a); }\n` },
  'kernel helper': { declare: (n) => `fn ${n}(x: u32) -> u32 {\n  return x + 1;\n}\n`, kernel: (n, i) => `    let h${i} = ${n}(${i});\n    if h${i} == 0 { return XDP_DROP; }\n`, user: () => '' },
  local: { declare: () => '', kernel: (n) => `    let ${n}: u32 = 1;\n    ${n} = ${n} + 1;\n    if ${n} == 0 { return XDP_DROP; }\n`, user: (n) => `    let ${n}: u32 = 2;\n    print("%u\\n", ${n});\n` },
  parameter: { declare: (n) => `fn f_${cIdentifier(n)}(${n}: u32) -> u32 {\n  return ${n} * 2;\n}\n`, kernel: (n, i) => `    if f_${cIdentifier(n)}(${i}) == 1 { return XDP_DROP; }\n`, user: () => '' },
};

function compiles(source: string): boolean {
  const result = compile(source, { filename: 'names.ks' });
  for (const diagnostic of result.diagnostics.filter((d) => d.severity === 'error')) {
    expect(diagnostic.message).not.toMatch(/internal/);
    expect(diagnostic.span).not.toBeNull();
  }
  return result.ok;
}

describe('reserved names in generated C', () => {
  it('the mapping is one-to-one and keeps safe names as written', () => {
    expect(cIdentifier('packets')).toBe('packets');
    expect(cIdentifier('printf')).toBe('ks_printf');
    expect(cIdentifier('ks_printf')).toBe('ks_ks_printf');
    const mapped = new Map<string, string>();
    for (const name of [...NAMES, ...NAMES.map((n) => `ks_${n}`), 'packets', 'printf_', 'Printf']) {
      const c = cIdentifier(name);
      expect(mapped.get(c) ?? name, `${name} and ${mapped.get(c)} both become ${c}`).toBe(name);
      mapped.set(c, name);
      expect(isReservedInC(c) && !c.startsWith('ks_')).toBe(false);
    }
  });

  it('a reserved program or struct field name gets a located error', () => {
    for (const name of ['static', 'printf', 'errno', 'bpf_x', '__x']) {
      const program = compile(`program ${name} : xdp {\n  fn main(ctx: XdpContext) -> XdpAction {\n    return XDP_PASS;\n  }\n}\n`, { filename: 'n.ks' });
      expect(program.diagnostics[0]?.message ?? '', name).toMatch(/^'.*' cannot name a program: C, libc, libbpf or the generated code already use it/);
      const field = compile(`struct S { ${name}: u32 }\n${PROGRAM('')}`, { filename: 'n.ks' });
      expect(field.diagnostics[0]?.message ?? '', name).toMatch(/cannot name a struct field/);
    }
  });

  it.each(Object.keys(POSITIONS))('every reserved name as a %s is refused with a located error or builds with clang and gcc', async (positionName) => {
    const position = POSITIONS[positionName]!;
    // Names the language itself refuses there (its keywords, say) are fine, as long as the error is located.
    const accepted = NAMES.filter((name) => compiles(position.declare(name, 0) + PROGRAM(position.kernel(name, 0)) + USERSPACE(position.user(name, 0))));
    expect(accepted.length).toBeGreaterThan(NAMES.length / 2);
    const source = accepted.map((n, i) => position.declare(n, i)).join('') + PROGRAM(accepted.map((n, i) => position.kernel(n, i)).join('')) + USERSPACE(accepted.map((n, i) => position.user(n, i)).join(''));
    const built = await buildSystem(source, 'names.ks', { coordinator: true });
    await built.cleanup();
  }, 240_000);
});
