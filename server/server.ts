// Starts Service Gap: reads the configuration, opens the database (on the embedded one, also serving it
// to the commands through a socket in the data directory) and migrates it, creates the first
// organization from the environment if asked, listens, and shuts down gracefully on a signal. The
// mail worker comes with the app (server/mail/plugin.ts).
import closeWithGrace from 'close-with-grace'
import { serveDatabaseSocket } from '../db/socket.js'
import { migrate } from './repositories/migrate.js'
import { buildApp } from './app.js'
import { openOrExit } from './database.js'
import { loadConfigOrExit } from './config.js'
import { bootstrapOrganization } from './repositories/organizations.js'

const config = loadConfigOrExit()
const db = openOrExit(config, { owner: true })
// Served before the migrations run, so a command started meanwhile waits its turn instead of being refused.
const socket = await serveDatabaseSocket(db)
if ('skipped' in socket && config.databaseUrl === null) console.warn(`Commands cannot reach this server's database: ${socket.skipped}.`)
await migrate(db)

if (await bootstrapOrganization(db, config)) {
  console.log(`Created organization "${config.orgName}" with owner ${config.adminEmail}.`)
}

const app = await buildApp({ config, db })

closeWithGrace({ delay: 10_000 }, async ({ err, signal }) => {
  if (err) app.log.error({ err }, 'shutting down after an error')
  else app.log.info({ signal }, 'shutting down')
  // Closing the app stops taking requests and claiming mail at once (the mail plugin's hooks); the
  // requests and the message in flight finish first, and only then is the database closed under them.
  await app.close()
  // Commands connected through the socket are disconnected (an open transaction of theirs rolled back).
  if ('close' in socket) await socket.close()
  await db.destroy()
})

await app.listen({ host: config.host, port: config.port })
const database = config.databaseUrl ? 'PostgreSQL' : `the embedded database in ${config.dataDir}`
console.log(`\nService Gap is running at ${config.publicUrl} (using ${database}).\n`)
