// POST /api/v1/tokens: trade an email and password for an API token, shown once.
import type { FastifyInstance } from 'fastify'
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { HttpError } from '../../http-error.js'
import { createApiToken, listApiTokens } from '../../repositories/credentials.js'
import { auditAs } from '../../services/audit.js'
import { tokenTarget } from '../pages/tokens.js'
import { findUserByEmail } from '../../repositories/organizations.js'
import { verifyAgainstNobody, verifyPassword } from '../../security/passwords.js'
import { errors } from './schemas.js'

export default async function tokens(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  app.post('/tokens', {
    config: { access: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } },
    schema: {
      tags: ['tokens'],
      summary: 'Create an API token',
      description: 'The token is shown once. Send it as "Authorization: Bearer <token>". It carries your role.',
      security: [],
      body: Type.Object({
        email: Type.String({ maxLength: 254 }),
        password: Type.String({ maxLength: 200 }),
        name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
      }),
      response: { 201: Type.Object({ token: Type.String() }), ...errors(400, 401, 429) },
    },
  }, async (request, reply) => {
    const user = await findUserByEmail(app.db, request.body.email)
    const ok = user ? await verifyPassword(request.body.password, user.passwordHash) : await verifyAgainstNobody(request.body.password)
    if (!user || !ok) throw new HttpError(401, 'invalid_credentials', 'The email or password is not right.')
    const name = request.body.name ?? 'API'
    const token = await createApiToken(app.db, { userId: user.id, organizationId: user.organizationId }, name)
    const created = (await listApiTokens(app.db, user.organizationId, user.id)).find((t) => token.startsWith(t.prefix))
    await auditAs(app.db, request, { organizationId: user.organizationId, userId: user.id, email: request.body.email.trim().toLowerCase() }, 'token_created', {
      target: tokenTarget(created ?? { name, prefix: '' }),
      detail: { via: 'api' },
    })
    return reply.code(201).send({ token })
  })
}
