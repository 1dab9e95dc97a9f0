// GET /api/v1/waves/:id/report: the gap report, whole or filtered by unit and respondents' attributes.
import type { FastifyInstance } from 'fastify'
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { FILTER, parseReportFilters } from '../../domain/report.js'
import { HttpError } from '../../http-error.js'
import { getOrganization } from '../../repositories/organizations.js'
import { waveReport } from '../../services/report.js'
import { loadWave } from '../load-wave.js'
import { AnalyticsFields } from './analytics-schemas.js'
import { GapReportFields, ReportPartsFields } from './report-schemas.js'
import { errors, IdParams } from './schemas.js'
import { TrendFields } from './trend-schema.js'

export default async function report(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  app.get('/waves/:id/report', {
    config: { access: 'read', reads: 'replica' },
    schema: {
      tags: ['reports'],
      summary: 'The gap report of a wave',
      description: 'Filters: `unit` (id or name), `staff.<attribute>`, `customer.<attribute>` (e.g. `customer.tier=gold`). '
        + 'Each side\'s Share is {n, agree, share, ci95, mean, distribution} or {suppressed: true} below the minimum group size; '
        + 'Gap is {points, ci95, pValue, qValue, significant} in percentage points (staff − customers). '
        + 'A unit manager reads their own units only: `unit` must name one of them (403 otherwise), and `release.staffWaiting` is null for them. '
        + 'Leadership analytics under the same filters: `drivers`, `fixFirst`, `prediction` and `linkage`, each null with its reason in `unavailable` '
        + '(not enough answers, hidden by the anonymity rules, no predictions asked, too few units, or a unit filter for linkage). '
        + '`units`: the heat map\'s rows, every unit you may read (whatever `unit` says) under the same attribute filters, with its headline, each item\'s gap, '
        + 'its respondents per side (null when hidden) and the headline gap\'s change since the previous wave (MOVER interval, BH over the units). '
        + '`trend`: the headline\'s and every item\'s shares and gap in each wave of the same instrument up to this one (at most 8, oldest first), '
        + 'under the same unit and attribute filters, each wave under its own anonymity rules (a side is null where that wave would hide it), '
        + 'and `trend.change`: each item\'s gap change since the previous wave with its MOVER 95% interval and BH q-value.',
      params: IdParams,
      // `staff.<attribute>` and `customer.<attribute>` are open-ended, so the object admits any other key; parseReportFilters refuses unknown ones.
      querystring: Type.Object({
        unit: Type.Optional(Type.String({ maxLength: 200, description: 'A unit id or name' })),
      }, {
        // The document declares these as one form-exploded object parameter (server/openapi.ts).
        patternProperties: { [FILTER.source]: Type.String({ maxLength: 200, description: 'e.g. `customer.tier=gold`: respondents whose attribute has this value' }) },
        additionalProperties: true,
      }),
      response: {
        200: Type.Object({ ...GapReportFields, ...AnalyticsFields, ...ReportPartsFields, ...TrendFields }, { title: 'Report' }),
        ...errors(400, 401, 403, 404),
      },
    },
  }, async (request) => {
    const [wave, org] = await Promise.all([loadWave(request.reads, request), getOrganization(request.reads, request.principal!.organizationId)])
    const filters = parseReportFilters(request.query as Record<string, unknown>)
    if (!filters.ok) throw new HttpError(400, 'unknown_filter', filters.message)
    return waveReport(request.reads, org, wave, filters.value, request.principal!)
  })
}
