// The background release steps as a named plugin. buildApp registers it, so every entry — the
// server, the demo, tests — runs it the same way: every few seconds it looks at each wave with staff
// answers waiting (open ones, and a wave that has closed since) and takes a step where the pool
// allows one. Steps also follow each staff form and import at once; this catches the rest (a step
// that failed, answers that could not join yet, a wave that closed on its date).
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Db } from '../../db/connect.js'
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
  let timer: NodeJS.Timeout | null = null
  let running: Promise<unknown> | null = null
  let stopping = false
  const loop = async () => {
    if (stopping) return
    running = advanceWaitingStaff(opts.db, app.log, tried).catch((error: { code?: string; name?: string } | null) =>
      app.log.error({ error: { name: error?.name, code: error?.code } }, 'staff release pass failed'))
    await running
    if (!stopping) timer = setTimeout(loop, intervalMs)
  }
  app.addHook('onReady', async () => {
    timer = setTimeout(loop, intervalMs)
  })
  // No new pass from the moment closing begins; the one in flight finishes before the database closes.
  app.addHook('preClose', async () => {
    stopping = true
    if (timer) clearTimeout(timer)
  })
  app.addHook('onClose', async () => {
    stopping = true
    if (timer) clearTimeout(timer)
    await running
  })
}, { name: 'release', dependencies: ['db'] })
