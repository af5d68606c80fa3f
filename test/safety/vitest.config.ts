// The safety suites are pure unit tests (no Temporal, model server, Postgres or Redis), so they can run
// without the global setup that starts those: vitest run --config test/safety/vitest.config.ts
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/safety/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
