import { describe, expect, it } from 'vitest';
import { movePinPath, pinPathProblem, pinRootProblem } from '../src/pin-path.js';

describe('pin paths', () => {
  it('accepts normal paths under /sys/fs/bpf, any printable characters included', () => {
    for (const path of ['/sys/fs/bpf/m', '/sys/fs/bpf/a/b/c', '/sys/fs/bpf/café', '/sys/fs/bpf/with space', `/sys/fs/bpf/${'x'.repeat(255)}`]) {
      expect(pinPathProblem(path), path).toBeNull();
    }
  });

  it('refuses what escapes, truncates or is not the path that would be pinned', () => {
    expect(pinPathProblem('/sys/fs/bpf/../../../tmp/x')).toBe("it climbs out of /sys/fs/bpf/ with '..'");
    expect(pinPathProblem('/sys/fs/bpf/a/../b')).toBe('it is not in normal form (no \'.\', \'..\' or empty segments): write "/sys/fs/bpf/b"');
    expect(pinPathProblem('/sys/fs/bpf//m')).toMatch(/^it is not in normal form.*"\/sys\/fs\/bpf\/m"$/);
    expect(pinPathProblem('/sys/fs/bpf/m/')).toMatch(/^it is not in normal form/);
    expect(pinPathProblem('/sys/fs/bpf/./m')).toMatch(/^it is not in normal form/);
    expect(pinPathProblem('/sys/fs/bpf/m\0/etc/passwd')).toBe('it contains the control character U+0000');
    expect(pinPathProblem('/sys/fs/bpf/a\nb')).toBe('it contains the control character U+000A');
    expect(pinPathProblem('/sys/fs/bpf/a\u007f')).toBe('it contains the control character U+007F');
    expect(pinPathProblem('/sys/fs/bpf/a\u0085')).toBe('it contains the control character U+0085');
    expect(pinPathProblem('/sys/fs/bpf')).toBe('it must be under /sys/fs/bpf/');
    expect(pinPathProblem('/sys/fs/bpfx/m')).toBe('it must be under /sys/fs/bpf/');
    expect(pinPathProblem('/tmp/m')).toBe('it must be under /sys/fs/bpf/');
    expect(pinPathProblem(`/sys/fs/bpf/${'é'.repeat(128)}`)).toBe('a segment is longer than 255 bytes');
    expect(pinPathProblem(`/sys/fs/bpf/${'a/'.repeat(2100)}a`)).toBe('it is longer than 4095 bytes');
  });

  it('moves a checked path under a pin root, which must be absolute and normal', () => {
    expect(movePinPath('/sys/fs/bpf/a/m', '/sys/fs/bpf/test-1')).toBe('/sys/fs/bpf/test-1/a/m');
    expect(pinRootProblem('/sys/fs/bpf/test-1')).toBeNull();
    expect(pinRootProblem('relative/dir')).toBe('it must be an absolute path');
    expect(pinRootProblem('/sys/fs/bpf/t/../..')).toBe('it is not in normal form: write "/sys/fs"');
    expect(pinRootProblem('/sys/fs/bpf/t/')).toBe('it is not in normal form: write "/sys/fs/bpf/t"');
    expect(pinRootProblem('/sys/fs/bpf/t\0')).toBe('it contains the control character U+0000');
  });
});
