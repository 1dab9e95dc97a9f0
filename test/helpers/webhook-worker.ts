// The webhook delivery worker alone in a process, for the kill test: opens the PostgreSQL database
// named by DATABASE_URL and runs deliverWebhooks in a loop, as the server's loop plugin does, until
// it is killed. Usage: node --import tsx test/helpers/webhook-worker.ts <timeoutMs> <staleMs>
import { openDatabase } from '../../db/connect.js'
import { loadConfig } from '../../server/config.js'
import type { LoopContext } from '../../server/loop/plugin.js'
import { deliverWebhooks } from '../../server/webhooks/worker.js'

const [timeoutMs, staleMs] = process.argv.slice(2).map(Number)
const config = loadConfig()
const db = openDatabase({ url: config.databaseUrl, dataDir: null, poolSize: 3 })
const quiet = () => {}
const log = { warn: quiet, info: quiet, error: (...args: unknown[]) => console.error(...args), debug: quiet } as unknown as LoopContext['log']
const context: LoopContext = { config, log, now: () => new Date() }

console.log('delivering')
for (;;) {
  await deliverWebhooks(db, context, { timeoutMs, staleMs, batchSize: 10, concurrency: 5 })
  await new Promise((done) => setTimeout(done, 50))
}
