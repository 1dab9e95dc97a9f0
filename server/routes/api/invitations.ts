// Invitations through the API: invite matching contacts to a wave, read delivery counts, set the
// wave's reminders, and see and resume sending after it paused itself (as the wave's operations tab).
import type { FastifyInstance } from 'fastify'
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { invitationCounts, resumeSending, sendingState } from '../../repositories/invitations.js'
import { inviteToWave, setReminders } from '../../services/waves.js'
import { loadWave } from '../load-wave.js'
import { errors, IdParams } from './schemas.js'

const REMINDER_FIELDS = {
  count: Type.Integer({ minimum: 0, maximum: 5, description: 'How many reminders an invitee who has not answered gets (0–5).' }),
  days: Type.Integer({ minimum: 1, maximum: 30, description: 'Days between the invitation and each reminder after it (1–30).' }),
}
const Reminders = Type.Object(REMINDER_FIELDS)
const RemindersChange = Type.Object({ count: Type.Optional(REMINDER_FIELDS.count), days: Type.Optional(REMINDER_FIELDS.days) }, { additionalProperties: false })

const Sending = Type.Object({
  paused: Type.Boolean(),
  pausedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()], { description: 'Why sending paused itself, in words.' }),
}, { title: 'SendingState' })

const sendingJson = (state: Awaited<ReturnType<typeof sendingState>>) =>
  ({ paused: state.pausedAt !== null, pausedAt: state.pausedAt?.toISOString() ?? null, reason: state.reason })

const Counts = Type.Object({ queued: Type.Integer(), sent: Type.Integer(), failed: Type.Integer(), bounced: Type.Integer(), responded: Type.Integer() })

export default async function invitations(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.post('/waves/:id/invitations', {
    config: { access: 'manage_waves' },
    schema: {
      tags: ['invitations'],
      operationId: 'sendWaveInvitations',
      summary: 'Invite contacts to a wave',
      description: 'Invites every matching, subscribed contact not yet invited to this wave (calling it twice queues nobody twice). Each gets a personal single-use link by email.',
      params: IdParams,
      body: Type.Object({
        side: Type.Optional(Type.Union([Type.Literal('staff'), Type.Literal('customer')])),
        unit: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'A unit id or name' })),
      }, { additionalProperties: false }),
      response: { 202: Type.Object({ queued: Type.Integer() }), ...errors(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    const queued = await inviteToWave(app.db, app.config.signingSecret, request.principal!.organizationId, request.params.id,
      { side: request.body.side ?? null, unit: request.body.unit ?? null })
    return reply.code(202).send({ queued })
  })

  app.get('/waves/:id/invitations', {
    config: { access: 'whole_wave' },
    schema: {
      tags: ['invitations'],
      operationId: 'getWaveInvitationCounts',
      summary: 'Delivery counts of a wave\'s invitations',
      params: IdParams,
      response: { 200: Type.Object({ counts: Counts }), ...errors(401, 403, 404) },
    },
  }, async (request) => {
    const wave = await loadWave(app.db, request)
    const { used, ...byStatus } = await invitationCounts(app.db, request.principal!.organizationId, wave.id)
    // The API's contract names used invitations "responded".
    return { counts: { ...byStatus, responded: used } }
  })

  app.patch('/waves/:id/reminders', {
    config: { access: 'manage_waves' },
    schema: {
      tags: ['invitations'],
      operationId: 'setWaveReminders',
      summary: 'Change how many reminders a wave\'s invitees get, and how many days apart',
      description: 'A field left out keeps its value. The answer gives both as they are now.',
      params: IdParams,
      body: RemindersChange,
      response: { 200: Type.Object({ reminders: Reminders }), ...errors(400, 401, 403, 404) },
    },
  }, async (request) => {
    const wave = await loadWave(app.db, request)
    const reminders = { ...wave.reminders, ...request.body }
    await setReminders(app.db, request.principal!.organizationId, wave.id, { reminders: reminders.count, reminderDays: reminders.days })
    return { reminders }
  })

  app.get('/sending', {
    config: { access: 'manage_settings' },
    schema: {
      tags: ['invitations'],
      operationId: 'getSendingState',
      summary: 'Whether sending invitations and reminders has paused itself, since when and why',
      response: { 200: Sending, ...errors(401, 403) },
    },
  }, async (request) => sendingJson(await sendingState(app.db, request.principal!.organizationId)))

  app.post('/sending/resume', {
    config: { access: 'manage_settings' },
    schema: {
      tags: ['invitations'],
      operationId: 'resumeSending',
      summary: 'Resume sending after it paused itself',
      description: 'Queued invitations and reminders go out again. Resuming while sending runs changes nothing.',
      response: { 200: Sending, ...errors(401, 403) },
    },
  }, async (request) => {
    await resumeSending(app.db, request.principal!.organizationId)
    return sendingJson(await sendingState(app.db, request.principal!.organizationId))
  })
}
