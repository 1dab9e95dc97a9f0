// The webhook side of the transactional outbox: an event becomes one delivery row per active webhook
// of the organization that subscribed to it, written with the caller's handle — inside the
// transaction of the change it announces, so an event is queued exactly when that change commits.
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { WebhookEvent } from '../domain/types.js'

/**
 * Queues `event` for every active webhook of the organization subscribed to it. Returns the event's id
 * (the same for every webhook: receivers deduplicate on it). The payload holds aggregates only.
 */
export async function queueWebhookEvent(db: Db, organizationId: string, event: WebhookEvent, payload: Record<string, unknown>): Promise<string> {
  const eventId = randomUUID()
  const hooks = await db.selectFrom('webhooks').select('id')
    .where('organization_id', '=', organizationId).where('active', '=', true)
    .where(sql<boolean>`${event} = any(events)`).execute()
  if (hooks.length === 0) return eventId
  const body = JSON.stringify({ id: eventId, event, createdAt: new Date().toISOString(), data: payload })
  await db.insertInto('webhook_deliveries').values(hooks.map((hook) => ({
    organization_id: organizationId, webhook_id: hook.id, event_id: eventId, event, payload: body,
  }))).onConflict((oc) => oc.columns(['organization_id', 'webhook_id', 'event_id']).doNothing()).execute()
  return eventId
}

/**
 * Queues a test event (`ping`) for one webhook of the organization, whatever it subscribed to, so its
 * owner can see a signed delivery arrive. Returns the event's id, or null when there is no such webhook.
 */
export async function queueTestEvent(db: Db, organizationId: string, webhookId: string, event: string, data: Record<string, unknown>): Promise<string | null> {
  const hook = await db.selectFrom('webhooks').select('id').where('organization_id', '=', organizationId).where('id', '=', webhookId).executeTakeFirst()
  if (!hook) return null
  const eventId = randomUUID()
  const body = JSON.stringify({ id: eventId, event, createdAt: new Date().toISOString(), data })
  await db.insertInto('webhook_deliveries').values({ organization_id: organizationId, webhook_id: webhookId, event_id: eventId, event, payload: body }).execute()
  return eventId
}
