// /settings/retention: an owner's limits on how long contacts and comments are kept. The daily run
// (server/retention/plugin.ts) applies them; a change is audited.
import type { FastifyInstance } from 'fastify'
import { checkMonths } from '../../domain/data-rights.js'
import { retentionSettings, saveRetentionSettings } from '../../repositories/retention.js'
import { audit } from '../../services/audit.js'

const typed = (value: unknown) => (typeof value === 'string' ? value.slice(0, 20) : '')

export default async function retentionPages(app: FastifyInstance) {
  app.get('/settings/retention', { config: { access: 'delete_data' } }, async (request, reply) => {
    const settings = await retentionSettings(app.db, request.principal!.organizationId)
    const values = { contactMonths: settings.contactMonths ?? '', commentMonths: settings.commentMonths ?? '' }
    return reply.page('retention', { title: 'Retention', values, errors: {}, saved: 'saved' in (request.query as object) })
  })

  app.post('/settings/retention', { config: { access: 'delete_data' } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>
    const contacts = checkMonths(body.contactMonths)
    const comments = checkMonths(body.commentMonths)
    const errors: Record<string, string> = {}
    if ('problem' in contacts) errors.contactMonths = contacts.problem
    if ('problem' in comments) errors.commentMonths = comments.problem
    if ('problem' in contacts || 'problem' in comments) {
      const values = { contactMonths: typed(body.contactMonths), commentMonths: typed(body.commentMonths) }
      return reply.code(422).page('retention', { title: 'Retention', values, errors, saved: false })
    }
    const settings = { contactMonths: contacts.months, commentMonths: comments.months }
    await saveRetentionSettings(app.db, request.principal!.organizationId, settings)
    await audit(app.db, request, 'settings_changed', { target: 'retention', detail: settings })
    return reply.redirect('/settings/retention?saved', 303)
  })
}
