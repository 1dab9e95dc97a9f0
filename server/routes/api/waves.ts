// Waves through the API: list, create, read one, change (name, dates, languages, prediction
// questions, repeat and weekly digest, open or close it) and delete (owners).
import type { FastifyInstance } from 'fastify'
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { fieldsInvalid, notFound } from '../../http-error.js'
import { getOrganization } from '../../repositories/organizations.js'
import { findWave, listWavePage, WAVE_LIST } from '../../repositories/waves.js'
import { audit } from '../../services/audit.js'
import { reportScope, seesLinkOf, type Reader } from '../../services/report-scope.js'
import { auditWaveChange, changeWave, conflictIn, removeWave } from '../../services/wave-settings.js'
import { addMissingUnitLinks, createWaveFromInput, oneWaveJson, wavesJson } from '../../services/waves.js'
import { oneWaveOverview, overviewJson, wavesOverview } from '../../services/waves-overview.js'
import { loadWave } from '../load-wave.js'
import { WaveOverview } from './overview-schemas.js'
import { pageRequest, pageResponse, sendPage } from './paging.js'
import { errors, IdParams, PageQuery } from './schemas.js'

const Url = Type.Union([Type.String(), Type.Null()])
const Predictions = Type.Union([Type.Literal('off'), Type.Literal('headline'), Type.Literal('all')], {
  description: 'Whether staff are also asked "Out of 10 of our customers, how many would agree: …?": not at all (off), for the headline, or for every item (all).',
})
const RepeatEvery = Type.Union([Type.Literal('month'), Type.Literal('quarter'), Type.Null()], {
  description: 'How often the next wave of the series is made: a month or a quarter after this one, with the same template version, units, languages and links; null: no repeat. A repeating wave needs `opensAt` and `closesAt`, and closes within one period of opening.',
})
const WeeklyDigest = Type.Boolean({ description: 'Whether subscribed leaders get a digest every week while the wave is open.' })
const Wave = Type.Object({
  id: Type.String(),
  name: Type.String(),
  status: Type.Union([Type.Literal('draft'), Type.Literal('open'), Type.Literal('closed')]),
  templateKey: Type.String(),
  templateVersion: Type.Integer(),
  opensAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  closesAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  locales: Type.Array(Type.String()),
  predictions: Predictions,
  createdAt: Type.String({ format: 'date-time' }),
  repeatEvery: RepeatEvery,
  repeatedFrom: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], { description: 'The wave of the series this one was made from (read-only).' }),
  weeklyDigest: WeeklyDigest,
  links: Type.Object({ staff: Url, customer: Url }),
  unitLinks: Type.Array(Type.Object({
    unit: Type.Object({ id: Type.String(), name: Type.String() }),
    staff: Url,
    customer: Url,
  })),
  overview: WaveOverview,
}, { title: 'Wave' })

