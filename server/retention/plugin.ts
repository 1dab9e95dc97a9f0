// The daily retention run as a named plugin, like the release steps (server/release/plugin.ts):
// buildApp registers it, so the server and the demo run it the same way; tests turn it off and call
// runRetention with a fixed clock. Several instances may each run it: a second run the same day
// finds nothing left to delete. Beside it, every hour, the idempotency keys past their 24 hours are
// purged (they are ignored already; this only keeps the table small), and every ten minutes the
// rate-limit counters whose window has ended (any instance may: a counter gone is a window
// restarted, which it was anyway).
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Db } from '../../db/connect.js'
import type { Config } from '../config.js'
import { runPeriodically } from '../plugins/periodic.js'
import { purgeRateLimits } from '../repositories/rate-limits.js'
import { runRetention } from '../services/retention.js'
import { purgeIdempotencyKeys } from '../repositories/idempotency-keys.js'

export interface RetentionOptions {
  /** false builds the app without the daily run (tests that run it themselves). */
  worker?: boolean
  /** How often it runs, in milliseconds (default once a day). */
  intervalMs?: number
  /** How long after start the first run waits (default one minute, so a start is not slowed by it). */
  firstRunMs?: number
}

const HOUR = 60 * 60 * 1000
const DAY = 24 * HOUR
/** How often ended rate-limit windows are purged at most. */
const RATE_LIMIT_PURGE_MS = 10 * 60 * 1000

export default fp(async function retention(app: FastifyInstance, opts: RetentionOptions & { db: Db; config: Config }) {
  if (opts.worker === false) return
  const intervalMs = opts.intervalMs ?? DAY
  runPeriodically(app, {
    what: 'retention run', everyMs: intervalMs, firstMs: opts.firstRunMs ?? 60_000,
    pass: () => runRetention(opts.db, opts.config.signingSecret, new Date()),
  })
  runPeriodically(app, {
    what: 'idempotency key purge', everyMs: Math.min(intervalMs, HOUR), firstMs: opts.firstRunMs ?? 60_000,
    pass: () => purgeIdempotencyKeys(opts.db, new Date()),
  })
  runPeriodically(app, {
    what: 'rate-limit purge', everyMs: Math.min(intervalMs, RATE_LIMIT_PURGE_MS), firstMs: opts.firstRunMs ?? 60_000,
    pass: () => purgeRateLimits(opts.db, new Date()),
  })
}, { name: 'retention', dependencies: ['db'] })
