// npm run migrate: applies pending migrations to the configured database and exits. While a server
// runs on the embedded database, through that server's socket (openOrExit decides).
import { migrate } from '../repositories/migrate.js'
import { loadConfigOrExit } from '../config.js'
import { openOrExit } from '../database.js'

const db = openOrExit(loadConfigOrExit())
try {
  const applied = await migrate(db)
  console.log(applied.length > 0 ? `Applied: ${applied.join(', ')}` : 'The database is up to date.')
} finally {
  await db.destroy()
}
