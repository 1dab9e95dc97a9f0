// The audit log through the API, for owners: newest first, filtered as on the audit page (action,
// part of the person's email, whole days from and to), paged by cursor. Read-only, as everywhere.
import type { FastifyInstance } from 'fastify'
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { AUDIT_ACTIONS } from '../../domain/audit.js'
import { parseAuditQuery } from '../../domain/audit-query.js'
import { pageOf } from '../../domain/cursor.js'
import { fieldsInvalid } from '../../http-error.js'
import { AUDIT_LIST, listAudit, type AuditRecord } from '../../repositories/audit.js'
import { pageRequest, pageResponse, sendPage } from './paging.js'
import { errors, PageQuery } from './schemas.js'

const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  actor: Type.Object({
    id: Type.Union([Type.String(), Type.Null()], { description: 'null once the person has been removed, or for someone never signed in' }),
    email: Type.String(),
  }),
  action: Type.String({ description: `One of: ${Object.keys(AUDIT_ACTIONS).join(', ')}` }),
  description: Type.String({ description: 'The action in words, as the audit page shows it.' }),
  target: Type.String(),
  detail: Type.Record(Type.String(), Type.Unknown()),
  ip: Type.String({ description: 'The address the request came from.' }),
}, { title: 'AuditEntry' })

const AuditListQuery = Type.Object({
  action: Type.Optional(Type.String({ description: 'One action (see `action` of an entry).' })),
  person: Type.Optional(Type.String({ maxLength: 320, description: 'Part of the email of the person who acted (any case).' })),
  from: Type.Optional(Type.String({ description: 'The first day included, YYYY-MM-DD (UTC).' })),
  to: Type.Optional(Type.String({ description: 'The last day included, YYYY-MM-DD (UTC).' })),
  ...PageQuery,
})

const entryJson = (entry: AuditRecord) => ({
  id: entry.id, at: entry.at.toISOString(), actor: { id: entry.actorUserId, email: entry.actorEmail },
  action: entry.action, description: AUDIT_ACTIONS[entry.action] ?? entry.action, target: entry.target, detail: entry.detail, ip: entry.ip,
})

export default async function auditApi(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get('/audit', {
    config: { access: 'audit' },
    schema: {
      tags: ['audit'],
      operationId: 'listAuditEntries',
      summary: 'The audit log, newest first',
      description: 'Who did what, when and from where, in your organization. Filters combine; an unknown action, a day that does not exist or '
        + 'an end before the start is a 400 naming the field. A page of `limit` entries; the `Link` and `Next-Cursor` headers lead to the next one.',
      querystring: AuditListQuery,
      response: { 200: pageResponse(Type.Array(AuditEntry), 'A page of audit entries, newest first'), ...errors(400, 401, 403) },
    },
  }, async (request, reply) => {
    const { action, person, from, to } = request.query
    const parsed = parseAuditQuery({ action, person, from, to })
    if (!parsed.ok) throw fieldsInvalid(parsed.errors)
    const { filters, range } = parsed.value
    const page = pageRequest(AUDIT_LIST, request.query)
    const rows = await listAudit(app.db, request.principal!.organizationId, {
      action: filters.action, actor: filters.person, from: range.from, to: range.to, before: page.after?.[0] as number | undefined, limit: page.limit + 1,
    })
    const shown = pageOf(AUDIT_LIST.list, rows, page.limit, (entry) => [entry.id])
    return sendPage(request, reply, { rows: shown.rows.map(entryJson), nextCursor: shown.nextCursor })
  })
}
