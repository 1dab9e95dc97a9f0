// Webhook delivery: takes back deliveries a stopped worker left, claims due ones, and for each
// resolves and checks the receiver's addresses (no SSRF, pinned against rebinding), signs and posts
// the stored body, and records the try with its decision (domain/webhooks.ts decide). At least once:
// a worker killed after the receiver answered but before the answer was recorded sends that delivery
// again, with the same x-servicegap-delivery id, so receivers deduplicate on it.
import type { Db } from '../../db/connect.js'
import { MAX_ATTEMPTS } from '../domain/mail.js'
import { checkWebhookUrl, decide, signatureHeader, type AddressPolicy, type TryResult } from '../domain/webhooks.js'
import type { LoopContext } from '../loop/plugin.js'
import { claimDeliveries, recordTry, takeBackStale, type ClaimedDelivery } from '../repositories/webhook-deliveries.js'
import { open } from '../security/encryption.js'
import { postOnce, resolveReachable, systemResolver, type Resolver } from './reach.js'

export const USER_AGENT = 'ServiceGap-Webhooks/1'

export interface DeliveryOptions {
  /** The deadline of one try, connecting and answering (default 5 s). */
  timeoutMs?: number
  /** A delivery in 'sending' longer than this belongs to a worker that stopped (default 60 s, well above the deadline). */
  staleMs?: number
  /** Deliveries claimed at a time (default 20). */
  batchSize?: number
  /** Posts side by side, so one slow receiver does not hold up the rest (default 5). */
  concurrency?: number
  resolve?: Resolver
}

/** One pass: everything due is tried once. Returns how many deliveries succeeded. */
export async function deliverWebhooks(db: Db, context: LoopContext, options: DeliveryOptions = {}): Promise<number> {
  const policy: AddressPolicy = context.config.webhooks
  await takeBackStale(db, context.now(), options.staleMs ?? 60_000, MAX_ATTEMPTS)
  let delivered = 0
  for (;;) {
    const batch = await claimDeliveries(db, context.now(), options.batchSize ?? 20)
    if (batch.length === 0) break
    let next = 0
    await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 5, batch.length) }, async () => {
      while (next < batch.length) {
        const delivery = batch[next++]!
        if (await deliverOne(db, context, policy, delivery, options)) delivered++
      }
    }))
  }
  return delivered
}

async function deliverOne(db: Db, context: LoopContext, policy: AddressPolicy, delivery: ClaimedDelivery, options: DeliveryOptions): Promise<boolean> {
  const started = Date.now()
  const result = await tryOnce(context, policy, delivery, options)
  const decision = decide(result, delivery.attempt)
  const recorded = await recordTry(db, delivery, {
    at: context.now(), statusCode: result.statusCode, durationMs: Date.now() - started,
    error: result.error ? `${result.error.kind}: ${result.error.message}` : result.statusCode !== null && decision.outcome !== 'delivered' ? `answered ${result.statusCode}` : null,
  }, decision)
  if (decision.outcome !== 'delivered') {
    // Names and codes only: the URL's path or query may carry the receiver's own token.
    context.log.warn({ webhookDelivery: delivery.id, webhook: delivery.webhookId, statusCode: result.statusCode, error: result.error?.kind, outcome: decision.outcome }, 'webhook not delivered')
  }
  return recorded && decision.outcome === 'delivered'
}

async function tryOnce(context: LoopContext, policy: AddressPolicy, delivery: ClaimedDelivery, options: DeliveryOptions): Promise<TryResult> {
  // The URL was checked when it was saved; the settings may have changed since, so it is checked again.
  const checked = checkWebhookUrl(delivery.url, policy)
  if (!checked.ok) return { statusCode: null, error: { kind: 'refused', message: checked.error } }
  const reachable = await resolveReachable(checked.url, policy, options.resolve ?? systemResolver)
  if (!reachable.ok) return { statusCode: null, error: { kind: reachable.refused ? 'refused' : 'network', message: reachable.message } }
  const secret = open(context.config.signingSecret, 'webhook-secret', delivery.webhookId, delivery.sealedSecret)
  if (secret === null) return { statusCode: null, error: { kind: 'refused', message: 'the webhook\'s secret cannot be opened (was SIGNING_SECRET changed?)' } }
  const body = JSON.stringify(delivery.payload)
  // The wall clock, not the loop's (which tests move): receivers hold the timestamp against their own.
  const timestamp = Math.floor(Date.now() / 1000)
  return postOnce({
    url: checked.url, addresses: reachable.addresses, body, timeoutMs: options.timeoutMs ?? 5000,
    headers: {
      'content-type': 'application/json', 'user-agent': USER_AGENT,
      'x-servicegap-event': delivery.event, 'x-servicegap-delivery': delivery.eventId,
      'x-servicegap-signature': signatureHeader(secret, timestamp, body),
    },
  })
}
