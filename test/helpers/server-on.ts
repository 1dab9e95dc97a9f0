// The real server process on a fresh database of either kind, for tests that talk to it only over
// HTTP as an integrator would: an embedded database in a folder of its own, or a new PostgreSQL one.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestDatabase, type DatabaseKind } from './databases.js'
import { startServerProcess, type ServerProcess } from './server-process.js'

export interface RunningServer {
  server: ServerProcess
  stop(): Promise<void>
}

export async function serverOn(kind: DatabaseKind): Promise<RunningServer> {
  const database = kind === 'postgres' ? await createTestDatabase('postgres') : null
  const dataDir = database ? null : mkdtempSync(join(tmpdir(), 'sg-server-'))
  const removeDatabase = async () => {
    if (database) await database.drop()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  }
  let server: ServerProcess
  try {
    server = await startServerProcess(database ? { url: database.url! } : { dataDir: dataDir! })
  } catch (error) {
    await removeDatabase()
    throw error
  }
  return {
    server,
    async stop() {
      server.child.kill('SIGTERM')
      await server.exited
      await removeDatabase()
    },
  }
}
