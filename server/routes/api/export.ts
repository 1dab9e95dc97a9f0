// GET /api/v1/waves/:id/export.csv: every response of a wave, for the analysts' own spreadsheets.
import type { FastifyInstance } from 'fastify'
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { getOrganization } from '../../repositories/organizations.js'
import { audit } from '../../services/audit.js'
import { responsesCsvDownload } from '../../services/export.js'
import { loadWave } from '../load-wave.js'
import { errors, IdParams } from './schemas.js'

export default async function exportRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  app.get('/waves/:id/export.csv', {
    config: { access: 'export', reads: 'replica' },
    schema: {
      tags: ['exports'],
      summary: 'Responses of a wave as CSV',
      description: 'One row per response, one column per item ("na" for not applicable, empty for not answered). '
        + 'Text that a spreadsheet would run as a formula starts with an apostrophe. Staff rows have no id, no attributes, '
        + 'the day only, and no unit when the unit has fewer staff respondents than the minimum group size.',
      params: IdParams,
      operationId: 'exportWaveResponses',
      response: {
        200: {
          description: 'The responses as CSV (UTF-8 with a byte order mark), sent as an attachment.',
          content: { 'text/csv': { schema: Type.String({ description: 'A header row, then one row per response' }) } },
        },
        ...errors(400, 401, 403, 404),
      },
    },
  }, async (request, reply) => {
    const [wave, org] = await Promise.all([loadWave(request.reads, request), getOrganization(request.reads, request.principal!.organizationId)])
    const download = await responsesCsvDownload(request.reads, org, wave)
    await audit(app.db, request, 'export_downloaded', { target: `wave ${wave.name}`, detail: { wave: wave.id, kind: 'responses', filters: {}, via: 'api' } })
    // The CSV is a stream: fastify sends it as it is, and serializes only the JSON errors.
    return reply.headers(download.headers).send(download.body as never)
  })
}
