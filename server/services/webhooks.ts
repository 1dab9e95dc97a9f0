// Configuring webhooks, for the settings page and the API alike: checking a URL (the address policy,
// and the addresses its name resolves to now), making the secret (shown once, stored sealed), turning
// a webhook on and off, deleting it, and queueing a test event. Each change is audited with the
// receiver's host only: a URL's path or query may hold the receiver's own token.
import { randomBytes, randomUUID } from 'node:crypto'
import type { Db } from '../../db/connect.js'
import type { Config } from '../config.js'
import type { Checked, FieldErrors } from '../domain/inputs.js'
import type { WebhookEvent } from '../domain/types.js'
import { checkWebhookUrl, isWebhookEvent, TEST_EVENT } from '../domain/webhooks.js'
import { WEBHOOK_EVENTS } from '../domain/types.js'
import { atomically } from '../repositories/atomically.js'
import { queueTestEvent } from '../repositories/webhook-events.js'
import {
  deleteWebhook, dropWaitingDeliveries, findWebhook, insertWebhook, updateWebhook, type Webhook,
} from '../repositories/webhooks.js'
import { seal } from '../security/encryption.js'
import { resolveReachable, systemResolver, type Resolver } from '../webhooks/reach.js'
import { audit, type Caller } from './audit.js'

/** How long a name is looked up for when a webhook is saved; a name that does not answer is checked again at delivery. */
const SAVE_LOOKUP_MS = 3000

const hostOf = (url: string) => {
  try {
    return new URL(url).host
  } catch {
    return ''
  }
}
export const webhookTarget = (webhook: Pick<Webhook, 'url'>) => `webhook to ${hostOf(webhook.url)}`

/** The URL as it will be stored, or why it cannot receive webhooks. A name that does not resolve yet is accepted. */
export async function checkUrl(config: Config, input: unknown, resolve: Resolver = systemResolver): Promise<Checked<string>> {
  const checked = checkWebhookUrl(input, config.webhooks)
  if (!checked.ok) return { ok: false, errors: { url: checked.error } }
  const timeout = new Promise<null>((done) => setTimeout(() => done(null), SAVE_LOOKUP_MS).unref())
  const reachable = await Promise.race([resolveReachable(checked.url, config.webhooks, resolve), timeout])
  if (reachable && !reachable.ok && reachable.refused) {
    return { ok: false, errors: { url: `This address cannot receive webhooks: ${reachable.message}.` } }
  }
  return { ok: true, value: checked.url.toString() }
}

/** The chosen events in their canonical order; at least one. */
export function checkEvents(input: unknown): Checked<WebhookEvent[]> {
  const chosen = (Array.isArray(input) ? input : input === undefined || input === '' ? [] : [input])
  if (chosen.some((event) => !isWebhookEvent(event))) return { ok: false, errors: { events: `Choose from: ${WEBHOOK_EVENTS.join(', ')}.` } }
  if (chosen.length === 0) return { ok: false, errors: { events: 'Choose at least one event to send.' } }
  return { ok: true, value: WEBHOOK_EVENTS.filter((event) => chosen.includes(event)) }
}

/** The signing secret: 32 random bytes, with a prefix that says what it is when it turns up somewhere. */
const newSecret = () => `whsec_${randomBytes(32).toString('base64url')}`

export type Created = { ok: true; webhook: Webhook; secret: string } | { ok: false; errors: FieldErrors }

export async function createWebhook(db: Db, config: Config, caller: Caller, input: { url?: unknown; events?: unknown }, resolve?: Resolver): Promise<Created> {
  const organizationId = caller.principal!.organizationId
  const url = await checkUrl(config, input.url, resolve)
  const events = checkEvents(input.events)
  if (!url.ok || !events.ok) return { ok: false, errors: { ...(url.ok ? {} : url.errors), ...(events.ok ? {} : events.errors) } }
  const id = randomUUID()
  const secret = newSecret()
  const webhook = await insertWebhook(db, organizationId, { id, url: url.value, events: events.value, sealedSecret: seal(config.signingSecret, 'webhook-secret', id, secret) })
  await audit(db, caller, 'webhook_created', { target: webhookTarget(webhook), detail: { events: webhook.events } })
  return { ok: true, webhook, secret }
}

export type Changed = { ok: true; webhook: Webhook } | { ok: false; errors: FieldErrors } | { ok: false; notFound: true }

/** Changes the URL, the events and/or whether it is on. Turning it off gives up what still waits for it. */
export async function changeWebhook(
  db: Db, config: Config, caller: Caller, id: string, input: { url?: unknown; events?: unknown; active?: boolean }, resolve?: Resolver,
): Promise<Changed> {
  const organizationId = caller.principal!.organizationId
  const before = await findWebhook(db, organizationId, id)
  if (!before) return { ok: false, notFound: true }
  const changes: { url?: string; events?: WebhookEvent[]; active?: boolean } = {}
  const errors: FieldErrors = {}
  if (input.url !== undefined) {
    const url = await checkUrl(config, input.url, resolve)
    if (url.ok) changes.url = url.value
    else Object.assign(errors, url.errors)
  }
  if (input.events !== undefined) {
    const events = checkEvents(input.events)
    if (events.ok) changes.events = events.value
    else Object.assign(errors, events.errors)
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors }
  if (input.active !== undefined) changes.active = input.active
  const webhook = await atomically(db, async (trx) => {
    const changed = await updateWebhook(trx, organizationId, id, changes)
    if (changed && before.active && !changed.active) await dropWaitingDeliveries(trx, organizationId, id, 'The webhook was turned off before this was sent.')
    return changed
  })
  if (!webhook) return { ok: false, notFound: true }
  const detail: Record<string, unknown> = {}
  if (webhook.url !== before.url) detail.host = { from: hostOf(before.url), to: hostOf(webhook.url) }
  if (webhook.events.join() !== before.events.join()) detail.events = { from: before.events, to: webhook.events }
  if (webhook.active !== before.active) detail.active = webhook.active
  if (Object.keys(detail).length > 0) await audit(db, caller, 'webhook_changed', { target: webhookTarget(webhook), detail })
  return { ok: true, webhook }
}

export async function removeWebhook(db: Db, caller: Caller, id: string): Promise<boolean> {
  const organizationId = caller.principal!.organizationId
  const webhook = await findWebhook(db, organizationId, id)
  if (!webhook || !(await deleteWebhook(db, organizationId, id))) return false
  await audit(db, caller, 'webhook_deleted', { target: webhookTarget(webhook) })
  return true
}

/** Queues a `ping` for this webhook only; its event id, or null when the webhook is not the organization's. */
export async function sendTestEvent(db: Db, organizationId: string, id: string): Promise<string | null> {
  return queueTestEvent(db, organizationId, id, TEST_EVENT, { webhookId: id, message: 'A test event from Service Gap. Nothing happened; your receiver is reached and can check the signature.' })
}
