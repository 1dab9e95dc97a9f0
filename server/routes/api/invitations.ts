// Invitations through the API: invite matching contacts to a wave, and read delivery counts.
import type { FastifyInstance } from 'fastify'
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { invitationCounts } from '../../repositories/invitations.js'
import { inviteToWave } from '../../services/waves.js'
import { loadWave } from '../load-wave.js'
import { errors, IdParams } from './schemas.js'

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
}
