import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/build.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores here: timing-sensitive suites must not fight each other for them.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
