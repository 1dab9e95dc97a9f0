import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['test/**/*.test.ts'],
    // Fault tests cut a PostgreSQL connection or signal a server on PostgreSQL: without DATABASE_URL
    // they are not collected at all (rather than skipped).
    exclude: ['test/e2e/**', 'test/bench/**', 'node_modules/**', ...(process.env.DATABASE_URL ? [] : ['test/faults/**'])],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Vitest's default is one worker fewer than the cores: one on CI's two, which leaves a core idle
    // while a file waits on a server process, PostgreSQL or a timer. Two keep both cores busy.
    maxWorkers: 2,
    // One migration per engine per run, each test file's database a copy of it (test/helpers/databases.ts);
    // the server compiled once for the tests that start it as a process (test/helpers/built-server.ts).
    globalSetup: ['test/helpers/migrated-databases.ts', 'test/helpers/built-server.ts'],
  },
})
