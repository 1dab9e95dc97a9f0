// Webhooks through the API: list, create (the secret is in this answer only), read, change, delete,
// and the delivery log. Owners and admins (manage_settings); another organization's webhook is 404.
import type { FastifyInstance } from 'fastify'
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { fieldsInvalid, notFound } from '../../http-error.js'
import {
  DELIVERY_LIST, findWebhook, listAttempts, listDeliveryPage, listWebhookPage, WEBHOOK_LIST, type Webhook as StoredWebhook,
} from '../../repositories/webhooks.js'
import { changeWebhook, createWebhook, removeWebhook } from '../../services/webhooks.js'
import { pageRequest, pageResponse, sendPage } from './paging.js'
import { errors, IdParams, PageQuery } from './schemas.js'
import { ChangeWebhookBody, CreatedWebhook, CreateWebhookBody, DeliveriesQuery, DeliveryPage, MAX_DELIVERIES, Webhook } from './webhook-schemas.js'

const webhookJson = (webhook: StoredWebhook) => ({
  id: webhook.id, url: webhook.url, events: webhook.events, active: webhook.active, createdAt: webhook.createdAt.toISOString(),
})
const iso = (value: Date | null) => (value ? value.toISOString() : null)

export default async function webhooks(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const access = 'manage_settings' as const

  app.get('/webhooks', {
    config: { access },
    schema: {
      tags: ['webhooks'],
      summary: 'List the organization\'s webhooks, oldest first',
      description: 'A page of `limit` webhooks; the `Link` and `Next-Cursor` headers lead to the next one.',
      querystring: Type.Object(PageQuery),
      response: { 200: pageResponse(Type.Array(Webhook), 'A page of webhooks, oldest first'), ...errors(400, 401, 403) },
    },
  }, async (request, reply) => {
    const page = await listWebhookPage(app.db, request.principal!.organizationId, pageRequest(WEBHOOK_LIST, request.query))
    return sendPage(request, reply, page).map(webhookJson)
  })

  app.post('/webhooks', {
    config: { access },
    schema: {
      tags: ['webhooks'],
      summary: 'Add a webhook; the answer holds its signing secret, shown only once',
      body: CreateWebhookBody,
      response: { 201: CreatedWebhook, ...errors(400, 401, 403) },
    },
  }, async (request, reply) => {
    const created = await createWebhook(app.db, app.config, request, request.body)
    if (!created.ok) throw fieldsInvalid(created.errors)
    reply.header('cache-control', 'no-store')
    return reply.code(201).send({ ...webhookJson(created.webhook), secret: created.secret })
  })

  app.get('/webhooks/:id', {
    config: { access },
    schema: { tags: ['webhooks'], summary: 'One webhook', params: IdParams, response: { 200: Webhook, ...errors(401, 403, 404) } },
  }, async (request) => {
    const webhook = await findWebhook(app.db, request.principal!.organizationId, request.params.id)
    if (!webhook) throw notFound('This webhook')
    return webhookJson(webhook)
  })

  app.patch('/webhooks/:id', {
    config: { access },
    schema: {
      tags: ['webhooks'], summary: 'Change a webhook\'s URL or events, or turn it off or on', params: IdParams, body: ChangeWebhookBody,
      response: { 200: Webhook, ...errors(400, 401, 403, 404) },
    },
  }, async (request) => {
    const changed = await changeWebhook(app.db, app.config, request, request.params.id, request.body)
    if (!changed.ok) throw 'notFound' in changed ? notFound('This webhook') : fieldsInvalid(changed.errors)
    return webhookJson(changed.webhook)
  })

  app.delete('/webhooks/:id', {
    config: { access },
    schema: { tags: ['webhooks'], summary: 'Delete a webhook and its delivery log', params: IdParams, response: { 204: Type.Null(), ...errors(401, 403, 404) } },
  }, async (request, reply) => {
    if (!(await removeWebhook(app.db, request, request.params.id))) throw notFound('This webhook')
    return reply.code(204).send(null)
  })

  app.get('/webhooks/:id/deliveries', {
    config: { access },
    schema: {
      tags: ['webhooks'],
      summary: 'A webhook\'s deliveries, newest first, with every try',
      description: `A page of \`limit\` deliveries (1–${MAX_DELIVERIES}); the \`Link\` and \`Next-Cursor\` headers lead to the next one, as \`nextBefore\` does.`,
      params: IdParams,
      querystring: DeliveriesQuery,
      response: { 200: pageResponse(DeliveryPage, 'A page of deliveries, newest first'), ...errors(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    const organizationId = request.principal!.organizationId
    if (!(await findWebhook(app.db, organizationId, request.params.id))) throw notFound('This webhook')
    const { before, cursor } = request.query
    if (before !== undefined && cursor !== undefined) throw fieldsInvalid({ before: 'give either before or cursor, not both' })
    if (before !== undefined && !Number.isSafeInteger(before)) throw fieldsInvalid({ before: 'must be a delivery id' })
    const asked = pageRequest(DELIVERY_LIST, request.query, MAX_DELIVERIES)
    // `before` is this list's older way of saying where a page starts: the key itself, in the clear.
    const page = await listDeliveryPage(app.db, organizationId, request.params.id, before === undefined ? asked : { ...asked, after: [before] })
    const tries = await listAttempts(app.db, organizationId, page.rows.map((d) => d.id))
    const deliveries = sendPage(request, reply, page, { superseded: ['before'] }).map((d) => ({
      id: d.id, eventId: d.eventId, event: d.event, status: d.status, attempts: d.attempts, createdAt: d.createdAt.toISOString(),
      nextTryAt: iso(d.nextTryAt), deliveredAt: iso(d.deliveredAt), lastStatus: d.lastStatus, lastError: d.lastError,
      tries: tries.filter((t) => t.deliveryId === d.id).map((t) => ({ at: t.at.toISOString(), statusCode: t.statusCode, error: t.error, durationMs: t.durationMs })),
    }))
    return { deliveries, nextBefore: page.nextCursor === null ? null : page.rows.at(-1)!.id }
  })
}
