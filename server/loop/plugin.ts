// The loop that closes the quarter, as a named plugin beside the mail worker and the release steps:
// every few seconds it evaluates alerts where a wave's release changed or it closed, runs the
// schedule of repeating waves (make the next one, open and close on their dates), queues digests
// and delivers webhook events. Each pass is its own periodic job (plugins/periodic.ts): one run at a
// time, finished before the database closes, a failure logged by name and code only.
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Db } from '../../db/connect.js'
import type { Config } from '../config.js'
import { runPeriodically } from '../plugins/periodic.js'
import { evaluateAlerts } from '../services/alert-pass.js'
import { queueDigests } from '../services/digest-pass.js'
import { runSchedule } from '../services/schedule-pass.js'
import { deliverWebhooks } from '../webhooks/worker.js'

export interface LoopOptions {
  /** false builds the app without these passes (tests that run each pass themselves). */
  worker?: boolean
  /** How often each pass runs, in milliseconds (default two seconds). */
  intervalMs?: number
}

/** What every pass is given. `now` is the clock the schedule and digests follow (tests move it). */
export interface LoopContext {
  config: Config
  log: FastifyInstance['log']
  now: () => Date
}

export default fp(async function loop(app: FastifyInstance, opts: LoopOptions & { db: Db; config: Config }) {
  if (opts.worker === false) return
  const everyMs = opts.intervalMs ?? 2000
  const context: LoopContext = { config: opts.config, log: app.log, now: () => new Date() }
  runPeriodically(app, { what: 'alert pass', everyMs, pass: () => evaluateAlerts(opts.db, context) })
  runPeriodically(app, { what: 'schedule pass', everyMs, pass: () => runSchedule(opts.db, context) })
  runPeriodically(app, { what: 'digest pass', everyMs, pass: () => queueDigests(opts.db, context) })
  runPeriodically(app, { what: 'webhook delivery', everyMs: Math.min(everyMs, 1000), pass: () => deliverWebhooks(opts.db, context) })
}, { name: 'loop', dependencies: ['db'] })
