// SIGKILL the webhook delivery worker while deliveries are in flight, start another, and check what a
// receiver sees: every event arrives and is processed once (the receiver deduplicates on
// x-servicegap-delivery), and the database marks each delivery delivered exactly once, with exactly
// one successful try logged. Raw re-sends can happen — delivery is at least once — but only for the
// deliveries the killed worker held in 'sending' when it died. PostgreSQL only: the worker runs in
// another process, and the embedded database belongs to one process.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../server/config.js'
import { createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { queueWebhookEvent } from '../../server/repositories/webhook-events.js'
import { createWebhook } from '../../server/services/webhooks.js'
import { createTestDatabase } from '../helpers/databases.js'
import { startReceiver } from '../helpers/webhook-receiver.js'

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)))
const SECRET = 'kill-test-secret-kill-test-secret-0123456'
const EVENTS = 60

function startWorker(databaseUrl: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/webhook-worker.ts', '1000', '2000'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), DATABASE_URL: databaseUrl, SIGNING_SECRET: SECRET, WEBHOOKS_ALLOW_LOOPBACK: 'true', DATA_DIR: mkdtempSync(join(tmpdir(), 'sg-kill-')) },
  })
  child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(chunk))
  return child
}

async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 30_000) {
  const started = Date.now()
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((done) => setTimeout(done, 25))
  }
}

describe('webhook worker killed mid-delivery', () => {
  it(`delivers all ${EVENTS} events, each marked delivered once, and re-sends only what was in flight [postgres]`, { timeout: 90_000 }, async () => {
    const database = await createTestDatabase('postgres')
    const receiver = await startReceiver()
    // Each answer takes a while, so a kill finds deliveries the receiver has processed but not yet answered.
    receiver.fallback = { status: 200, delayMs: 150 }
    const workers: ChildProcess[] = []
    try {
      const db = database.db
      const config = loadConfig({ SIGNING_SECRET: SECRET, DATABASE_URL: database.url!, WEBHOOKS_ALLOW_LOOPBACK: 'true', DATA_DIR: mkdtempSync(join(tmpdir(), 'sg-kill-')) })
      const owner = await createOrganizationWithOwner(db, { name: 'Kill Org', email: 'owner@kill.test', password: 'kill test passphrase' })
      const caller = { principal: { organizationId: owner.organizationId, userId: owner.userId, email: 'owner@kill.test', name: '', role: 'owner', organizationName: 'Kill Org', via: 'session' }, ip: '127.0.0.1' } as const
      const created = await createWebhook(db, config, caller, { url: `${receiver.url}/kill`, events: ['wave_closed'] })
      if (!created.ok) throw new Error(JSON.stringify(created.errors))
      receiver.secret = created.secret
      const eventIds: string[] = []
      for (let i = 0; i < EVENTS; i++) eventIds.push(await db.transaction().execute((trx) => queueWebhookEvent(trx, owner.organizationId, 'wave_closed', { n: i })))

      const first = startWorker(database.url!)
      workers.push(first)
      await until(() => receiver.processed.length >= 15, 'the first worker to deliver some')
      first.kill('SIGKILL')
      await once(first, 'exit')
      const held = await db.selectFrom('webhook_deliveries').select('event_id').where('status', '=', 'sending').execute()
      const inFlight = new Set(held.map((row) => row.event_id))
      expect(inFlight.size, 'deliveries in flight when the worker died').toBeGreaterThan(0)
      expect(receiver.processed.length).toBeLessThan(EVENTS)

      const second = startWorker(database.url!)
      workers.push(second)
      const delivered = async () => (await db.selectFrom('webhook_deliveries').select(sql<number>`count(*)::int`.as('n')).where('status', '=', 'delivered').executeTakeFirstOrThrow()).n
      await until(async () => (await delivered()) === EVENTS, 'every delivery to be marked delivered')
      second.kill('SIGKILL')
      await once(second, 'exit')

      // Every event reached the receiver and was processed once.
      expect(new Set(receiver.processed)).toEqual(new Set(eventIds))
      expect(receiver.processed).toHaveLength(EVENTS)
      expect(receiver.received.every((r) => r.verified)).toBe(true)
      // The database: one row per event, delivered, with exactly one successful try each.
      const rows = await db.selectFrom('webhook_deliveries').select(['id', 'event_id', 'status', 'delivered_at']).execute()
      expect(rows).toHaveLength(EVENTS)
      expect(rows.every((row) => row.status === 'delivered' && row.delivered_at !== null)).toBe(true)
      const successes = await db.selectFrom('webhook_attempts').select(['delivery_id', sql<number>`count(*)::int`.as('n')])
        .where('status_code', '>=', 200).where('status_code', '<', 300).groupBy('delivery_id').execute()
      expect(successes).toHaveLength(EVENTS)
      expect(successes.every((row) => row.n === 1)).toBe(true)
      // At least once: an event arrived twice only if the killed worker held it in flight.
      const resent = [...receiver.seen].filter(([, times]) => times > 1).map(([id]) => id)
      for (const id of resent) expect(inFlight.has(id), `${id} arrived twice but was not in flight`).toBe(true)
      expect(Math.max(...receiver.seen.values())).toBeLessThanOrEqual(2)
      // The lost tries are in the log as interrupted.
      const interrupted = await db.selectFrom('webhook_attempts').select(sql<number>`count(*)::int`.as('n')).where('error', 'like', 'interrupted%').executeTakeFirstOrThrow()
      expect(interrupted.n).toBe(inFlight.size)
      console.log(`killed with ${inFlight.size} in flight; ${resent.length} of them had reached the receiver and were sent again (deduplicated by delivery id)`)
    } finally {
      for (const worker of workers) if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL')
      await receiver.close()
      await database.drop()
    }
  })
})
