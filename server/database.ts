// Opens the configured database for the server and the commands; a database held by another
// process is reported in one line instead of a stack trace.
import { DatabaseInUseError, openDatabase, openDatabaseOrServer, type Db } from '../db/connect.js'
import type { Config } from './config.js'

/**
 * The server owns the embedded database (`owner: true`: it locks the data directory, and serves the
 * database on a socket there). A command reaches a running server's database through that socket,
 * and opens the data directory itself only when no server holds it.
 */
export function openOrExit(config: Config, { owner = false }: { owner?: boolean } = {}): Db {
  const target = { url: config.databaseUrl, dataDir: config.dataDir, connectTimeout: config.timeouts.databaseConnect }
  try {
    return owner ? openDatabase(target) : openDatabaseOrServer(target)
  } catch (error) {
    if (!(error instanceof DatabaseInUseError)) throw error
    console.error(error.message)
    process.exit(1)
  }
}
