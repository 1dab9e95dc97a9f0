// GET /api/v1/waves/:id/alerts: the wave's gap-drift alerts (design §4 "Gap drift") within the
// caller's scope, of one unit when `unit` names it.
import type { FastifyInstance } from 'fastify'
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { getOrganization } from '../../repositories/organizations.js'
import { waveAlerts } from '../../services/alerts.js'
import { loadWave } from '../load-wave.js'
import { errors, IdParams } from './schemas.js'

const Interval = Type.Tuple([Type.Number(), Type.Number()])
const ShareFigures = Type.Object({
  before: Type.Number({ description: 'Share agreeing in the previous wave (0–1)' }),
  now: Type.Number({ description: 'Share agreeing in this wave (0–1)' }),
  ci95: Type.Object({ before: Interval, now: Interval }, { description: 'Wilson 95% intervals' }),
})
const Change = Type.Object({ points: Type.Number(), ci95: Interval })

const Alert = Type.Object({
  id: Type.String({ format: 'uuid' }),
  rule: Type.Union([Type.Literal('gap_drift'), Type.Literal('customers_fell')], {
    description: '`gap_drift`: the gap widened (q < 0.10 over every unit × item compared, and the change\'s 95% interval above +5 points). '
      + '`customers_fell`: customers\' share fell (its change\'s interval below −5 points) while staff\'s change spans 0.',
  }),
  unit: Type.Object({ id: Type.String(), name: Type.String() }),
  itemKey: Type.String(),
  item: Type.String({ description: "The item's customer text, in English" }),
  previousWave: Type.Object({ id: Type.String(), name: Type.String() }),
  figures: Type.Object({
    staff: ShareFigures,
    customer: ShareFigures,
    gap: Type.Object({ before: Type.Number(), now: Type.Number(), ci95: Type.Object({ before: Interval, now: Interval }) }, { description: 'Gaps in points (staff − customers), Newcombe intervals' }),
    change: Type.Object({ points: Type.Number(), ci95: Interval, pValue: Type.Number(), qValue: Type.Number() }, { description: "The gap's change in points, MOVER interval, Wald p and BH q" }),
    staffChange: Change,
    customerChange: Change,
  }),
  createdAt: Type.String({ format: 'date-time' }),
}, { title: 'Alert' })

export default async function alerts(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  app.get('/waves/:id/alerts', {
    config: { access: 'read' },
    schema: {
      tags: ['reports'],
      summary: "The wave's alerts",
      description: 'Alerts found when the wave\'s figures were released (each staff release step, and when it closed), per unit × item, against the previous wave of the same instrument; '
        + 'each is stored and sent once. Figures are released aggregates of the whole unit (attribute filters do not apply). '
        + '`unit` (id or name) narrows the list to one unit. A unit manager gets their own units\' alerts only; `unit` must name one of them (403 otherwise).',
      params: IdParams,
      querystring: Type.Object({ unit: Type.Optional(Type.String({ maxLength: 200 })) }),
      response: { 200: Type.Object({ alerts: Type.Array(Alert) }), ...errors(400, 401, 403, 404) },
    },
  }, async (request) => {
    const [wave, organization] = await Promise.all([loadWave(app.db, request), getOrganization(app.db, request.principal!.organizationId)])
    const unit = request.query.unit?.trim() ? request.query.unit.trim() : null
    return { alerts: await waveAlerts(app.db, organization, wave, request.principal!, unit) }
  })
}
