// POST /api/v1/tokens: trade an email and password for an API token, shown once.
import type { FastifyInstance } from 'fastify'
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { HttpError } from '../../http-error.js'
import { createApiToken } from '../../repositories/credentials.js'
import { findUserByEmail } from '../../repositories/organizations.js'
import { verifyAgainstNobody, verifyPassword } from '../../security/passwords.js'
import { signInStep } from '../../services/two-factor.js'
import { errors } from './schemas.js'

export default async function tokens(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  app.post('/tokens', {
    config: { access: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } },
    schema: {
      tags: ['tokens'],
      summary: 'Create an API token',
      description: 'The token is shown once. Send it as "Authorization: Bearer <token>". It carries your role. Not for accounts with two-factor sign-in (or whose organization requires it): they create tokens at /account/tokens.',
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
    // A password alone must not mint what a sign-in needs a second factor for: such people make tokens signed in.
    if ((await signInStep(app.db, user.id, 'password')) !== 'none') {
      throw new HttpError(403, 'two_factor_required', 'This account signs in with two-factor: create a token on the API tokens page (/account/tokens) while signed in.')
    }
    const token = await createApiToken(app.db, { userId: user.id, organizationId: user.organizationId }, request.body.name ?? 'API')
    return reply.code(201).send({ token })
  })
}
