// POST /api/v1/waves/:id/responses: responses from integrations and historical imports; DELETE one
// response (an owner, with a reason, audited).
import type { FastifyInstance } from 'fastify'
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { MAX_IMPORT_BYTES } from '../../domain/csv-import.js'
import { MAX_IMPORT_ROWS } from '../../domain/responses.js'
import { fieldsInvalid, HttpError, notFound } from '../../http-error.js'
import { checkReason } from '../../domain/data-rights.js'
import { deleteResponse, responseExists } from '../../services/data-rights.js'
import { importIntoWave, importResponseCsv } from '../../services/imports.js'
import { errors, IdParams } from './schemas.js'

const Row = Type.Object({}, {
  additionalProperties: true,
  description: '{side: "staff"|"customer", unit?: name or id, attributes?: {name: text}, answers: {itemKey: value|null}, predictions?: {itemKey: 0…10|null}, comment?: text}. `predictions` only on staff rows, and only for the items the wave\'s staff predict (its `predictions` setting).',
  examples: [{ side: 'customer', unit: 'North branch', attributes: { tier: 'gold' }, answers: { excellent_service: 4, easy: null }, comment: 'Quick and friendly.' }],
})

export default async function responses(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  // A CSV body is read whole (at most MAX_IMPORT_BYTES, as an upload on the import page) and checked as that file would be.
  app.addContentTypeParser('text/csv', { parseAs: 'buffer', bodyLimit: MAX_IMPORT_BYTES }, (_request, body, done) => done(null, body))

  app.post('/waves/:id/responses', {
    config: { access: 'manage_waves' },
    bodyLimit: 16 * 1024 * 1024,
    schema: {
      tags: ['responses'],
      operationId: 'addWaveResponses',
      summary: 'Add responses to a wave: one object, an array of up to 10,000, or a CSV file',
      description: 'All or nothing: if any row is invalid, nothing is stored and `details` lists every problem as {row, field, message} (rows count from 1). Answers missing from a row count as not answered; null means "not applicable". '
        + `A CSV file (text/csv, at most ${MAX_IMPORT_BYTES / 1024 / 1024} MB) is read as the wave's import page reads an upload: a header row naming side, unit, the items' keys and any attribute columns; `
        + 'its problems are numbered by spreadsheet line (the header is line 1) and named by column.',
      params: IdParams,
      body: {
        content: {
          'application/json': { schema: Type.Union([Row, Type.Array(Row, { maxItems: MAX_IMPORT_ROWS })]) },
          'text/csv': { schema: Type.Unknown({ description: 'CSV text with a header row (UTF-8 or Windows-1252; comma, semicolon or tab)' }) },
        },
      },
      response: { 201: Type.Object({ ids: Type.Array(Type.String()) }), ...errors(400, 401, 403, 404, 413, 415) },
    },
  }, async (request, reply) => {
    const target = { organizationId: request.principal!.organizationId, waveId: request.params.id }
    // A wave that is not the caller's organization's answers 404 from here.
    const result = Buffer.isBuffer(request.body)
      ? await importResponseCsv(app.db, target, request.body, request.log)
      : await importIntoWave(app.db, { ...target, channel: 'api' }, Array.isArray(request.body) ? request.body : [request.body], request.log)
    if (!result.ok) {
      const shown = result.problems.slice(0, 3).map((p) => `row ${p.row}${p.field ? ` ${p.field}` : ''}: ${p.message}`).join('; ')
      const more = result.problems.length > 3 ? ` (and ${result.problems.length - 3} more)` : ''
      throw new HttpError(400, 'validation_failed', `Nothing was stored. ${shown}${more}.`, result.problems)
    }
    return reply.code(201).send({ ids: result.ids })
  })

  app.delete('/waves/:id/responses/:responseId', {
    config: { access: 'delete_data' },
    schema: {
      tags: ['responses'],
      summary: 'Delete one response, with the reason (owners; audited)',
      description: 'A customer response, and a staff answer still waiting for its release step, are deleted at once and the figures '
        + 'follow. A staff answer already in the figures cannot be deleted alone: the difference between two reports would show its '
        + 'answers (409); delete the wave instead.',
      params: Type.Object({ ...IdParams.properties, responseId: IdParams.properties.id }),
      body: Type.Object({ reason: Type.Optional(Type.Unknown({ description: 'Why (1–500 characters); kept in the audit log' })) }, { additionalProperties: false }),
      response: { 204: Type.Null(), ...errors(400, 401, 403, 404, 409) },
    },
  }, async (request, reply) => {
    const { id, responseId } = request.params
    // Another organization's response is not there, whatever the body says.
    if (!(await responseExists(app.db, request.principal!.organizationId, id, responseId))) throw notFound('This response')
    const checked = checkReason(request.body?.reason)
    if ('problem' in checked) throw fieldsInvalid({ reason: checked.problem })
    const result = await deleteResponse(app.db, request, id, responseId, checked.reason)
    if (result.outcome === 'not_found') throw notFound('This response')
    if (result.outcome !== 'deleted') {
      throw new HttpError(409, 'released_staff_answer', 'This staff answer is already in the released figures. Deleting it alone would let anyone '
        + 'comparing two reports read its answers, so single staff answers cannot be deleted once released. To remove it, delete the wave.')
    }
    return reply.code(204).send(null)
  })
}
