// The instrument builder through the API: list the versions (built-in and own), read one with its
// whole definition, start one (from another or blank) or create one from a whole definition, save one
// (in place while no wave uses it, otherwise as the next version under the same key) and delete an
// unused one. The rules are services/instruments.ts's and the domain's; this file translates HTTP.
import type { FastifyInstance } from 'fastify'
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { fieldsInvalid } from '../../http-error.js'
import {
  createInstrumentFrom, deleteInstrument, getInstrument, listInstrumentPage, saveInstrument, startInstrument,
  type InstrumentDetail as Detail, type InstrumentInput, type InstrumentVersion, type SaveResult,
} from '../../services/instruments.js'
import { CreateInstrumentBody, InstrumentDetail, InstrumentSummary, SaveInstrumentBody, SavedInstrument } from './instrument-schemas.js'
import { instrumentList } from '../../repositories/instruments.js'
import { pageRequest, pageResponse, sendPage } from './paging.js'
import { errors, IdParams, PageQuery } from './schemas.js'

const summaryJson = (v: InstrumentVersion) => ({
  id: v.id, key: v.key, version: v.version, name: v.name, builtIn: v.builtIn, inUse: v.inUse, waves: v.waves, itemCount: v.itemCount, createdAt: v.createdAt.toISOString(),
})

const detailJson = (d: Detail) => ({
  ...summaryJson(d),
  newestVersion: d.newestVersion,
  locales: d.definition.locales,
  staffQuestion: d.definition.staffQuestion,
  customerQuestion: d.definition.customerQuestion,
  items: d.definition.items.map((item) => ({
    key: item.key, dimension: item.dimension, scale: item.scale, headline: item.headline, required: item.required,
    staffText: item.staffText, customerText: item.customerText, staffPredictText: item.staffPredictText,
  })),
})

/** The fields of a whole definition, which a start (`from`) does not take. */
const DEFINITION_ONLY = ['locales', 'staffQuestion', 'customerQuestion', 'items'] as const

export default async function instruments(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const stored = async (organizationId: string, saved: SaveResult) => {
    if (!saved.ok) throw fieldsInvalid(saved.errors)
    return { detail: detailJson(await getInstrument(app.db, organizationId, saved.id)), createdVersion: saved.createdVersion }
  }

  app.get('/instruments', {
    config: { access: 'read' },
    schema: {
      tags: ['instruments'],
      summary: 'List the instrument versions: the built-in ones, then your own',
      description: 'By key, newest version first. `inUse`: a wave runs the version, so it is frozen. A page of `limit` versions; the `Link` and `Next-Cursor` headers lead to the next one.',
      querystring: Type.Object(PageQuery),
      response: { 200: pageResponse(Type.Array(InstrumentSummary), 'A page of instrument versions'), ...errors(400, 401) },
    },
  }, async (request, reply) => {
    const page = await listInstrumentPage(app.db, request.principal!.organizationId, pageRequest(instrumentList('instruments'), request.query))
    return sendPage(request, reply, page).map(summaryJson)
  })

  app.get('/instruments/:id', {
    config: { access: 'read' },
    schema: {
      tags: ['instruments'],
      summary: 'Read one instrument version with its whole definition, in every language',
      params: IdParams,
      response: { 200: InstrumentDetail, ...errors(400, 401, 404) },
    },
  }, async (request) => detailJson(await getInstrument(app.db, request.principal!.organizationId, request.params.id)))

  app.post('/instruments', {
    config: { access: 'manage_waves' },
    schema: {
      tags: ['instruments'],
      summary: 'Create your own instrument (version 1): from another one, blank, or from a whole definition',
      description: '`{from, key, name}` copies the items of a built-in instrument or of one of yours ("blank": the headline statement alone, to reword). Without `from`, the body is the whole definition. A problem with any field is a 400 whose `details` name each field by its path (`key`, `items.2.staffText.es`, `headline`).',
      body: CreateInstrumentBody,
      response: { 201: InstrumentDetail, ...errors(400, 401, 403) },
    },
  }, async (request, reply) => {
    const organizationId = request.principal!.organizationId
    const body = request.body
    let saved: SaveResult
    if (body.from !== undefined) {
      const extra = DEFINITION_ONLY.filter((field) => body[field] !== undefined)
      if (extra.length > 0) {
        throw fieldsInvalid(Object.fromEntries(extra.map((field) => [field, 'Leave this out when starting from another instrument (`from`), or send the whole definition without `from`.'])))
      }
      saved = await startInstrument(app.db, request, { from: body.from, key: body.key ?? '', name: body.name ?? '' })
    } else {
      // Any field may be missing here: the domain names each one that is (instrumentFieldProblems).
      saved = await createInstrumentFrom(app.db, request, body as InstrumentInput)
    }
    return reply.code(201).send((await stored(organizationId, saved)).detail)
  })

  app.put('/instruments/:id', {
    config: { access: 'manage_waves' },
    schema: {
      tags: ['instruments'],
      summary: 'Save the whole definition of one of your instrument versions',
      description: 'A version no wave uses is changed in place. A version a wave uses is frozen and never changes: the save makes version N+1 under the same key (`saved: "new_version"`, with its own `id`), so the waves that ran the old one keep it and trends line items up by key. Built-in instruments are read-only (403 `read_only`). Problems are a 400 with `details` per field path.',
      params: IdParams,
      body: SaveInstrumentBody,
      response: { 200: SavedInstrument, ...errors(400, 401, 403, 404) },
    },
  }, async (request) => {
    const organizationId = request.principal!.organizationId
    const saved = await saveInstrument(app.db, request, request.params.id, request.body as InstrumentInput)
    const { detail, createdVersion } = await stored(organizationId, saved)
    return { ...detail, saved: createdVersion ? 'new_version' as const : 'in_place' as const }
  })

  app.delete('/instruments/:id', {
    config: { access: 'manage_waves' },
    schema: {
      tags: ['instruments'],
      summary: 'Delete one of your instrument versions that no wave uses',
      description: '409 `in_use` when a wave runs the version (it is kept as it is); 403 `read_only` for a built-in one.',
      params: IdParams,
      response: { 204: Type.Null(), ...errors(400, 401, 403, 404, 409) },
    },
  }, async (request, reply) => {
    await deleteInstrument(app.db, request, request.params.id)
    return reply.code(204).send(null)
  })
}
