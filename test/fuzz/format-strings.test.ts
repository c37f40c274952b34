// print/bpf_printk format strings are checked against their values, count and
// type, as C compilers check printf (issue 15, item 14: `print("%s\n", 42)`
// was accepted and the coordinator segfaulted). What is accepted must build
// with gcc -Wformat -Werror and clang -Werror, and print what it says.
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { describeKernel } from '../helpers/kernel.js';
import { compile } from '../../packages/compiler/src/compile.js';
import { formatDiagnostic } from '../../packages/compiler/src/diagnostics/format.js';
import { buildSystem } from '../helpers/build.js';

const system = (kernel: string, user: string) => `map<u32, u64> wide : Array(4);
map<u32, u32> narrow : Array(4);
program p : xdp {
  fn main(ctx: XdpContext) -> XdpAction {
    ${kernel}
    return XDP_PASS;
  }
}
userspace {
  fn main(argc: u32, argv: u64) -> i32 {
    ${user}
    return 0;
  }
}
`;

function error(statement: string, side: 'kernel' | 'user'): string {
  const source = side === 'kernel' ? system(statement, '') : system('', statement);
  const result = compile(source, { filename: 'fmt.ks' });
  expect(result.ok, statement).toBe(false);
  return formatDiagnostic(result.diagnostics.find((d) => d.severity === 'error')!, 'fmt.ks', source).split('\n')[0]!;
}

describe('format strings', () => {
  it.each(['kernel', 'user'] as const)('refuses in %s code what printf would misread', (side) => {
    const line = side === 'kernel' ? 5 : 11;
    expect(error('print("%s\\n", 42);', side)).toBe(`fmt.ks:${line}:19: error[KS6042]: %s prints a [u8; N] string, not a u32`);
    expect(error('print("%ls\\n", 42);', side)).toMatch(/'%ls' prints a string: it takes no length modifier/);
    expect(error('print("%p\\n", 42);', side)).toMatch(/'%p' is not a conversion print supports/);
    expect(error('print("%f\\n", 42);', side)).toMatch(/'%f' is not a conversion print supports: the conversions are %d %i %u %x %X %c %s/);
    expect(error('print("%u %u\\n", 1);', side)).toBe(`fmt.ks:${line}:11: error[KS3413]: the format has 2 conversions, but 1 value follows`);
    expect(error('print("%u\\n", 1, 2);', side)).toBe(`fmt.ks:${line}:22: error[KS3413]: the format has 1 conversion, but 2 values follow`);
    expect(error('print("100%\\n");', side)).toMatch(/'%\\n' is not a conversion print supports/);
    expect(error('print("100%");', side)).toMatch(/the format ends in the middle of a conversion \('%'\); write %% for a percent sign/);
    expect(error('print("%u\\n", wide[0]);', side)).toBe(`fmt.ks:${line}:19: error[KS3414]: '%u' prints a 32-bit value, but this is u64: write %llu`);
    expect(error('print("%lu\\n", wide[0]);', side)).toMatch(/'%lu' has the length modifier 'l': write %llu for a 64-bit value, %u for anything narrower/);
    expect(error('print("%5.2d\\n", 1);', side)).toMatch(/'%5\.' is not a conversion print supports/);
    if (side === 'kernel') expect(error('print("%o\\n", 1);', side)).toMatch(/'%o' is not a conversion bpf_printk supports: the kernel's are/);
  });

});

describeKernel('format strings in a built system', () => {
  it('builds what it accepts with gcc -Wformat -Werror and clang -Werror, and prints it, widening values for %ll', async () => {
    const statement = (minus3: string) => `print("%u %d %x %X %c %% %llu %lld %llx %-5u|%05d\\n", narrow[0], ${minus3}, 255, 255, 65, wide[1], -4, narrow[2], 7, 42);`;
    // Kernel print takes at most three values (as bpf_printk): the kernel side prints a shorter line.
    const built = await buildSystem(system('print("%llu %d %c\\n", 42, -1, 66);', statement('0 - 3')), 'fmt.ks', { coordinator: true });
    try {
      // The literal 42 is an int in C: %llu and %lld get their arguments as 64-bit values.
      // (KS_LOG: kernel print writes the line into the log ring buffer, formatted by bpf_snprintf.)
      expect(built.ebpfC).toContain('KS_LOG("%llu %d %c\\n", (__u64)42, -1, 66);');
      const run = await execa(built.coordinator, [], { reject: false });
      expect(run.exitCode).toBe(0);
      expect(run.stdout.split('\n')).toContain('0 -3 ff FF A % 0 -4 0 7    |00042');
    } finally {
      await built.cleanup();
    }
  });
});
