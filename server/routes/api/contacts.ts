// Contacts through the API: import (a JSON array, or a CSV body streamed straight into the import)
// list with search and filters, delete one, and export everything held about an address. Reading
// contacts needs the 'contacts' permission (owners and admins): names and emails are personal data.
import type { Readable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { checkContactFilters, CONTACTS_PER_PAGE } from '../../domain/contacts.js'
import { unitIndex } from '../../domain/units.js'
import { LOCALES } from '../../domain/languages.js'
import { fieldsInvalid, HttpError, notFound } from '../../http-error.js'
import { listContacts } from '../../repositories/contacts.js'
import { listUnits } from '../../repositories/units.js'
import { MAX_CSV_BYTES } from '../../services/contact-csv.js'
import { importContacts, importContactsCsv, MAX_JSON_CONTACTS, type ImportResult } from '../../services/contact-import.js'
import { checkExportEmail } from '../../domain/data-rights.js'
import { deleteContact, exportPersonalData, withSuppression } from '../../services/data-rights.js'
import { errors, IdParams } from './schemas.js'

/**
 * A text/csv body, unread. Boxed so that nothing treats the stream as a parsed body: the app's body
 * hooks walk plain objects, and a stream looks like one to them.
 */
class CsvBody {
  readonly [Symbol.toStringTag] = 'CsvBody'
  constructor(readonly stream: Readable) {}
}

const Row = Type.Object({}, {
  additionalProperties: true,
  description: `{email, name?, side: "staff"|"customer", unit?: name or id, locale?: ${LOCALES.map((code) => `"${code}"`).join('|')}, attributes?: {name: text}}`,
  examples: [{ email: 'ana@example.com', name: 'Ana Pérez', side: 'customer', unit: 'North branch', locale: 'es', attributes: { tier: 'gold' } }],
})

const ImportAnswer = Type.Object({
  created: Type.Integer(),
  updated: Type.Integer(),
  errors: Type.Array(Type.Object({ row: Type.Integer(), message: Type.String() })),
  errorCount: Type.Integer({ description: 'All rows with problems; `errors` lists the first 1,000.' }),
})

const Contact = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  side: Type.Union([Type.Literal('staff'), Type.Literal('customer')]),
  unit: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
  locale: Type.Union([Type.String(), Type.Null()]),
  attributes: Type.Record(Type.String(), Type.String()),
  unsubscribed: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
}, { title: 'Contact' })

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
          'application/json': { schema: Type.Array(Row, { maxItems: MAX_JSON_CONTACTS }) },
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
      summary: 'List contacts, 50 a page, by email',
      querystring: Type.Object({
        q: Type.Optional(Type.String({ maxLength: 100, description: 'Part of the email or name' })),
        side: Type.Optional(Type.Union([Type.Literal('staff'), Type.Literal('customer')])),
        unit: Type.Optional(Type.String({ maxLength: 100, description: 'A unit name or id' })),
        unsubscribed: Type.Optional(Type.Boolean()),
        attribute: Type.Optional(Type.String({ maxLength: 40, description: 'Only contacts with this attribute…' })),
        value: Type.Optional(Type.String({ maxLength: 200, description: '…set to this value' })),
        page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
      }, { additionalProperties: false }),
      response: {
        200: Type.Object({ contacts: Type.Array(Contact), total: Type.Integer(), page: Type.Integer(), pageSize: Type.Integer() }),
        ...errors(400, 401, 403),
      },
    },
  }, async (request) => {
    const organizationId = request.principal!.organizationId
    const units = unitIndex(await listUnits(app.db, organizationId))
    const { value: filters, errors: problems } = checkContactFilters(request.query, units)
    if (Object.keys(problems).length > 0) throw fieldsInvalid(problems)
    const { contacts: listed, total } = await listContacts(app.db, organizationId, filters)
    const list = await withSuppression(app.db, app.config.signingSecret, organizationId, listed)
    return {
      contacts: list.map((contact) => ({
        id: contact.id, email: contact.email, name: contact.name, side: contact.side, unit: contact.unit, locale: contact.locale,
        attributes: contact.attributes, unsubscribed: contact.unsubscribed,
        createdAt: contact.createdAt.toISOString(), updatedAt: contact.updatedAt.toISOString(),
      })),
      total,
      page: filters.page,
      pageSize: CONTACTS_PER_PAGE,
    }
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
      response: { 200: Type.Object({}, { additionalProperties: true }), ...errors(400, 401, 403) },
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
