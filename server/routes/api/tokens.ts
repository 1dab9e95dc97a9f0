// POST /api/v1/tokens: trade an email and password for an API token, shown once.
import type { FastifyInstance } from 'fastify'
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { passwordRefusal } from '../../services/sso.js'
import { HttpError } from '../../http-error.js'
import { emailField } from '../../domain/inputs.js'
import { createApiToken, listApiTokens } from '../../repositories/credentials.js'
import { checkSignIn } from '../../services/passwords.js'
import { signInStep } from '../../services/two-factor.js'
import { auditAs } from '../../services/audit.js'
import { tokenTarget } from '../pages/tokens.js'
import { errors } from './schemas.js'

export default async function tokens(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  app.post('/tokens', {
    config: { access: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } },
    schema: {
      tags: ['tokens'],
      summary: 'Create an API token',
      description: 'The token is shown once. Send it as `Authorization: Bearer <token>`. It carries your role. Not for accounts with two-factor sign-in (or whose organization requires it): they create tokens at `/account/tokens`.',
      security: [],
      body: Type.Object({
        email: Type.String({ maxLength: 254 }),
        password: Type.String({ maxLength: 200 }),
        name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
      }),
      response: { 201: Type.Object({ token: Type.String() }), ...errors(400, 401, 403, 429, 503) },
    },
  }, async (request, reply) => {
    // The same per-account limit as the sign-in page, so the API is no way around it.
    const check = await checkSignIn(app.db, request, emailField(request.body.email), request.body.password)
    if (!check.ok && check.reason === 'throttled') {
      reply.header('retry-after', String(check.minutes * 60))
      throw new HttpError(429, 'too_many_attempts', `Too many failed attempts for this account. Try again in ${check.minutes} minute${check.minutes === 1 ? '' : 's'}.`)
    }
    if (!check.ok) throw new HttpError(401, 'invalid_credentials', 'The email or password is not right.')
    // Where single sign-on is required, a password does not buy an API token either (checked after it, so nothing is revealed).
    if (await passwordRefusal(app.db, check.account)) throw new HttpError(403, 'sso_required', 'Your organization requires single sign-on: sign in with it and create a token on the API tokens page.')
    // A password alone must not mint what a sign-in needs a second factor for: such people make tokens signed in.
    if ((await signInStep(app.db, check.account.id, 'password')) !== 'none') {
      throw new HttpError(403, 'two_factor_required', 'This account signs in with two-factor: create a token on the API tokens page (/account/tokens) while signed in.')
    }
    const name = request.body.name ?? 'API'
    const { id, organizationId, email } = check.account
    const token = await createApiToken(app.db, { userId: id, organizationId }, name)
    const created = (await listApiTokens(app.db, organizationId, id)).find((t) => token.startsWith(t.prefix))
    await auditAs(app.db, request, { organizationId, userId: id, email }, 'token_created', {
      target: tokenTarget(created ?? { name, prefix: '' }),
      detail: { via: 'api' },
    })
    return reply.code(201).send({ token })
  })
}
