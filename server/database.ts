// Opens the configured database for the server and the commands; a database held by another
// process is reported in one line instead of a stack trace.
import { DatabaseInUseError, openDatabase, type Db } from '../db/connect.js'
import type { Config } from './config.js'

export function openOrExit(config: Config): Db {
  try {
    return openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, connectTimeout: config.timeouts.databaseConnect })
  } catch (error) {
    if (!(error instanceof DatabaseInUseError)) throw error
    console.error(error.message)
    process.exit(1)
  }
}
