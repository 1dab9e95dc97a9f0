// npm run migrate: applies pending migrations to the configured database and exits.
import { openDatabase } from '../../db/connect.js'
import { migrate } from '../../db/migrate.js'
import { loadConfig } from '../config.js'

const config = loadConfig()
const db = openDatabase({ url: config.databaseUrl, dataDir: config.dataDir })
try {
  const applied = await migrate(db)
  console.log(applied.length > 0 ? `Applied: ${applied.join(', ')}` : 'The database is up to date.')
} finally {
  await db.destroy()
}
