// The caller's own notification settings through the API, as on Account → Notifications: which units
// they follow (every unit they may read, or some), alert mail, the digest and the language of their
// mail. Every role has them (read); the units on offer are those whose reports the caller may read.
import type { FastifyInstance } from 'fastify'
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { DIGEST_SCHEDULES, MAX_FOLLOWED_UNITS, type NotificationValues } from '../../domain/notification-choices.js'
import type { DigestSchedule } from '../../domain/types.js'
import { fieldsInvalid } from '../../http-error.js'
import type { Principal } from '../../repositories/credentials.js'
import { notificationForm, saveNotificationChoices } from '../../services/notification-choices.js'
import { errors } from './schemas.js'

const Digest = Type.Unsafe<DigestSchedule>({ type: 'string', enum: [...DIGEST_SCHEDULES], description: 'off; close: when a wave closes; weekly: also every week while a wave is open (where the wave sends weekly digests).' })
const Units = Type.Union([Type.Array(Type.String({ format: 'uuid' }), { maxItems: MAX_FOLLOWED_UNITS }), Type.Null()], {
  description: 'The units followed (at least one); null: every unit whose reports you may read.',
})
const Locale = Type.String({ minLength: 2, maxLength: 20, description: 'The language of your mail.' })

const Notifications = Type.Object({
  units: Units,
  alertEmail: Type.Boolean({ description: 'Alerts by mail.' }),
  digest: Digest,
  locale: Locale,
  followable: Type.Array(Type.Object({ id: Type.String({ format: 'uuid' }), name: Type.String() }), { description: 'The units you may follow.' }),
}, { title: 'NotificationSettings' })

const ChangeNotifications = Type.Partial(Type.Object({ units: Units, alertEmail: Type.Boolean(), digest: Digest, locale: Locale }), { additionalProperties: false })

/** The service speaks of "follow" (every unit, or those chosen); the API of `units`, null for every unit. */
const apiField = (field: string) => (field === 'follow' ? 'units' : field)

export default async function notifications(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const access = 'read' as const

  async function current(principal: Principal) {
    const form = await notificationForm(app.db, principal)
    const { values } = form
    return { units: values.follow === 'all' ? null : values.units, alertEmail: values.alertEmail, digest: values.digest as DigestSchedule, locale: values.locale, followable: form.units }
  }

  app.get('/account/notifications', {
    config: { access },
    schema: { operationId: 'getNotificationSettings', tags: ['notifications'], summary: 'Your notification settings, and the units you may follow', response: { 200: Notifications, ...errors(401, 403) } },
  }, async (request) => current(request.principal!))

  app.patch('/account/notifications', {
    config: { access },
    schema: {
      operationId: 'updateNotificationSettings',
      tags: ['notifications'],
      summary: 'Change your notification settings; a field left out stays as it is',
      body: ChangeNotifications,
      response: { 200: Notifications, ...errors(400, 401, 403) },
    },
  }, async (request) => {
    const before = await current(request.principal!)
    const units = request.body.units === undefined ? before.units : request.body.units
    const values: NotificationValues = {
      follow: units === null ? 'all' : 'chosen', units: units ?? [],
      alertEmail: request.body.alertEmail ?? before.alertEmail, digest: request.body.digest ?? before.digest, locale: request.body.locale ?? before.locale,
    }
    const saved = await saveNotificationChoices(app.db, request.principal!, values)
    if (!saved.ok) throw fieldsInvalid(Object.fromEntries(Object.entries(saved.errors).map(([field, message]) => [apiField(field), message])))
    return current(request.principal!)
  })
}
