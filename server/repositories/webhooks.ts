// An organization's webhooks and their delivery log. Every query names the organization, so one
// organization's webhook is "not found" to every other. The secret is stored sealed; it is opened
// only by the delivery worker (webhook-deliveries.ts) and shown in clear once, when it is made.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { Keyset } from '../domain/cursor.js'
import type { DeliveryStatus, WebhookEvent } from '../domain/types.js'
import { inPage, pageFrom, timeKey, type Page, type PageRequest } from './keyset.js'

export interface Webhook {
  id: string
  url: string
  events: WebhookEvent[]
  active: boolean
  createdAt: Date
}

const COLUMNS = ['id', 'url', 'events', 'active', 'created_at'] as const
const toWebhook = (row: { id: string; url: string; events: string[]; active: boolean; created_at: Date }): Webhook => ({
  id: row.id, url: row.url, events: row.events as WebhookEvent[], active: row.active, createdAt: row.created_at,
})

export async function insertWebhook(db: Db, organizationId: string, webhook: { id: string; url: string; sealedSecret: string; events: WebhookEvent[] }): Promise<Webhook> {
  const row = await db.insertInto('webhooks').values({
    id: webhook.id, organization_id: organizationId, url: webhook.url, secret: webhook.sealedSecret, events: webhook.events,
  }).returning(COLUMNS).executeTakeFirstOrThrow()
  return toWebhook(row)
}

export async function listWebhooks(db: Db, organizationId: string): Promise<Webhook[]> {
  const rows = await db.selectFrom('webhooks').select(COLUMNS).where('organization_id', '=', organizationId).orderBy('created_at').orderBy('id').execute()
  return rows.map(toWebhook)
}

/** The API's pages of webhooks: oldest first, as listWebhooks. */
export const WEBHOOK_LIST: Keyset = { list: 'webhooks', parts: ['time', 'uuid'] }

export async function listWebhookPage(db: Db, organizationId: string, page: PageRequest): Promise<Page<Webhook>> {
  const query = db.selectFrom('webhooks').select([...COLUMNS, timeKey('created_at').as('key_at')]).where('organization_id', '=', organizationId)
  const rows = await inPage(query, page, [sql.ref('created_at'), sql.ref('id')], 'asc').execute()
  return pageFrom(page, rows, (row) => [row.key_at, row.id], toWebhook)
}

export async function findWebhook(db: Db, organizationId: string, id: string): Promise<Webhook | null> {
  const row = await db.selectFrom('webhooks').select(COLUMNS).where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst()
  return row ? toWebhook(row) : null
}

export async function updateWebhook(db: Db, organizationId: string, id: string, changes: { url?: string; events?: WebhookEvent[]; active?: boolean }): Promise<Webhook | null> {
  const row = await db.updateTable('webhooks').set(changes).where('organization_id', '=', organizationId).where('id', '=', id).returning(COLUMNS).executeTakeFirst()
  return row ? toWebhook(row) : null
}

export async function deleteWebhook(db: Db, organizationId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('webhooks').where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}

/** Deliveries still waiting when a webhook is turned off are given up, so turning it on later sends nothing stale. */
export async function dropWaitingDeliveries(db: Db, organizationId: string, webhookId: string, reason: string): Promise<number> {
  const result = await db.updateTable('webhook_deliveries').set({ status: 'failed', last_error: reason, locked_at: null })
    .where('organization_id', '=', organizationId).where('webhook_id', '=', webhookId).where('status', '=', 'pending').executeTakeFirst()
  return Number(result.numUpdatedRows)
}

export interface DeliveryLogEntry {
  id: number
  eventId: string
  event: string
  status: DeliveryStatus
  attempts: number
  createdAt: Date
  /** When it is tried next; null once delivered or given up. */
  nextTryAt: Date | null
  deliveredAt: Date | null
  lastStatus: number | null
  lastError: string | null
}

/** Newest first; `before` (a delivery id) pages on to older ones. */
const deliveriesOf = (db: Db, organizationId: string, webhookId: string) => db.selectFrom('webhook_deliveries')
  .select(['id', 'event_id', 'event', 'status', 'attempts', 'created_at', 'run_at', 'delivered_at', 'last_status', 'last_error'])
  .where('organization_id', '=', organizationId).where('webhook_id', '=', webhookId)

type DeliveryRow = Awaited<ReturnType<ReturnType<typeof deliveriesOf>['executeTakeFirstOrThrow']>>

const toDelivery = (row: DeliveryRow): DeliveryLogEntry => ({
  id: Number(row.id), eventId: row.event_id, event: row.event, status: row.status, attempts: row.attempts, createdAt: row.created_at,
  nextTryAt: row.status === 'pending' || row.status === 'sending' ? row.run_at : null, deliveredAt: row.delivered_at,
  lastStatus: row.last_status, lastError: row.last_error,
})

/** A webhook's latest deliveries, newest first. */
export async function listDeliveries(db: Db, organizationId: string, webhookId: string, page: { limit: number }): Promise<DeliveryLogEntry[]> {
  const rows = await deliveriesOf(db, organizationId, webhookId).orderBy('id', 'desc').limit(page.limit).execute()
  return rows.map(toDelivery)
}

/** The API's pages of a webhook's deliveries: newest first, by id (a delivery's `before` is the key of this list). */
export const DELIVERY_LIST: Keyset = { list: 'deliveries', parts: ['integer'] }

export async function listDeliveryPage(db: Db, organizationId: string, webhookId: string, page: PageRequest): Promise<Page<DeliveryLogEntry>> {
  const rows = await inPage(deliveriesOf(db, organizationId, webhookId), page, [sql.ref('id')], 'desc').execute()
  return pageFrom(page, rows, (row) => [Number(row.id)], toDelivery)
}

export interface AttemptLogEntry {
  deliveryId: number
  at: Date
  statusCode: number | null
  error: string | null
  durationMs: number
}

/** Every try of the given deliveries (of this organization), oldest first. */
export async function listAttempts(db: Db, organizationId: string, deliveryIds: number[]): Promise<AttemptLogEntry[]> {
  if (deliveryIds.length === 0) return []
  const rows = await db.selectFrom('webhook_attempts as a').innerJoin('webhook_deliveries as d', 'd.id', 'a.delivery_id')
    .select(['a.delivery_id', 'a.at', 'a.status_code', 'a.error', 'a.duration_ms'])
    .where('d.organization_id', '=', organizationId).where('a.delivery_id', 'in', deliveryIds)
    .orderBy('a.id').execute()
  return rows.map((row) => ({ deliveryId: Number(row.delivery_id), at: row.at, statusCode: row.status_code, error: row.error, durationMs: row.duration_ms }))
}

/** How many deliveries of each webhook wait or failed in the last week, for the list page. */
export async function deliveryCounts(db: Db, organizationId: string): Promise<Map<string, { waiting: number; failed: number }>> {
  const rows = await db.selectFrom('webhook_deliveries').select(['webhook_id',
    sql<number>`count(*) filter (where status in ('pending', 'sending'))::int`.as('waiting'),
    sql<number>`count(*) filter (where status = 'failed' and created_at > now() - interval '7 days')::int`.as('failed'),
  ]).where('organization_id', '=', organizationId).groupBy('webhook_id').execute()
  return new Map(rows.map((row) => [row.webhook_id, { waiting: Number(row.waiting), failed: Number(row.failed) }]))
}
