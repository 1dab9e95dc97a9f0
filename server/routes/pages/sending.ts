// Sending from the admin pages: invite contacts to a wave, set its reminders, watch delivery, read
// the development outbox, and resume sending after it paused itself.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { isUuid } from '../../domain/formats.js'
import { invitationCounts, resumeSending } from '../../repositories/invitations.js'
import { outboxFor } from '../../services/outbox.js'
import { inviteToWave, setReminders } from '../../services/waves.js'
import { loadWave } from '../load-wave.js'

type Params = { id: string }

/** Messages of the development outbox shown on its page. */
const OUTBOX_SHOWN = 50

export default async function sendingPages(app: FastifyInstance) {
  const orgOf = (request: FastifyRequest) => request.principal!.organizationId

  app.post<{ Params: Params }>('/waves/:id/invitations', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const body = request.body as Record<string, unknown>
    const side = body.side === 'staff' || body.side === 'customer' ? body.side : null
    const unit = typeof body.unit === 'string' && body.unit !== '' ? body.unit : null
    const queued = await inviteToWave(app.db, app.config.signingSecret, orgOf(request), request.params.id, { side, unit })
    return reply.redirect(`/waves/${request.params.id}/operations?invited=${queued}#invitations`, 303)
  })

  app.post<{ Params: Params }>('/waves/:id/reminders', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const wave = await loadWave(app.db, request)
    const body = request.body as Record<string, unknown>
    await setReminders(app.db, orgOf(request), wave.id, { reminders: body.reminders, reminderDays: body.reminderDays })
    return reply.redirect(`/waves/${wave.id}/operations#invitations`, 303)
  })

  app.get<{ Params: Params }>('/waves/:id/delivery', { config: { access: 'whole_wave' } }, async (request) => {
    const wave = await loadWave(app.db, request)
    return { counts: await invitationCounts(app.db, orgOf(request), wave.id) }
  })

  app.get('/outbox', { config: { access: 'manage_settings' } }, async (request, reply) => {
    // Account mail links only for whom they may concern (services/outbox.ts).
    const { messages, total } = await outboxFor(app.db, request.principal!, OUTBOX_SHOWN)
    return reply.page('outbox', { title: 'Outbox', messages, total, shown: OUTBOX_SHOWN, smtp: app.config.smtpUrl !== null })
  })

  app.post('/sending/resume', { config: { access: 'manage_settings' } }, async (request, reply) => {
    await resumeSending(app.db, orgOf(request))
    // Back to the wave's operations tab, where the form was; anything else sent as `back` goes to the list.
    const back = (request.body as Record<string, unknown>).back
    const waveId = typeof back === 'string' ? /^\/waves\/([^/]+)(?:\/operations)?$/.exec(back)?.[1] : undefined
    return reply.redirect(waveId !== undefined && isUuid(waveId) ? `/waves/${waveId}/operations#invitations` : '/waves', 303)
  })
}
