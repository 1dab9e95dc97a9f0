// The delivery worker's side of the webhook queue: claim due deliveries (skipping rows another worker
// holds), take back the ones a stopped worker left in 'sending', and record each try together with
// what it decided, in one transaction. A try is recorded only while its claim still holds (the
// attempt count is the claim's fence), so a worker that was presumed dead and comes back late cannot
// mark a delivery that another worker has meanwhile taken over.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { Decision } from '../domain/webhooks.js'

export interface ClaimedDelivery {
  id: number
  organizationId: string
  webhookId: string
  eventId: string
  event: string
  /** The JSON body, as stored; sent exactly as JSON.stringify gives it back. */
  payload: unknown
  /** This try's number, counting the first as 1. */
  attempt: number
  url: string
  sealedSecret: string
}

const INTERRUPTED = 'interrupted: the worker stopped before the answer was recorded'

/** Deliveries in 'sending' longer than `staleMs`: tried again (or given up after `maxAttempts`), the lost try logged. */
export async function takeBackStale(db: Db, now: Date, staleMs: number, maxAttempts: number): Promise<number> {
  const cutoff = new Date(now.getTime() - staleMs)
  return db.transaction().execute(async (trx) => {
    const rows = await trx.updateTable('webhook_deliveries')
      .set({ status: sql`case when attempts >= ${maxAttempts} then 'failed' else 'pending' end`, locked_at: null, last_status: null, last_error: INTERRUPTED })
      .where('status', '=', 'sending').where('locked_at', '<', cutoff)
      .returning(['id', 'organization_id']).execute()
    if (rows.length > 0) {
      await trx.insertInto('webhook_attempts').values(rows.map((row) => ({ organization_id: row.organization_id, delivery_id: row.id, at: now, status_code: null, error: INTERRUPTED, duration_ms: 0 }))).execute()
    }
    return rows.length
  })
}

/** Up to `limit` due deliveries of active webhooks, now marked 'sending' with their attempt counted. */
export async function claimDeliveries(db: Db, now: Date, limit: number): Promise<ClaimedDelivery[]> {
  return db.transaction().execute(async (trx) => {
    const due = await trx.selectFrom('webhook_deliveries').select('id')
      .where('status', '=', 'pending').where('run_at', '<=', now)
      .where('webhook_id', 'in', (eb) => eb.selectFrom('webhooks').select('webhooks.id').where('webhooks.active', '=', true))
      .orderBy('run_at').orderBy('id').limit(limit).forUpdate().skipLocked().execute()
    if (due.length === 0) return []
    const rows = await trx.updateTable('webhook_deliveries')
      .set({ status: 'sending', locked_at: now, attempts: sql<number>`attempts + 1` })
      .where('id', 'in', due.map((row) => row.id))
      .returning(['id', 'organization_id', 'webhook_id', 'event_id', 'event', 'payload', 'attempts']).execute()
    const hooks = await trx.selectFrom('webhooks').select(['id', 'url', 'secret'])
      .where('id', 'in', [...new Set(rows.map((row) => row.webhook_id))]).execute()
    const byId = new Map(hooks.map((hook) => [hook.id, hook]))
    return rows.map((row) => ({
      id: Number(row.id), organizationId: row.organization_id, webhookId: row.webhook_id, eventId: row.event_id, event: row.event,
      payload: row.payload, attempt: row.attempts, url: byId.get(row.webhook_id)!.url, sealedSecret: byId.get(row.webhook_id)!.secret,
    })).sort((a, b) => a.id - b.id)
  })
}

export interface TryRecord {
  at: Date
  statusCode: number | null
  /** Words for the log: the error's class and reason, never a header or the body. */
  error: string | null
  durationMs: number
}

/** Logs the try and applies the decision, if this claim still holds; false when another worker took the delivery over. */
export async function recordTry(db: Db, delivery: ClaimedDelivery, attempt: TryRecord, decision: Decision): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const error = attempt.error?.slice(0, 500) ?? null
    const base = { locked_at: null, last_status: attempt.statusCode, last_error: error }
    const changes = decision.outcome === 'delivered' ? { ...base, status: 'delivered' as const, delivered_at: attempt.at }
      // A webhook turned off while this try was in flight keeps nothing waiting for it.
      : decision.outcome === 'retry' ? {
        ...base, run_at: new Date(attempt.at.getTime() + decision.inMs),
        status: sql<'pending' | 'failed'>`case when exists (select 1 from webhooks w where w.id = webhook_id and w.active) then 'pending' else 'failed' end`,
      }
        : { ...base, status: 'failed' as const }
    const held = await trx.updateTable('webhook_deliveries').set(changes)
      .where('organization_id', '=', delivery.organizationId).where('id', '=', delivery.id).where('status', '=', 'sending').where('attempts', '=', delivery.attempt)
      .returning('id').executeTakeFirst()
    if (!held) return false
    await trx.insertInto('webhook_attempts').values({
      organization_id: delivery.organizationId, delivery_id: delivery.id, at: attempt.at, status_code: attempt.statusCode, error, duration_ms: Math.round(attempt.durationMs),
    }).execute()
    if (decision.outcome === 'failed' && decision.deactivate) {
      await trx.updateTable('webhooks').set({ active: false }).where('id', '=', delivery.webhookId).where('organization_id', '=', delivery.organizationId).execute()
      await trx.updateTable('webhook_deliveries').set({ status: 'failed', last_error: 'The receiver answered 410 Gone: the webhook was turned off.' })
        .where('webhook_id', '=', delivery.webhookId).where('status', '=', 'pending').execute()
    }
    return true
  })
}
