// Vitest's global setup: compiles the server once per run, before any test file starts, for the
// tests that run it in a child process as `npm start` does (./server-process.ts). Each of two workers
// compiling on its own would empty .build/ under a server the other had just started.
import { buildServer } from '../../server/cli/build.js'

/** Set for the test workers once the server is compiled for this run. */
export const SERVER_BUILT_ENV = 'SERVICE_GAP_TEST_SERVER_BUILT'

export default async function setup() {
  await buildServer()
  process.env[SERVER_BUILT_ENV] = '1'
  return () => {
    delete process.env[SERVER_BUILT_ENV]
  }
}
