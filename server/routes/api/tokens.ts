// POST /api/v1/tokens: trade an email and password for an API token, shown once.
import type { FastifyInstance } from 'fastify'
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { passwordRefusal } from '../../services/sso.js'
import { HttpError } from '../../http-error.js'
import { createApiToken } from '../../repositories/credentials.js'
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
      response: { 201: Type.Object({ token: Type.String() }), ...errors(400, 401, 403, 429) },
    },
  }, async (request, reply) => {
    const user = await findUserByEmail(app.db, request.body.email)
    const ok = user ? await verifyPassword(request.body.password, user.passwordHash) : await verifyAgainstNobody(request.body.password)
    if (!user || !ok) throw new HttpError(401, 'invalid_credentials', 'The email or password is not right.')
    // Where single sign-on is required, a password does not buy an API token either (checked after it, so nothing is revealed).
    if (await passwordRefusal(app.db, user)) throw new HttpError(403, 'sso_required', 'Your organization requires single sign-on: sign in with it and create a token on the API tokens page.')
    const token = await createApiToken(app.db, { userId: user.id, organizationId: user.organizationId }, request.body.name ?? 'API')
    return reply.code(201).send({ token })
  })
}
