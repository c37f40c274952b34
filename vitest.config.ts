import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    // Files may run in parallel: kernel tests isolate themselves with unique
    // bpffs pin dirs and network namespaces (test/helpers/kernel.ts).
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
