// The webhooks settings page (/settings/webhooks): list and add webhooks (the secret is shown once,
// on the answer to the form that made it), and per webhook its events, on/off, a test event, deletion
// after a confirmation, and the delivery log. Owners and admins only.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { FieldErrors } from '../../domain/inputs.js'
import { isUuid } from '../../domain/formats.js'
import { WEBHOOK_EVENTS, type WebhookEvent } from '../../domain/types.js'
import { TEST_EVENT } from '../../domain/webhooks.js'
import { notFound } from '../../http-error.js'
import { deliveryCounts, findWebhook, listAttempts, listDeliveries, listWebhooks, type Webhook } from '../../repositories/webhooks.js'
import { changeWebhook, createWebhook, removeWebhook, sendTestEvent } from '../../services/webhooks.js'

/** What each event means, in the words the page shows beside its checkbox. */
export const EVENT_LABELS: Record<WebhookEvent | typeof TEST_EVENT, string> = {
  response_released: 'New results released (a wave\'s figures grew by a release step)',
  wave_opened: 'A wave opened',
  wave_closed: 'A wave closed',
  alert_raised: 'An alert was raised (a gap drifted, or customers fell unnoticed)',
  plan_changed: 'An action plan was created, changed or deleted',
  ping: 'Test event',
}

const LOG_LENGTH = 50
type Params = { id: string }
const str = (value: unknown) => (typeof value === 'string' ? value : '')
/** A form's checkboxes arrive as one string or several. */
const many = (value: unknown) => (Array.isArray(value) ? value.map(str) : value === undefined ? [] : [str(value)])

export default async function webhookPages(app: FastifyInstance) {
  const access = 'manage_settings' as const
  const events = WEBHOOK_EVENTS.map((key) => ({ key, label: EVENT_LABELS[key] }))

  async function listPage(request: FastifyRequest, extra: { values?: { url: string; events: string[] }; errors?: FieldErrors; created?: { webhook: Webhook; secret: string } } = {}) {
    const organizationId = request.principal!.organizationId
    const [webhooks, counts] = await Promise.all([listWebhooks(app.db, organizationId), deliveryCounts(app.db, organizationId)])
    return {
      title: 'Webhooks',
      webhooks: webhooks.map((webhook) => ({ ...webhook, ...(counts.get(webhook.id) ?? { waiting: 0, failed: 0 }) })),
      events, labels: EVENT_LABELS,
      values: extra.values ?? { url: '', events: [] },
      errors: extra.errors ?? {},
      created: extra.created ?? null,
      allowLoopback: app.config.webhooks.allowLoopback,
    }
  }

  async function webhookOf(request: FastifyRequest<{ Params: Params }>): Promise<Webhook> {
    const webhook = isUuid(request.params.id) ? await findWebhook(app.db, request.principal!.organizationId, request.params.id) : null
    if (!webhook) throw notFound('This webhook')
    return webhook
  }

  async function detailPage(request: FastifyRequest<{ Params: Params }>, webhook: Webhook, extra: { values?: { url: string; events: string[] }; errors?: FieldErrors; notice?: string | null } = {}) {
    const organizationId = request.principal!.organizationId
    const deliveries = await listDeliveries(app.db, organizationId, webhook.id, { limit: LOG_LENGTH })
    const tries = await listAttempts(app.db, organizationId, deliveries.map((d) => d.id))
    return {
      title: 'Webhook',
      webhook, events, labels: EVENT_LABELS,
      values: extra.values ?? { url: webhook.url, events: webhook.events },
      errors: extra.errors ?? {},
      notice: extra.notice ?? null,
      deliveries: deliveries.map((d) => ({ ...d, tries: tries.filter((t) => t.deliveryId === d.id) })),
      logLength: LOG_LENGTH,
    }
  }

  app.get('/settings/webhooks', { config: { access } }, async (request, reply) => reply.page('webhooks', await listPage(request)))

  app.post('/settings/webhooks', { config: { access, rateLimit: { max: 30, timeWindow: '1 minute' } } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>
    const input = { url: str(body.url).slice(0, 4000), events: many(body.events) }
    const created = await createWebhook(app.db, app.config, request, input)
    if (!created.ok) return reply.code(422).page('webhooks', await listPage(request, { values: input, errors: created.errors }))
    // The secret is on this answer only: never stored in clear, never cached.
    reply.header('cache-control', 'no-store')
    return reply.code(201).page('webhooks', await listPage(request, { created }))
  })

  app.get<{ Params: Params }>('/settings/webhooks/:id', { config: { access } }, async (request, reply) => {
    const query = request.query as Record<string, unknown>
    const notice = 'tested' in query ? 'A test event is queued: it is sent within a few seconds and shows in the log below.'
      : 'saved' in query ? 'Webhook saved.' : null
    return reply.page('webhook', await detailPage(request, await webhookOf(request), { notice }))
  })

  app.post<{ Params: Params }>('/settings/webhooks/:id', { config: { access } }, async (request, reply) => {
    const webhook = await webhookOf(request)
    const body = (request.body ?? {}) as Record<string, unknown>
    const input = { url: str(body.url).slice(0, 4000), events: many(body.events) }
    const changed = await changeWebhook(app.db, app.config, request, webhook.id, input)
    if (!changed.ok) {
      if ('notFound' in changed) throw notFound('This webhook')
      return reply.code(422).page('webhook', await detailPage(request, webhook, { values: input, errors: changed.errors }))
    }
    return reply.redirect(`/settings/webhooks/${webhook.id}?saved`, 303)
  })

  app.post<{ Params: Params }>('/settings/webhooks/:id/active', { config: { access } }, async (request, reply) => {
    const webhook = await webhookOf(request)
    const active = str((request.body as Record<string, unknown> | undefined)?.active) === 'on'
    const changed = await changeWebhook(app.db, app.config, request, webhook.id, { active })
    if (!changed.ok) throw notFound('This webhook')
    return reply.redirect(`/settings/webhooks/${webhook.id}?saved`, 303)
  })

  app.post<{ Params: Params }>('/settings/webhooks/:id/test', { config: { access, rateLimit: { max: 20, timeWindow: '1 minute' } } }, async (request, reply) => {
    const webhook = await webhookOf(request)
    if (!webhook.active) {
      return reply.code(409).page('webhook', await detailPage(request, webhook, { errors: { active: 'This webhook is off: turn it on to send a test event.' } }))
    }
    await sendTestEvent(app.db, request.principal!.organizationId, webhook.id)
    return reply.redirect(`/settings/webhooks/${webhook.id}?tested`, 303)
  })

  const deletePage = (reply: FastifyReply, webhook: Webhook) => reply.page('webhook-delete', { title: 'Delete this webhook?', webhook })

  app.get<{ Params: Params }>('/settings/webhooks/:id/delete', { config: { access } }, async (request, reply) => deletePage(reply, await webhookOf(request)))

  app.post<{ Params: Params }>('/settings/webhooks/:id/delete', { config: { access } }, async (request, reply) => {
    const webhook = await webhookOf(request)
    if (!(await removeWebhook(app.db, request, webhook.id))) throw notFound('This webhook')
    return reply.redirect('/settings/webhooks', 303)
  })
}
