// The audit log, for owners: read and filter it (action, person, days), page back through it, and
// download the filtered entries as CSV. There is no route that changes or removes an entry (the
// table refuses updates too); the download itself is an entry.
import { Readable } from 'node:stream'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { AUDIT_ACTIONS } from '../../domain/audit.js'
import { auditQueryString, parseAuditQuery, type AuditPageQuery } from '../../domain/audit-query.js'
import { csvLine } from '../../domain/csv.js'
import { fieldsInvalid } from '../../http-error.js'
import { listAudit, type AuditQuery } from '../../repositories/audit.js'
import { audit } from '../../services/audit.js'

const PAGE_SIZE = 50
/** The download reads the log in batches of this many, newest first. */
const CSV_BATCH = 1000

const ACTION_OPTIONS = [{ value: '', label: 'All actions' }, ...Object.entries(AUDIT_ACTIONS).map(([value, label]) => ({ value, label }))]

const repositoryQuery = (query: AuditPageQuery, limit: number, before = query.before): AuditQuery => ({
  action: query.filters.action, actor: query.filters.person, from: query.range.from, to: query.range.to, before, limit,
})

export default async function auditPages(app: FastifyInstance) {
  const orgOf = (request: FastifyRequest) => request.principal!.organizationId

  app.get('/settings/audit', { config: { access: 'audit' } }, async (request, reply) => {
    const parsed = parseAuditQuery(request.query as Record<string, unknown>)
    const view = { title: 'Audit log', actions: ACTION_OPTIONS, words: AUDIT_ACTIONS, values: parsed.values }
    if (!parsed.ok) return reply.code(422).page('audit', { ...view, errors: parsed.errors, entries: [], older: null, newest: null, csv: null })
    const query = parsed.value
    // One more than a page tells whether there is an older page.
    const rows = await listAudit(app.db, orgOf(request), repositoryQuery(query, PAGE_SIZE + 1))
    const entries = rows.slice(0, PAGE_SIZE)
    const older = rows.length > PAGE_SIZE ? `/settings/audit${auditQueryString(query.filters, entries.at(-1)!.id)}` : null
    const newest = query.before !== undefined ? `/settings/audit${auditQueryString(query.filters)}` : null
    return reply.page('audit', { ...view, errors: {}, entries, older, newest, csv: `/settings/audit.csv${auditQueryString(query.filters)}` })
  })

  app.get('/settings/audit.csv', { config: { access: 'audit' } }, async (request, reply) => {
    const parsed = parseAuditQuery(request.query as Record<string, unknown>)
    if (!parsed.ok) throw fieldsInvalid(parsed.errors, 400, 'invalid_filters')
    const query = parsed.value
    const organizationId = orgOf(request)
    // Recorded first, so a download that breaks off half way is in the log too (and in the file).
    await audit(app.db, request, 'export_downloaded', { target: 'audit log', detail: { kind: 'audit', filters: query.filters } })
    const db = app.db
    async function* lines() {
      yield csvLine(['time', 'person', 'action', 'description', 'target', 'detail', 'address'])
      let before = query.before
      for (;;) {
        const batch = await listAudit(db, organizationId, repositoryQuery(query, CSV_BATCH, before))
        for (const entry of batch) {
          yield csvLine([entry.at.toISOString(), entry.actorEmail, entry.action, AUDIT_ACTIONS[entry.action] ?? entry.action, entry.target, JSON.stringify(entry.detail), entry.ip])
        }
        if (batch.length < CSV_BATCH) return
        before = batch.at(-1)!.id
      }
    }
    const filename = `service-gap-audit-${new Date().toISOString().slice(0, 10)}.csv`
    return reply.headers({ 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${filename}"`, 'cache-control': 'no-store' })
      .send(Readable.from(lines()))
  })
}
