// POST /api/v1/waves/:id/responses: responses from integrations and historical imports.
import type { FastifyInstance } from 'fastify'
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { MAX_IMPORT_ROWS } from '../../domain/responses.js'
import { HttpError } from '../../http-error.js'
import { importIntoWave } from '../../services/imports.js'
import { errors, IdParams } from './schemas.js'

const Row = Type.Object({}, {
  additionalProperties: true,
  description: '{side: "staff"|"customer", unit?: name or id, attributes?: {name: text}, answers: {itemKey: value|null}, comment?: text}',
  examples: [{ side: 'customer', unit: 'North branch', attributes: { tier: 'gold' }, answers: { excellent_service: 4, easy: null }, comment: 'Quick and friendly.' }],
})

export default async function responses(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  app.post('/waves/:id/responses', {
    config: { access: 'manage_waves' },
    bodyLimit: 16 * 1024 * 1024,
    schema: {
      tags: ['responses'],
      summary: 'Add responses to a wave: one object, or an array of up to 10,000',
      description: 'All or nothing: if any row is invalid, nothing is stored and `details` lists every problem as {row, field, message} (rows count from 1). Answers missing from a row count as not answered; null means "not applicable".',
      params: IdParams,
      body: Type.Union([Row, Type.Array(Row, { maxItems: MAX_IMPORT_ROWS })]),
      response: { 201: Type.Object({ ids: Type.Array(Type.String()) }), ...errors(400, 401, 403, 404, 413) },
    },
  }, async (request, reply) => {
    const rows = Array.isArray(request.body) ? request.body : [request.body]
    // A wave that is not the caller's organization's answers 404 from here.
    const result = await importIntoWave(app.db, { organizationId: request.principal!.organizationId, waveId: request.params.id, channel: 'api' }, rows, request.log)
    if (!result.ok) {
      const shown = result.problems.slice(0, 3).map((p) => `row ${p.row}${p.field ? ` ${p.field}` : ''}: ${p.message}`).join('; ')
      const more = result.problems.length > 3 ? ` (and ${result.problems.length - 3} more)` : ''
      throw new HttpError(400, 'validation_failed', `Nothing was stored. ${shown}${more}.`, result.problems)
    }
    return reply.code(201).send({ ids: result.ids })
  })
}
