// GET /health: 200 when the database answers, 503 when it does not. For load balancers and monitors.
import { sql } from 'kysely'
import type { FastifyInstance } from 'fastify'

export default async function health(app: FastifyInstance) {
  app.get('/health', { config: { access: 'public' } }, async (_request, reply) => {
    try {
      await sql`select 1`.execute(app.db)
      return { status: 'ok' }
    } catch {
      return reply.code(503).send({ status: 'unavailable', message: 'The database cannot be reached.' })
    }
  })
}
