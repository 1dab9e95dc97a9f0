// The background release steps as a named plugin. buildApp registers it, so every entry — the
// server, the demo, tests — runs it the same way: every few seconds it looks at each wave with staff
// answers waiting (open ones, and a wave that has closed since) and takes a step where the pool
// allows one. Steps also follow each staff form and import at once; this catches the rest (a step
// that failed, answers that could not join yet, a wave that closed on its date).
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Db } from '../../db/connect.js'
import { runPeriodically } from '../plugins/periodic.js'
import { advanceWaitingStaff } from '../services/release-steps.js'

export interface ReleaseOptions {
  /** false builds the app without the background steps (tests that take each step themselves). */
  worker?: boolean
  /** How often the pools are looked at, in milliseconds (default five seconds). */
  intervalMs?: number
}

export default fp(async function release(app: FastifyInstance, opts: ReleaseOptions & { db: Db }) {
  if (opts.worker === false) return
  const intervalMs = opts.intervalMs ?? 5000
  const tried = new Map<string, string>()
  runPeriodically(app, { what: 'staff release pass', everyMs: intervalMs, pass: () => advanceWaitingStaff(opts.db, app.log, tried) })
}, { name: 'release', dependencies: ['db'] })
