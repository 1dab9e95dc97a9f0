// API tokens: trade an email and password for one (POST, shown once), list your own and revoke one
// (a signed-in bearer, any role; only your own tokens, so another person's is 404).
import type { FastifyInstance } from 'fastify'
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { passwordRefusal } from '../../services/sso.js'
import { HttpError, notFound } from '../../http-error.js'
import { emailField } from '../../domain/inputs.js'
import { createApiToken, listApiTokenPage, listApiTokens, TOKEN_LIST, type ApiTokenSummary } from '../../repositories/credentials.js'
import { revokeOwnToken, tokenTarget } from '../../services/api-tokens.js'
import { checkSignIn } from '../../services/passwords.js'
import { signInStep } from '../../services/two-factor.js'
import { auditAs } from '../../services/audit.js'
import { pageRequest, pageResponse, sendPage } from './paging.js'
import { errors, IdParams, PageQuery } from './schemas.js'

const Time = Type.String({ format: 'date-time' })
const ApiToken = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  prefix: Type.String({ description: 'The first characters of the token, to tell it apart; the rest is never stored.' }),
  createdAt: Time,
  lastUsedAt: Type.Union([Time, Type.Null()], { description: 'When a request last came with it (to the minute); null: never.' }),
  revokedAt: Type.Union([Time, Type.Null()], { description: 'When it was revoked; null while it works.' }),
}, { title: 'ApiToken' })

const iso = (value: Date | null) => (value ? value.toISOString() : null)
const tokenJson = (token: ApiTokenSummary) => ({
  id: token.id, name: token.name, prefix: token.prefix, createdAt: token.createdAt.toISOString(), lastUsedAt: iso(token.lastUsedAt), revokedAt: iso(token.revokedAt),
})

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

  app.get('/tokens', {
    config: { access: 'read' },
    schema: {
      tags: ['tokens'],
      summary: 'List your own API tokens, newest first',
      description: 'Revoked ones too, with when. Never the secret: only its first characters (`prefix`). A page of `limit` tokens; the `Link` and `Next-Cursor` headers lead to the next one.',
      querystring: Type.Object(PageQuery),
      response: { 200: pageResponse(Type.Array(ApiToken), 'A page of your API tokens, newest first'), ...errors(400, 401) },
    },
  }, async (request, reply) => {
    const { organizationId, userId } = request.principal!
    const page = await listApiTokenPage(app.db, organizationId, userId, pageRequest(TOKEN_LIST, request.query))
    return sendPage(request, reply, page).map(tokenJson)
  })

  app.delete('/tokens/:id', {
    config: { access: 'read' },
    schema: {
      tags: ['tokens'],
      operationId: 'revokeToken',
      summary: 'Revoke one of your own API tokens',
      description: 'At once and for good; audited. It may be the token of this very request: the next request with it is refused (401). Another person\'s token, or one already revoked, is 404.',
      params: IdParams,
      response: { 204: Type.Null(), ...errors(400, 401, 404) },
    },
  }, async (request, reply) => {
    if (!(await revokeOwnToken(app.db, request, request.params.id))) throw notFound('This token')
    return reply.code(204).send(null)
  })
}
