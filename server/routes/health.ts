// GET /health: 200 when the database answers, 503 when it does not. For load balancers and monitors.
// With a read replica, `replica` says how it stands and where reports read (plugins/reads.ts); a
// replica that is down or behind makes reports read the primary, so it does not make the server unhealthy.
import type { FastifyInstance } from 'fastify'
import { ping } from '../repositories/health.js'

export default async function health(app: FastifyInstance) {
  app.get('/health', { config: { access: 'public' } }, async (_request, reply) => {
    try {
      await ping(app.db)
      const replica = app.replicaStatus()
      return replica === null ? { status: 'ok' } : { status: 'ok', replica }
    } catch {
      return reply.code(503).send({ status: 'unavailable', message: 'The database cannot be reached.' })
    }
  })
}
