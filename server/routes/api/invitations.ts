// Invitations through the API: invite matching contacts to a wave, and read delivery counts.
import type { FastifyInstance } from 'fastify'
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { HttpError, notFound } from '../../http-error.js'
import { invitationCounts, inviteContacts } from '../../repositories/invitations.js'
import { findUnit, findUnitByName } from '../../repositories/units.js'
import { findWave } from '../../repositories/waves.js'
import { isUuid } from '../../../db/connect.js'
import { errors, IdParams } from './schemas.js'

const Counts = Type.Object({ queued: Type.Integer(), sent: Type.Integer(), failed: Type.Integer(), bounced: Type.Integer(), responded: Type.Integer() })

export default async function invitations(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.post('/waves/:id/invitations', {
    config: { access: 'manage_waves' },
    schema: {
      tags: ['invitations'],
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
    const organizationId = request.principal!.organizationId
    const wave = await findWave(app.db, organizationId, request.params.id)
    if (!wave) throw notFound('This wave')
    if (wave.status === 'closed') throw new HttpError(409, 'wave_closed', 'This wave is closed; reopen it before inviting anyone.')
    let unitId: string | null = null
    if (request.body.unit) {
      const unit = isUuid(request.body.unit) ? await findUnit(app.db, organizationId, request.body.unit) : await findUnitByName(app.db, organizationId, request.body.unit)
      if (!unit) throw new HttpError(400, 'validation_failed', `There is no unit "${request.body.unit}".`, [{ field: 'unit', message: 'is not one of your units' }])
      unitId = unit.id
    }
    const queued = await inviteContacts(app.db, app.config.sessionSecret, { organizationId, waveId: wave.id, side: request.body.side ?? null, unitId })
    return reply.code(202).send({ queued })
  })

  app.get('/waves/:id/invitations', {
    config: { access: 'read' },
    schema: {
      tags: ['invitations'],
      summary: 'Delivery counts of a wave\'s invitations',
      params: IdParams,
      response: { 200: Type.Object({ counts: Counts }), ...errors(401, 404) },
    },
  }, async (request) => {
    const organizationId = request.principal!.organizationId
    const wave = await findWave(app.db, organizationId, request.params.id)
    if (!wave) throw notFound('This wave')
    return { counts: await invitationCounts(app.db, organizationId, wave.id) }
  })
}
