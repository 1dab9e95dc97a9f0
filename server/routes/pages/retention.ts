// /settings/retention: an owner's limits on how long contacts and comments are kept. The daily run
// (server/retention/plugin.ts) applies them; a change is audited.
import type { FastifyInstance } from 'fastify'
import { retentionSettings } from '../../repositories/retention.js'
import { changeRetention } from '../../services/retention-settings.js'

const typed = (value: unknown) => (typeof value === 'string' ? value.slice(0, 20) : '')

export default async function retentionPages(app: FastifyInstance) {
  app.get('/settings/retention', { config: { access: 'delete_data' } }, async (request, reply) => {
    const settings = await retentionSettings(app.db, request.principal!.organizationId)
    const values = { contactMonths: settings.contactMonths ?? '', commentMonths: settings.commentMonths ?? '' }
    return reply.page('retention', { title: 'Retention', values, errors: {}, saved: 'saved' in (request.query as object) })
  })

  app.post('/settings/retention', { config: { access: 'delete_data' } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>
    // The form always holds both fields; one that is missing is empty, "keep them".
    const changed = await changeRetention(app.db, { principal: request.principal!, ip: request.ip }, { contactMonths: body.contactMonths ?? null, commentMonths: body.commentMonths ?? null })
    if (!changed.ok) {
      const values = { contactMonths: typed(body.contactMonths), commentMonths: typed(body.commentMonths) }
      return reply.code(422).page('retention', { title: 'Retention', values, errors: changed.errors, saved: false })
    }
    return reply.redirect('/settings/retention?saved', 303)
  })
}
