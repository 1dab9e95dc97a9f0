// The mail worker alone, in a process of its own, for the dispatch benchmark: it can be stopped
// gracefully (SIGTERM: finish the message in flight, then exit) or killed outright (SIGKILL).
// Settings come from the environment as for the server (DATABASE_URL, SMTP_URL, MAIL_RATE, …), plus
// BENCH_STALE_MS: how long a job claimed by a worker that died stays claimed before it is taken back.
import { openDatabase } from '../../db/connect.js'
import { loadConfig } from '../../server/config.js'
import { smtpTransport } from '../../server/mail/transport.js'
import { MailWorker } from '../../server/mail/worker.js'

const config = loadConfig()
if (!config.databaseUrl || !config.smtpUrl) throw new Error('DATABASE_URL and SMTP_URL are required')
const db = openDatabase({ url: config.databaseUrl, dataDir: null })
const transport = smtpTransport(config.smtpUrl)
const worker = new MailWorker({
  db, transport, publicUrl: config.publicUrl, secret: config.signingSecret, from: config.mailFrom, rate: config.mailRate,
  staleMs: Number(process.env.BENCH_STALE_MS) || 120_000,
  ...(process.env.BENCH_LANES ? { concurrency: Number(process.env.BENCH_LANES) } : {}),
})

process.once('SIGTERM', () => {
  void (async () => {
    await worker.stop()
    transport.close()
    await db.destroy()
    process.exit(0)
  })()
})

worker.start(200)
process.send?.('started')
