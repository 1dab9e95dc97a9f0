import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One migration per engine per run, each test file's database a copy of it (test/helpers/databases.ts);
    // the server compiled once for the tests that start it as a process (test/helpers/built-server.ts).
    globalSetup: ['test/helpers/migrated-databases.ts', 'test/helpers/built-server.ts'],
    fileParallelism: false,
  },
})
