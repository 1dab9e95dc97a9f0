// Contacts: the list, searched and filtered through the URL (so a filtered list can be bookmarked or
// shared), a page of 50 at a time; deleting one (after a confirmation page) and exporting what is
// held about an address. Owners and admins only ('contacts'): names and emails are personal data.
// The CSV import lives in contact-import.ts, registered from here.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { checkExportEmail } from '../../domain/data-rights.js'
import { isUuid } from '../../domain/formats.js'
import { notFound } from '../../http-error.js'
import { deleteContact, exportPersonalData, withSuppression } from '../../services/data-rights.js'
import { checkContactFilters, CONTACTS_PER_PAGE, type ContactFilters } from '../../domain/contacts.js'
import { unitIndex } from '../../domain/units.js'
import { SIDE_NAMES } from '../../domain/names.js'
import { count, locale } from '../../format.js'
import { findContact, listContacts } from '../../repositories/contacts.js'
import { listUnits } from '../../repositories/units.js'
import contactImportPages from './contact-import.js'
import retentionPages from './retention.js'

const FILTERS = ['q', 'side', 'unit', 'unsubscribed', 'attribute', 'value'] as const

/** What the person typed into the filter form, as short strings. */
function typed(query: Record<string, unknown>): Record<(typeof FILTERS)[number], string> {
  const value = (key: string) => (typeof query[key] === 'string' ? (query[key] as string).slice(0, 200) : '')
  return Object.fromEntries(FILTERS.map((key) => [key, value(key)])) as Record<(typeof FILTERS)[number], string>
}

function pageUrl(values: Record<string, string>, page: number): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(values)) if (value !== '') params.set(key, value)
  if (page > 1) params.set('page', String(page))
  const query = params.toString()
  return query === '' ? '/contacts' : `/contacts?${query}`
}

const isFiltered = (filters: ContactFilters) =>
  filters.q !== '' || filters.side !== null || filters.unitId !== null || filters.unsubscribed !== null || filters.attribute !== null

export default async function contactPages(app: FastifyInstance) {
  await app.register(contactImportPages)
  // Retention is about contacts and comments; it lives at /settings/retention.
  await app.register(retentionPages)

  async function renderList(request: FastifyRequest, reply: FastifyReply, extra: { exportEmail?: string; exportError?: string; deleted?: boolean } = {}) {
    const organizationId = request.principal!.organizationId
    const query = request.query as Record<string, unknown>
    const units = await listUnits(app.db, organizationId)
    const { value: filters, errors } = checkContactFilters(query, unitIndex(units))
    const { contacts: listed, total } = await listContacts(app.db, organizationId, filters)
    const contacts = await withSuppression(app.db, app.config.signingSecret, organizationId, listed)
    const values = typed(query)
    const pages = Math.max(1, Math.ceil(total / CONTACTS_PER_PAGE))
    const first = (filters.page - 1) * CONTACTS_PER_PAGE + 1
    const exportErrors: Record<string, string> = extra.exportError ? { email: extra.exportError } : {}
    const invalid = Object.keys(errors).length > 0 || extra.exportError !== undefined
    return reply.code(invalid ? 422 : 200).page('contacts', {
      title: 'Contacts',
      values: { ...values, email: extra.exportEmail ?? '' },
      errors: { ...errors, ...exportErrors },
      deleted: extra.deleted === true,
      units: units.map((unit) => ({ value: unit.id, label: unit.name })),
      filtered: isFiltered(filters),
      total,
      shown: contacts.length > 0 ? `${count(first)}–${count(first + contacts.length - 1)}` : null,
      page: filters.page,
      pages,
      previous: filters.page > 1 ? pageUrl(values, Math.min(filters.page - 1, pages)) : null,
      next: filters.page < pages ? pageUrl(values, filters.page + 1) : null,
      contacts: contacts.map((contact) => ({
        id: contact.id,
        email: contact.email,
        name: contact.name,
        side: SIDE_NAMES[contact.side],
        unit: contact.unit?.name ?? '',
        locale: contact.locale ? locale(contact.locale) : '',
        attributes: Object.entries(contact.attributes).map(([name, value]) => `${name}: ${value}`),
        unsubscribed: contact.unsubscribed,
      })),
    })
  }

  app.get('/contacts', { config: { access: 'contacts' } }, async (request, reply) => {
    const query = request.query as Record<string, unknown>
    return renderList(request, reply, { deleted: query.deleted === '1' })
  })

  // A download of everything held about one address (the same document as GET /api/v1/contacts/export).
  app.get('/contacts/export', { config: { access: 'contacts' } }, async (request, reply) => {
    const query = request.query as Record<string, unknown>
    const typedEmail = typeof query.email === 'string' ? query.email.slice(0, 320) : ''
    const checked = checkExportEmail(query.email)
    if ('problem' in checked) return renderList(request, reply, { exportEmail: typedEmail, exportError: checked.problem })
    const document = await exportPersonalData(app.db, app.config.signingSecret, request, checked.email)
    return reply.header('content-type', 'application/json; charset=utf-8')
      .header('content-disposition', 'attachment; filename="personal-data.json"')
      .header('cache-control', 'no-store')
      .send(JSON.stringify(document, null, 2))
  })

  app.get<{ Params: { id: string } }>('/contacts/:id/delete', { config: { access: 'contacts' } }, async (request, reply) => {
    const contact = isUuid(request.params.id) ? await findContact(app.db, request.principal!.organizationId, request.params.id) : null
    if (!contact) throw notFound('This contact')
    return reply.page('contact-delete', { title: 'Delete a contact', contact: { ...contact, side: SIDE_NAMES[contact.side] } })
  })

  app.post<{ Params: { id: string } }>('/contacts/:id/delete', { config: { access: 'contacts' } }, async (request, reply) => {
    if (!isUuid(request.params.id)) throw notFound('This contact')
    const result = await deleteContact(app.db, app.config.signingSecret, request, request.params.id)
    if (!result) throw notFound('This contact')
    return reply.redirect('/contacts?deleted=1', 303)
  })
}