export default async function waves(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const publicUrl = app.config.publicUrl

  /** A wave object with its overview for this reader (services/waves-overview.ts). */
  async function withOverview<T extends { id: string }>(reader: Reader, json: T) {
    const [organization, wave] = await Promise.all([getOrganization(app.db, reader.organizationId), findWave(app.db, reader.organizationId, json.id)])
    return { ...json, overview: wave ? overviewJson(await oneWaveOverview(app.db, organization, wave, reader)) : null }
  }

  app.get('/waves', {
    config: { access: 'read' },
    schema: {
      tags: ['waves'],
      summary: 'List waves, newest first',
      description: 'A page of `limit` waves; the `Link` and `Next-Cursor` headers lead to the next one.',
      querystring: Type.Object(PageQuery),
      response: { 200: pageResponse(Type.Array(Wave), 'A page of waves, newest first'), ...errors(400, 401) },
    },
  }, async (request, reply) => {
    // A unit manager gets only their units' links (report-scope.ts seesLinkOf).
    const scope = await reportScope(app.db, request.principal!)
    const orgId = request.principal!.organizationId
    const [page, organization] = await Promise.all([listWavePage(app.db, orgId, pageRequest(WAVE_LIST, request.query)), getOrganization(app.db, orgId)])
    // Links and overviews for the waves of this page only.
    const [json, { overviews }] = await Promise.all([
      wavesJson(app.db, orgId, page.rows, publicUrl, (unitId) => seesLinkOf(scope, unitId)),
      wavesOverview(app.db, organization, page.rows, request.principal!, { page: true }),
    ])
    return sendPage(request, reply, { ...page, rows: json.map((wave, i) => ({ ...wave, overview: overviewJson(overviews[i]!) })) })
  })

  app.post('/waves', {
    config: { access: 'manage_waves' },
    schema: {
      tags: ['waves'],
      summary: 'Create a wave',
      description: 'The wave opens at once unless `opensAt` lies ahead or `status` is "draft". Dates are ISO 8601; a bare date is read as UTC, and a bare closing date means the end of that day.',
      body: Type.Object({
        name: Type.String({ minLength: 1, maxLength: 100 }),
        templateKey: Type.String({ minLength: 1, maxLength: 100 }),
        opensAt: Type.Optional(Type.String({ maxLength: 40 })),
        closesAt: Type.Optional(Type.String({ maxLength: 40 })),
        status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('draft')])),
        locales: Type.Optional(Type.Array(Type.String({ maxLength: 10 }), { minItems: 1, maxItems: 10 })),
        unitLinks: Type.Optional(Type.Boolean({ description: 'Also create a staff and a customer link for every unit.' })),
        predictions: Type.Optional(Predictions),
        repeatEvery: Type.Optional(RepeatEvery),
        weeklyDigest: Type.Optional(WeeklyDigest),
      }, { additionalProperties: false }),
      response: { 201: Wave, ...errors(400, 401, 403, 409) },
    },
  }, async (request, reply) => {
    const orgId = request.principal!.organizationId
    const created = await createWaveFromInput(app.db, orgId, request.body, { unitLinks: request.body.unitLinks ?? false })
    if (!created.ok) {
      const conflict = conflictIn(created.errors)
      throw conflict ? fieldsInvalid(created.errors, 409, 'conflict', conflict) : fieldsInvalid(created.errors)
    }
    return reply.code(201).send(await withOverview(request.principal!, (await oneWaveJson(app.db, orgId, created.value, publicUrl))!))
  })

  app.get('/waves/:id', {
    config: { access: 'read' },
    schema: { tags: ['waves'], summary: 'Read one wave with its links', params: IdParams, response: { 200: Wave, ...errors(401, 404) } },
  }, async (request) => {
    const scope = await reportScope(app.db, request.principal!)
    const wave = await oneWaveJson(app.db, request.principal!.organizationId, request.params.id, publicUrl, (unitId) => seesLinkOf(scope, unitId))
    if (!wave) throw notFound('This wave')
    return withOverview(request.principal!, wave)
  })

  app.patch('/waves/:id', {
    config: { access: 'manage_waves' },
    schema: {
      tags: ['waves'],
      summary: 'Change a wave: name, dates, languages, prediction questions, its repeat and weekly digest, or open or close it now',
      description: 'Only the fields given change. `closesAt` must lie ahead (a bare date means the end of that day, UTC; null removes it); `locales` are among the instrument\'s, at least one. `status: "open"` opens the wave now (clearing its closing date unless one is given), `"closed"` closes it now, as the buttons of the wave page do. `opensAt` moves a draft\'s opening date (a wave that has opened keeps its own). `repeatEvery` and `weeklyDigest` set its schedule; a repeating wave needs both dates, at most one period apart (400 with a message per field otherwise). `predictions` changes only while the wave has no responses and no staff answers waiting for their release step (409 otherwise, and nothing changes): it changes what the figures measure.',
      params: IdParams,
      body: Type.Object({
        name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
        opensAt: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Null()], { description: 'A draft\'s opening date (null: none); a wave that has opened keeps its own.' })),
        closesAt: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Null()])),
        status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('closed')])),
        locales: Type.Optional(Type.Array(Type.String({ maxLength: 10 }), { minItems: 1, maxItems: 10 })),
        predictions: Type.Optional(Predictions),
        repeatEvery: Type.Optional(RepeatEvery),
        weeklyDigest: Type.Optional(WeeklyDigest),
      }, { additionalProperties: false }),
      response: { 200: Wave, ...errors(400, 401, 403, 404, 409) },
    },
  }, async (request) => {
    const orgId = request.principal!.organizationId
    const changed = await changeWave(app.db, orgId, request.params.id, request.body, { log: request.log })
    if (!changed.ok) {
      const conflict = conflictIn(changed.errors)
      throw conflict ? fieldsInvalid(changed.errors, 409, 'conflict', conflict) : fieldsInvalid(changed.errors)
    }
    await auditWaveChange(app.db, request, changed.value)
    return withOverview(request.principal!, (await oneWaveJson(app.db, orgId, request.params.id, publicUrl))!)
  })

  app.delete('/waves/:id', {
    config: { access: 'delete_data' },
    schema: {
      tags: ['waves'],
      summary: 'Delete a wave and everything of it (owners)',
      description: 'Its links, responses and answers, invitations and queued mail, and its report go for good.',
      params: IdParams,
      response: { 204: Type.Null(), ...errors(401, 403, 404) },
    },
  }, async (request, reply) => {
    const name = await removeWave(app.db, request.principal!.organizationId, request.params.id)
    await audit(app.db, request, 'wave_deleted', { target: `wave ${name}` })
    return reply.code(204).send(null)
  })

  app.post('/waves/:id/unit-links', {
    config: { access: 'manage_waves' },
    schema: {
      tags: ['waves'],
      operationId: 'addWaveUnitLinks',
      summary: 'Give the wave a staff and a customer link for every unit that has none yet',
      description: 'For units added since the wave was made (archived units get none). Calling it again adds nothing. The answer is the wave with all its links.',
      params: IdParams,
      response: { 200: Wave, ...errors(401, 403, 404) },
    },
  }, async (request) => {
    const orgId = request.principal!.organizationId
    const wave = await loadWave(app.db, request)
    await addMissingUnitLinks(app.db, orgId, wave.id)
    return withOverview(request.principal!, (await oneWaveJson(app.db, orgId, wave.id, publicUrl))!)
  })
}
