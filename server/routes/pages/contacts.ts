// Contacts: the list, searched and filtered through the URL (so a filtered list can be bookmarked or
// shared), a page of 50 at a time. The CSV import lives in contact-import.ts, registered from here.
import type { FastifyInstance } from 'fastify'
import { checkContactFilters, CONTACTS_PER_PAGE, type ContactFilters } from '../../domain/contacts.js'
import { unitIndex } from '../../domain/units.js'
import { SIDE_NAMES } from '../../domain/names.js'
import { count, locale } from '../../format.js'
import { listContacts } from '../../repositories/contacts.js'
import { listUnits } from '../../repositories/units.js'
import contactImportPages from './contact-import.js'

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

  app.get('/contacts', { config: { access: 'read' } }, async (request, reply) => {
    const organizationId = request.principal!.organizationId
    const query = request.query as Record<string, unknown>
    const units = await listUnits(app.db, organizationId)
    const { value: filters, errors } = checkContactFilters(query, unitIndex(units))
    const { contacts, total } = await listContacts(app.db, organizationId, filters)
    const values = typed(query)
    const pages = Math.max(1, Math.ceil(total / CONTACTS_PER_PAGE))
    const first = (filters.page - 1) * CONTACTS_PER_PAGE + 1
    return reply.code(Object.keys(errors).length > 0 ? 422 : 200).page('contacts', {
      title: 'Contacts',
      values,
      errors,
      units: units.map((unit) => ({ value: unit.id, label: unit.name })),
      filtered: isFiltered(filters),
      total,
      shown: contacts.length > 0 ? `${count(first)}–${count(first + contacts.length - 1)}` : null,
      page: filters.page,
      pages,
      previous: filters.page > 1 ? pageUrl(values, Math.min(filters.page - 1, pages)) : null,
      next: filters.page < pages ? pageUrl(values, filters.page + 1) : null,
      contacts: contacts.map((contact) => ({
        email: contact.email,
        name: contact.name,
        side: SIDE_NAMES[contact.side],
        unit: contact.unit?.name ?? '',
        locale: contact.locale ? locale(contact.locale) : '',
        attributes: Object.entries(contact.attributes).map(([name, value]) => `${name}: ${value}`),
        unsubscribed: contact.unsubscribed,
      })),
    })
  })
}
