// GET /health: 200 when the database answers, 503 when it does not. For load balancers and monitors.
import type { FastifyInstance } from 'fastify'
import { ping } from '../repositories/health.js'

export default async function health(app: FastifyInstance) {
  app.get('/health', { config: { access: 'public' } }, async (_request, reply) => {
    try {
      await ping(app.db)
      return { status: 'ok' }
    } catch {
      return reply.code(503).send({ status: 'unavailable', message: 'The database cannot be reached.' })
    }
  })
}
