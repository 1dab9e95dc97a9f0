// The shapes of webhooks in the API: what a caller sends and what comes back, typed for the OpenAPI document.
import { Type } from 'typebox'
import { WEBHOOK_EVENTS, type DeliveryStatus, type WebhookEvent } from '../../domain/types.js'
import { MAX_URL_LENGTH } from '../../domain/webhooks.js'
import { PageQuery } from './schemas.js'

export const WebhookEventName = Type.Unsafe<WebhookEvent>({ type: 'string', enum: [...WEBHOOK_EVENTS] })
const DELIVERY_STATUSES: DeliveryStatus[] = ['pending', 'sending', 'delivered', 'failed']

const Url = Type.String({ minLength: 1, maxLength: MAX_URL_LENGTH, description: 'https:// only (plain http:// only to loopback when WEBHOOKS_ALLOW_LOOPBACK is on); no user name or password. Private, link-local, loopback and other internal addresses are refused unless a setting allows them.' })
const Events = Type.Array(WebhookEventName, { minItems: 1, maxItems: WEBHOOK_EVENTS.length, uniqueItems: true })

export const Webhook = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(WebhookEventName),
  active: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
})

export const CreatedWebhook = Type.Intersect([Webhook, Type.Object({
  secret: Type.String({ description: 'The signing secret. Shown only in this answer: store it now.' }),
})])

export const CreateWebhookBody = Type.Object({ url: Url, events: Events }, { additionalProperties: false })

export const ChangeWebhookBody = Type.Object({
  url: Type.Optional(Url),
  events: Type.Optional(Events),
  active: Type.Optional(Type.Boolean({ description: 'false turns the webhook off; deliveries still waiting are given up.' })),
}, { additionalProperties: false })

export const Delivery = Type.Object({
  id: Type.Integer(),
  eventId: Type.String({ description: 'The x-servicegap-delivery header: the same on every try, and for every webhook the event went to.' }),
  event: Type.String(),
  status: Type.Unsafe<DeliveryStatus>({ type: 'string', enum: DELIVERY_STATUSES }),
  attempts: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  nextTryAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  deliveredAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  lastStatus: Type.Union([Type.Integer(), Type.Null()], { description: 'The HTTP status of the last answer; null when there was none.' }),
  lastError: Type.Union([Type.String(), Type.Null()]),
  tries: Type.Array(Type.Object({
    at: Type.String({ format: 'date-time' }),
    statusCode: Type.Union([Type.Integer(), Type.Null()]),
    error: Type.Union([Type.String(), Type.Null()]),
    durationMs: Type.Integer(),
  })),
})

/** Deliveries carry their tries, so their pages are shorter than other lists'. */
export const MAX_DELIVERIES = 100

export const DeliveriesQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_DELIVERIES, default: 20 })),
  cursor: PageQuery.cursor,
  before: Type.Optional(Type.Integer({ minimum: 1, description: 'A delivery id: older deliveries than this one (the previous page\'s nextBefore). Not together with `cursor`.' })),
})

export const DeliveryPage = Type.Object({
  deliveries: Type.Array(Delivery),
  nextBefore: Type.Union([Type.Integer(), Type.Null()], { description: 'Pass as `before` for the next (older) page; null on the last page.' }),
})
