// Contacts through the API: import (a JSON array, or a CSV body streamed straight into the import),
// list with search, filters and cursors, read, change and delete one, and export everything held about
// an address. Reading and changing contacts needs the 'contacts' permission (owners and admins): names
// and emails are personal data. The import needs 'manage_waves', as on the pages; it answers counts.
import type { Readable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { checkContactFilters, CONTACTS_PER_PAGE } from '../../domain/contacts.js'
import { unitIndex } from '../../domain/units.js'
import { fieldsInvalid, HttpError, invalidCursor, notFound } from '../../http-error.js'
import type { ContactListItem } from '../../repositories/contacts.js'
import { listUnits } from '../../repositories/units.js'
import { MAX_CSV_BYTES } from '../../services/contact-csv.js'
import { importContacts, importContactsCsv, MAX_JSON_CONTACTS, type ImportResult } from '../../services/contact-import.js'
import { changeContact, contactById, contactPage } from '../../services/contacts.js'
import { checkExportEmail } from '../../domain/data-rights.js'
import { deleteContact, exportPersonalData } from '../../services/data-rights.js'
import { Contact, ContactChangeBody, ContactList, ContactListQuery, ImportAnswer, importRows, PersonalDataExport } from './contact-schemas.js'
import { errors, IdParams } from './schemas.js'

/**
 * A text/csv body, unread. Boxed so that nothing treats the stream as a parsed body: the app's body
 * hooks walk plain objects, and a stream looks like one to them.
 */
class CsvBody {
  readonly [Symbol.toStringTag] = 'CsvBody'
  constructor(readonly stream: Readable) {}
}

const contactJson = (contact: ContactListItem) => ({
  id: contact.id, email: contact.email, name: contact.name, side: contact.side, unit: contact.unit, locale: contact.locale,
  attributes: contact.attributes, unsubscribed: contact.unsubscribed,
  createdAt: contact.createdAt.toISOString(), updatedAt: contact.updatedAt.toISOString(),
})

/** The contract's names (§7 of the design): what the code calls problems, the API has always called errors. */
const answer = (result: ImportResult) => ({ created: result.created, updated: result.updated, errors: result.problems, errorCount: result.problemCount })

export default async function contacts(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  app.addContentTypeParser('text/csv', (_request, payload, done) => done(null, new CsvBody(payload)))

  app.post('/contacts', {
    config: { access: 'manage_waves' },
    // The JSON parser enforces this; a CSV body is counted by the import itself.
    bodyLimit: MAX_CSV_BYTES,
    schema: {
      tags: ['contacts'],
      operationId: 'importContacts',
      summary: 'Import contacts: a JSON array of up to 100,000, or a CSV file with a header row',
      description: 'Each contact is stored under its organization, email and side: a new one is created, an existing one gets the fields the row gives '
        + '(a field the row leaves out, or a column the file does not have, keeps its stored value). Rows with problems are skipped and reported '
        + 'as {row, message}; the others are stored. CSV (text/csv, UTF-8 or Windows-1252, comma, semicolon or tab): the first line names the columns '
        + 'email, side, and optionally name, unit, locale; every other column is an attribute. CSV rows are numbered as in a spreadsheet '
        + '(the header is row 1); JSON rows from 1. At most 50 MB.',
      body: {
        content: {
          'application/json': { schema: importRows(MAX_JSON_CONTACTS) },
          'text/csv': { schema: Type.Unknown({ description: 'CSV text with a header row', examples: ['email,name,side,unit,tier\nana@example.com,Ana Pérez,customer,North branch,gold\n'] }) },
        },
      },
      response: { 200: ImportAnswer, ...errors(400, 401, 403, 413, 415) },
    },
  }, async (request) => {
    const organizationId = request.principal!.organizationId
    const body: unknown = request.body
    if (Array.isArray(body)) return answer(await importContacts(app.db, organizationId, body))
    if (!(body instanceof CsvBody)) throw new HttpError(415, 'unsupported_media_type', 'Send a JSON array (application/json) or a CSV file (text/csv).')
    const length = Number(request.headers['content-length'])
    if (length > MAX_CSV_BYTES) throw new HttpError(413, 'payload_too_large', `The file is larger than ${MAX_CSV_BYTES / 1024 / 1024} MB. Split it into several files.`)
    const result = await importContactsCsv(app.db, organizationId, body.stream)
    if (!result.ok) throw new HttpError(400, 'validation_failed', result.message)
    return answer(result)
  })

  app.get('/contacts', {
    config: { access: 'contacts' },
    schema: {
      tags: ['contacts'],
      summary: 'List contacts by email, a page at a time',
      description: 'Filters combine. Pages follow one another by cursor: pass a page\'s `nextCursor` as `cursor` (with the same filters) '
        + 'for the next one; it goes on after the last contact shown even when that contact has been deleted since. `page` still works '
        + 'for older clients but is deprecated.',
      querystring: ContactListQuery,
      response: { 200: ContactList, ...errors(400, 401, 403) },
    },
  }, async (request) => {
    const organizationId = request.principal!.organizationId
    const { limit = CONTACTS_PER_PAGE, cursor } = request.query
    if (cursor !== undefined && request.query.page !== undefined) {
      throw fieldsInvalid({ page: 'Give either `cursor` or `page`, not both: `page` is deprecated in favour of `cursor`.' })
    }
    const units = unitIndex(await listUnits(app.db, organizationId))
    const { value: filters, errors: problems } = checkContactFilters(request.query, units)
    if (Object.keys(problems).length > 0) throw fieldsInvalid(problems)
    const page = await contactPage(app.db, app.config.signingSecret, organizationId, filters, { limit, cursor })
    if (page === 'invalid_cursor') throw invalidCursor()
    return {
      contacts: page.contacts.map(contactJson),
      total: page.total,
      page: cursor === undefined ? filters.page : null,
      pageSize: limit,
      nextCursor: page.nextCursor,
    }
  })

  app.get('/contacts/:id', {
    config: { access: 'contacts' },
    schema: {
      tags: ['contacts'],
      operationId: 'getContact',
      summary: 'One contact',
      params: IdParams,
      response: { 200: Contact, ...errors(400, 401, 403, 404) },
    },
  }, async (request) => {
    const contact = await contactById(app.db, app.config.signingSecret, request.principal!.organizationId, request.params.id)
    if (!contact) throw notFound('This contact')
    return contactJson(contact)
  })

  app.patch('/contacts/:id', {
    config: { access: 'contacts' },
    schema: {
      tags: ['contacts'],
      operationId: 'updateContact',
      summary: 'Change a contact\'s name, unit, language or attributes, or unsubscribe them',
      description: 'Each field is checked as the import checks it; every problem is named under its field in `details`, and nothing is '
        + 'changed while there is one. Fields left out keep their value. The email and side are who the contact is: they cannot be '
        + 'changed (sending them is refused). Audited, by the names of the fields changed.',
      params: IdParams,
      body: ContactChangeBody,
      response: { 200: Contact, ...errors(400, 401, 403, 404) },
    },
  }, async (request) => {
    const changed = await changeContact(app.db, app.config.signingSecret, request, request.params.id, request.body)
    if (changed === null) throw notFound('This contact')
    if (!changed.ok) throw fieldsInvalid(changed.errors, 400, 'validation_failed', `The change is not valid: ${Object.entries(changed.errors).map(([field, text]) => `${field}: ${text}`).join(' ')}`)
    return contactJson(changed.contact)
  })

  app.get('/contacts/export', {
    config: { access: 'contacts' },
    schema: {
      tags: ['contacts'],
      operationId: 'exportContactData',
      summary: 'Everything held about one email address in your organization, as JSON (a subject access request)',
      description: 'Contacts with this address (both sides), their invitations (no tokens), unsubscribe and suppression state, the mail queued '
        + 'or sent to it, customer answers given through a personal invitation, people with this address and the audit entries they made '
        + '(for owners, who read the audit log; null for admins). '
        + 'Staff answers are anonymous and cannot be attributed to anyone, so they are not included. Audited.',
      querystring: Type.Object({ email: Type.String({ maxLength: 320 }) }),
      response: { 200: PersonalDataExport, ...errors(400, 401, 403) },
    },
  }, async (request) => {
    const checked = checkExportEmail(request.query.email)
    if ('problem' in checked) throw fieldsInvalid({ email: checked.problem })
    return exportPersonalData(app.db, app.config.signingSecret, request, checked.email)
  })

  app.delete('/contacts/:id', {
    config: { access: 'contacts' },
    schema: {
      tags: ['contacts'],
      summary: 'Delete a contact, their invitations and their unsubscribe record',
      description: 'A customer answer they gave through a personal invitation stays in the figures but loses its link to them and its '
        + 'attributes. If they had unsubscribed, a keyed hash of the address is kept so that a re-import never mails them again. Audited.',
      params: IdParams,
      response: { 204: Type.Null(), ...errors(401, 403, 404) },
    },
  }, async (request, reply) => {
    const result = await deleteContact(app.db, app.config.signingSecret, request, request.params.id)
    if (!result) throw notFound('This contact')
    return reply.code(204).send(null)
  })
}
