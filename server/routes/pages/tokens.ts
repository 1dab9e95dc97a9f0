// API tokens of the signed-in person: create (shown once), list, revoke.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { checkTokenName, type FieldErrors } from '../../domain/inputs.js'
import { notFound } from '../../http-error.js'
import { createApiToken, listApiTokens } from '../../repositories/credentials.js'
import { revokeOwnToken, tokenTarget } from '../../services/api-tokens.js'
import { audit } from '../../services/audit.js'

export default async function tokenPages(app: FastifyInstance) {
  async function page(request: FastifyRequest, extra: { created?: string; values?: Record<string, unknown>; errors?: FieldErrors } = {}) {
    const { organizationId, userId } = request.principal!
    const tokens = await listApiTokens(app.db, organizationId, userId)
    return { title: 'API tokens', tokens, created: extra.created ?? null, values: extra.values ?? {}, errors: extra.errors ?? {} }
  }

  app.get('/account/tokens', { config: { access: 'read' } }, async (request, reply) => reply.page('tokens', await page(request)))

  app.post('/account/tokens', { config: { access: 'read', rateLimit: { max: 20, timeWindow: '1 minute' } } }, async (request, reply) => {
    const body = request.body as Record<string, unknown>
    const checked = checkTokenName(body.name)
    if (!checked.ok) return reply.code(422).page('tokens', await page(request, { values: body, errors: checked.errors }))
    const token = await createApiToken(app.db, request.principal!, checked.value)
    const { organizationId, userId } = request.principal!
    const created = (await listApiTokens(app.db, organizationId, userId)).find((t) => token.startsWith(t.prefix))
    await audit(app.db, request, 'token_created', { target: tokenTarget(created ?? { name: checked.value, prefix: '' }) })
    // Shown once, on this response only; never stored in clear, never cached.
    reply.header('cache-control', 'no-store')
    return reply.code(201).page('tokens', await page(request, { created: token }))
  })

  app.post<{ Params: { id: string } }>('/account/tokens/:id/revoke', { config: { access: 'read' } }, async (request, reply) => {
    if (!(await revokeOwnToken(app.db, request, request.params.id))) throw notFound('This token')
    return reply.redirect('/account/tokens', 303)
  })
}
