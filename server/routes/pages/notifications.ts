// Account → Notifications: which units a person follows, alert mail on or off, the digest and the
// language of their mail. Every signed-in person has it; the units on offer are those they may read.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { FieldErrors } from '../../domain/inputs.js'
import { DIGEST_SCHEDULES, notificationValues, type NotificationValues } from '../../domain/notification-choices.js'
import { notificationForm, saveNotificationChoices } from '../../services/notification-choices.js'

const DIGEST_LABELS: Record<string, string> = {
  off: 'No digest',
  close: 'When a wave closes',
  weekly: 'When a wave closes, and every week while it is open (where the wave sends weekly digests)',
}

export default async function notificationPages(app: FastifyInstance) {
  async function page(request: FastifyRequest, reply: FastifyReply, status: number, form?: { values: NotificationValues; errors: FieldErrors }) {
    const current = await notificationForm(app.db, request.principal!)
    reply.header('cache-control', 'no-store')
    return reply.code(status).page('notifications', {
      title: 'Notifications',
      values: form?.values ?? current.values,
      errors: form?.errors ?? {},
      units: current.units,
      digests: DIGEST_SCHEDULES.map((value) => ({ value, label: DIGEST_LABELS[value]! })),
      saved: status === 200 && (request.query as { done?: unknown }).done === 'saved',
    })
  }

  app.get('/account/notifications', { config: { access: 'read' } }, async (request, reply) => page(request, reply, 200))

  app.post('/account/notifications', { config: { access: 'read' } }, async (request, reply) => {
    const saved = await saveNotificationChoices(app.db, request.principal!, notificationValues((request.body ?? {}) as Record<string, unknown>))
    if (!saved.ok) return page(request, reply, 422, saved)
    return reply.redirect('/account/notifications?done=saved', 303)
  })
}
