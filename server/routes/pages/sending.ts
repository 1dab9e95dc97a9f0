// Sending from the admin pages: invite contacts to a wave, set its reminders, watch delivery, read
// the development outbox, and resume sending after it paused itself.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { sql } from 'kysely'
import { isUuid } from '../../../db/connect.js'
import { HttpError, notFound } from '../../http-error.js'
import { invitationCounts, resumeSending } from '../../repositories/invitations.js'
import { findWaveName } from '../../repositories/waves.js'
import { inviteToWave } from '../../services/waves.js'

type Params = { id: string }

export default async function sendingPages(app: FastifyInstance) {
  const orgOf = (request: FastifyRequest) => request.principal!.organizationId
  async function loadWave(request: FastifyRequest<{ Params: Params }>) {
    const wave = isUuid(request.params.id) ? await findWaveName(app.db, orgOf(request), request.params.id) : undefined
    if (!wave) throw notFound('This wave')
    return wave
  }

  app.post<{ Params: Params }>('/waves/:id/invitations', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const body = request.body as Record<string, unknown>
    const side = body.side === 'staff' || body.side === 'customer' ? body.side : null
    const unit = typeof body.unit === 'string' && body.unit !== '' ? body.unit : null
    const queued = await inviteToWave(app.db, app.config.signingSecret, orgOf(request), request.params.id, { side, unit })
    return reply.redirect(`/waves/${request.params.id}?invited=${queued}#invitations`, 303)
  })

  app.post<{ Params: Params }>('/waves/:id/reminders', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const wave = await loadWave(request)
    const body = request.body as Record<string, unknown>
    const reminders = Number(body.reminders)
    const days = Number(body.reminderDays)
    if (!Number.isInteger(reminders) || reminders < 0 || reminders > 5 || !Number.isInteger(days) || days < 1 || days > 30) {
      throw new HttpError(400, 'validation_failed', 'Reminders go from 0 to 5, and from 1 to 30 days apart.')
    }
    await app.db.updateTable('waves').set({ reminders, reminder_days: days }).where('organization_id', '=', orgOf(request)).where('id', '=', wave.id).execute()
    return reply.redirect(`/waves/${wave.id}#invitations`, 303)
  })

  app.get<{ Params: Params }>('/waves/:id/delivery', { config: { access: 'read' } }, async (request) => {
    const wave = await loadWave(request)
    return { counts: await invitationCounts(app.db, orgOf(request), wave.id) }
  })

  app.get('/outbox', { config: { access: 'manage_settings' } }, async (request, reply) => {
    const messages = await app.db.selectFrom('outbox_messages').selectAll()
      .where('organization_id', '=', orgOf(request)).orderBy('id', 'desc').limit(50).execute()
    const total = await app.db.selectFrom('outbox_messages').select(sql<number>`count(*)`.as('n')).where('organization_id', '=', orgOf(request)).executeTakeFirstOrThrow()
    return reply.page('outbox', { title: 'Outbox', messages, total: Number(total.n), smtp: app.config.smtpUrl !== null })
  })

  app.post('/sending/resume', { config: { access: 'manage_settings' } }, async (request, reply) => {
    await resumeSending(app.db, orgOf(request))
    const back = (request.body as Record<string, unknown>).back
    return reply.redirect(typeof back === 'string' && /^\/waves\/[0-9a-f-]{36}$/.test(back) ? `${back}#invitations` : '/waves', 303)
  })
}
