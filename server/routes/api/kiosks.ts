// Kiosks through the API (owners and admins, as the wave's kiosk page): list them, make one of a
// unit's customer link in a wave, read one, change its daily cap, revoke it. The answers carry the
// kiosk's address, as the page shows it; revoking makes that address open nothing.
import type { FastifyInstance } from 'fastify'
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { DEFAULT_DAILY_CAP, kioskDay } from '../../domain/kiosk.js'
import { fieldsInvalid, HttpError, notFound } from '../../http-error.js'
import { findManagedKiosk, KIOSK_LIST, listKioskPage, type ManagedKiosk } from '../../repositories/kiosks.js'
import { changeKioskCap, createKiosk, kioskUrl, revokeKiosk, type KioskRefusal } from '../../services/kiosk.js'
import { ChangeKioskBody, CreateKioskBody, Kiosk, KioskQuery } from './kiosk-schemas.js'
import { pageRequest, pageResponse, sendPage } from './paging.js'
import { errors, IdParams } from './schemas.js'

const REFUSALS: Record<Exclude<KioskRefusal, 'no_wave' | 'no_unit' | 'exists'>, { field: string; message: string }> = {
  archived: { field: 'unitId', message: 'This unit is archived: it gets no new kiosk. Restore it first.' },
  no_link: { field: 'unitId', message: 'This unit has no customer link in the wave. Add the wave\'s unit links first (on the wave\'s operations tab).' },
}

export default async function kiosks(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const access = 'manage_waves' as const

  const kioskJson = (kiosk: ManagedKiosk) => ({
    id: kiosk.id, waveId: kiosk.waveId, unitId: kiosk.unitId, unitName: kiosk.unitName, linkId: kiosk.linkId,
    url: kioskUrl(app.config.publicUrl, kiosk.token), dailyCap: kiosk.dailyCap, today: kiosk.today, active: !kiosk.unitArchived,
    createdAt: kiosk.createdAt.toISOString(),
  })

  app.get('/kiosks', {
    config: { access },
    schema: {
      tags: ['kiosks'], summary: 'List the organization\'s kiosks, oldest first',
      description: 'A page of `limit` kiosks (of one wave with `wave`); the `Link` and `Next-Cursor` headers lead to the next one.',
      querystring: KioskQuery,
      response: { 200: pageResponse(Type.Array(Kiosk), 'A page of kiosks, oldest first'), ...errors(400, 401, 403) },
    },
  }, async (request, reply) => {
    const page = await listKioskPage(app.db, request.principal!.organizationId, pageRequest(KIOSK_LIST, request.query), kioskDay(new Date()), request.query.wave)
    return sendPage(request, reply, page).map(kioskJson)
  })

  app.post('/kiosks', {
    config: { access },
    schema: {
      tags: ['kiosks'], summary: 'Make a kiosk of a unit\'s customer link in a wave',
      description: 'A tablet on the counter opens the answer\'s `url`: the unit\'s customer survey, without sign-in, one person after another, within per-device limits and the daily cap. A staff link or the wave\'s general link never becomes one. A unit\'s link that is a kiosk already answers 409 with that kiosk\'s id in `details`.',
      body: CreateKioskBody,
      response: { 201: Kiosk, ...errors(400, 401, 403, 404, 409, 422) },
    },
  }, async (request, reply) => {
    const { waveId, unitId, dailyCap = DEFAULT_DAILY_CAP } = request.body
    const created = await createKiosk(app.db, request, { waveId, unitId, dailyCap })
    if (!created.ok) {
      if ('errors' in created) throw fieldsInvalid(created.errors)
      if (created.refused === 'no_wave') throw notFound('This wave')
      if (created.refused === 'no_unit') throw notFound('This unit')
      if (created.refused === 'exists') throw new HttpError(409, 'conflict', 'This unit\'s customer link in the wave is a kiosk already. Change its daily cap with PATCH /kiosks/{id}.', { id: created.existingId })
      const refusal = REFUSALS[created.refused]
      throw new HttpError(422, 'unprocessable', refusal.message, [refusal])
    }
    reply.header('cache-control', 'no-store')
    return reply.code(201).send(kioskJson(created.kiosk))
  })

  app.get('/kiosks/:id', {
    config: { access },
    schema: { tags: ['kiosks'], summary: 'One kiosk, with what it took today', params: IdParams, response: { 200: Kiosk, ...errors(400, 401, 403, 404) } },
  }, async (request) => {
    const kiosk = await findManagedKiosk(app.db, request.principal!.organizationId, request.params.id, kioskDay(new Date()))
    if (!kiosk) throw notFound('This kiosk')
    return kioskJson(kiosk)
  })

  app.patch('/kiosks/:id', {
    config: { access },
    schema: {
      tags: ['kiosks'], summary: 'Change a kiosk\'s daily cap; its address stays', params: IdParams, body: ChangeKioskBody,
      response: { 200: Kiosk, ...errors(400, 401, 403, 404) },
    },
  }, async (request) => {
    const changed = await changeKioskCap(app.db, request, request.params.id, request.body.dailyCap)
    if (!changed) throw notFound('This kiosk')
    if (!changed.ok) throw fieldsInvalid(changed.errors)
    return kioskJson(changed.value)
  })

  app.delete('/kiosks/:id', {
    config: { access },
    schema: {
      tags: ['kiosks'], summary: 'Revoke a kiosk: its address opens nothing any more',
      description: 'The unit\'s own customer link and the answers the kiosk took stay.',
      params: IdParams, response: { 204: Type.Null(), ...errors(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    if (!(await revokeKiosk(app.db, request, request.params.id))) throw notFound('This kiosk')
    return reply.code(204).send(null)
  })
}
