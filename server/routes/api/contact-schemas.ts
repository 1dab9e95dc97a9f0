// The shapes of the contacts API: a contact, an import row and its answer, the list's query and page,
// a change to one contact, and the personal data export.
import { Type, type Static } from 'typebox'
import { CONTACTS_PER_PAGE, MAX_ATTRIBUTE_LENGTH, MAX_NAME_LENGTH } from '../../domain/contacts.js'
import { MAX_LIMIT } from '../../domain/cursor.js'
import { LOCALES } from '../../domain/languages.js'
import { MAX_ATTRIBUTES } from '../../domain/responses.js'
import type { PersonalDataDocument } from '../../services/data-rights.js'
import { NextCursor, PageQuery } from './schemas.js'

const Side = Type.Union([Type.Literal('staff'), Type.Literal('customer')])
const Text = Type.String()
const TextOrNull = Type.Union([Type.String(), Type.Null()])
const Time = Type.String({ format: 'date-time' })
const TimeOrNull = Type.Union([Type.String({ format: 'date-time' }), Type.Null()])
const locales = LOCALES.map((code) => `"${code}"`).join(', ')

export const Contact = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  side: Side,
  unit: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
  locale: Type.Union([Type.String(), Type.Null()]),
  attributes: Type.Record(Type.String(), Type.String()),
  unsubscribed: Type.Boolean(),
  createdAt: Time,
  updatedAt: Time,
}, { title: 'Contact' })

/**
 * One row of a JSON import. The import stores the good rows and reports each bad one as {row,
 * message} (services/contact-import.ts, by the rules of domain/contacts.ts checkContact), so this
 * schema holds only what makes the body readable as rows: each row is an object and each field has
 * its JSON type (text, or null for an empty cell; attribute values may be numbers or booleans, which
 * are written out). Values are the import's to judge: a bad address, a side other than staff or
 * customer, an unknown unit or locale, and a missing email or side are that row's problem, not the
 * body's, so nothing is `required` or enumerated here, and a field the import does not know is left
 * open (`additionalProperties`) for the row's message to name.
 */
const ImportRow = Type.Object({
  email: Type.Optional(Type.Union([Type.String({ description: 'Needed. An address like name@example.com; stored trimmed and in lower case.' }), Type.Null()])),
  name: Type.Optional(TextOrNull),
  side: Type.Optional(Type.Union([Type.String({ description: 'Needed. "staff" or "customer" (any case).' }), Type.Null()])),
  unit: Type.Optional(Type.Union([Type.String({ description: 'A unit\'s name (any case) or id; empty or null for none.' }), Type.Null()])),
  locale: Type.Optional(Type.Union([Type.String({ description: `One of ${locales} (any case); empty or null for none.` }), Type.Null()])),
  attributes: Type.Optional(Type.Union([
    Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]), {
      description: `Up to ${MAX_ATTRIBUTES} names (a letter, then letters, digits and _; at most 40) to text of at most ${MAX_ATTRIBUTE_LENGTH} characters; an empty value is left out.`,
    }),
    Type.Null(),
  ])),
}, {
  additionalProperties: true,
  description: 'A contact: `email` and `side` are needed, the rest optional. A field the row leaves out keeps its stored value; a field given empty (or null) clears it. '
    + 'A row whose values are wrong is reported in `errors` by its position and skipped; the others are stored.',
  examples: [{ email: 'ana@example.com', name: 'Ana Pérez', side: 'customer', unit: 'North branch', locale: 'es', attributes: { tier: 'gold' } }],
})

export const importRows = (maxItems: number) => Type.Array(ImportRow, { maxItems })

export const ImportAnswer = Type.Object({
  created: Type.Integer(),
  updated: Type.Integer(),
  errors: Type.Array(Type.Object({ row: Type.Integer(), message: Type.String() })),
  errorCount: Type.Integer({ description: 'All rows with problems; `errors` lists the first 1,000.' }),
})

/**
 * The list's query. `limit` is the shared paging query's, with this list's default kept at the 50 a
 * page it has always had, so that a client still paging by `page` sees the pages it always saw.
 */
export const ContactListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 100, description: 'Part of the email or name' })),
  side: Type.Optional(Side),
  unit: Type.Optional(Type.String({ maxLength: 100, description: 'A unit name or id' })),
  unsubscribed: Type.Optional(Type.Boolean()),
  attribute: Type.Optional(Type.String({ maxLength: 40, description: 'Only contacts with this attribute…' })),
  value: Type.Optional(Type.String({ maxLength: 200, description: '…set to this value' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIMIT, default: CONTACTS_PER_PAGE, description: `How many contacts a page holds (1–${MAX_LIMIT}, ${CONTACTS_PER_PAGE} by default).` })),
  cursor: PageQuery.cursor,
  page: Type.Optional(Type.Integer({
    minimum: 1,
    maximum: 100_000,
    description: 'Deprecated: use `cursor`, which stays right while contacts are added and deleted. The page number, in pages of `limit`. Not together with `cursor`.',
  })),
}, { additionalProperties: false })

export const ContactList = Type.Object({
  contacts: Type.Array(Contact),
  total: Type.Integer({ description: 'How many contacts match the filters, on all pages.' }),
  page: Type.Union([Type.Integer(), Type.Null()], { description: 'Deprecated, with the `page` query: the page number asked for (1 when neither `page` nor `cursor` is given); null on a page reached by `cursor`.' }),
  pageSize: Type.Integer({ description: 'The `limit` in use.' }),
  nextCursor: NextCursor,
})

/**
 * A change to one contact. Like an import row's, these are JSON types only: the values are checked by
 * the import's own rules (domain/contact-change.ts), and each problem is named under its field.
 * `email` and `side` are declared read-only so that sending them is answered with why, not with a
 * bare "additional property".
 */
export const ContactChangeBody = Type.Object({
  name: Type.Optional(Type.Union([Type.String({ description: `At most ${MAX_NAME_LENGTH} characters.` }), Type.Null()], { description: 'The name; null or empty for none.' })),
  unit: Type.Optional(Type.Union([Type.String({ description: 'A unit\'s id or name (any case); not an archived one.' }), Type.Null()], { description: 'The unit; null to clear it.' })),
  locale: Type.Optional(Type.Union([Type.String({ description: `One of ${locales} (any case).` }), Type.Null()], { description: 'The language of their mail and survey; null for the organization\'s.' })),
  attributes: Type.Optional(Type.Union([
    Type.Record(Type.String(), Type.Union([Type.String(), Type.Null()]), {
      description: `Merged into the stored attributes: a name given text sets it (at most ${MAX_ATTRIBUTE_LENGTH} characters), a name given null removes it, names left out stay. At most ${MAX_ATTRIBUTES} in all.`,
    }),
    Type.Null(),
  ], { description: 'null removes them all.' })),
  unsubscribed: Type.Optional(Type.Boolean({ description: 'true unsubscribes the address (both sides\' contacts) and cancels its queued mail. An unsubscribed contact cannot be subscribed again here: only they can choose that.' })),
  email: Type.Optional(Type.Unknown({ readOnly: true, description: 'Not changeable: the email and side are who the contact is. Sending either is refused (400).' })),
  side: Type.Optional(Type.Unknown({ readOnly: true, description: 'Not changeable, as `email`.' })),
}, { additionalProperties: false })

const Wave = Type.Object({ id: Type.String(), name: Type.String() })

/** GET /contacts/export: the document services/data-rights.ts builds, field by field. */
export const PersonalDataExport = Type.Object({
  email: Text,
  exportedAt: Time,
  note: Text,
  contacts: Type.Array(Type.Object({
    id: Text, side: Side, email: Text, name: Text, unit: TextOrNull, locale: TextOrNull,
    attributes: Type.Record(Type.String(), Type.String()), createdAt: TimeOrNull, updatedAt: TimeOrNull,
  })),
  invitations: Type.Array(Type.Object({
    contactId: TextOrNull, wave: Wave, side: Side,
    status: Type.Union([Type.Literal('queued'), Type.Literal('sent'), Type.Literal('failed'), Type.Literal('bounced')]),
    used: Type.Boolean(), usedAt: TimeOrNull, createdAt: TimeOrNull, lastSentAt: TimeOrNull, remindersSent: Type.Integer(), error: TextOrNull,
  })),
  mail: Type.Object({
    unsubscribed: Type.Union([Type.Object({ since: TimeOrNull }), Type.Null()]),
    suppressed: Type.Union([Type.Object({ since: TimeOrNull }), Type.Null()], { description: 'The address was deleted after unsubscribing: only a keyed hash of it is kept, so it is never mailed again.' }),
    surveyMail: Type.Array(Type.Object({
      kind: Type.Union([Type.Literal('invitation'), Type.Literal('reminder')]),
      status: Type.Union([Type.Literal('pending'), Type.Literal('sending'), Type.Literal('sent'), Type.Literal('failed')]),
      attempts: Type.Integer(), createdAt: TimeOrNull, runAt: TimeOrNull, sentAt: TimeOrNull, lastError: TextOrNull,
    })),
    accountMail: Type.Array(Type.Object({
      kind: Type.Union([Type.Literal('password_reset'), Type.Literal('colleague_invitation')]),
      status: Type.Union([Type.Literal('pending'), Type.Literal('sending'), Type.Literal('sent'), Type.Literal('failed')]),
      attempts: Type.Integer(), createdAt: TimeOrNull, sentAt: TimeOrNull,
    })),
    outbox: Type.Array(Type.Object({ subject: Text, createdAt: TimeOrNull }), { description: 'Messages kept by the development outbox (no mail server configured).' }),
  }),
  customerResponses: Type.Array(Type.Object({
    id: Text, wave: Wave, unit: TextOrNull, locale: Text, attributes: Type.Record(Type.String(), Type.String()), comment: TextOrNull,
    submittedAt: TimeOrNull, answers: Type.Record(Type.String(), Type.Union([Type.Number(), Type.Null()]), { description: 'Item key to the answer; null for "not applicable".' }),
  })),
  users: Type.Array(Type.Object({
    id: Text, name: Text,
    role: Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('analyst'), Type.Literal('viewer'), Type.Literal('unit_manager')]),
    createdAt: TimeOrNull, lastSignInAt: TimeOrNull,
  })),
  auditEntries: Type.Union([
    Type.Array(Type.Object({ at: TimeOrNull, action: Text, target: Text, detail: Type.Record(Type.String(), Type.Unknown()), ip: Text })),
    Type.Null(),
  ], { description: 'What people with this address did, for owners (who read the audit log); null for admins.' }),
}, { title: 'PersonalDataExport' })

// The schema and the document the service builds must be the same shape: a field added to one and not
// the other fails the build here (the answer would otherwise drop it without a word).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const sameShape: Same<Static<typeof PersonalDataExport>, PersonalDataDocument> = true
void sameShape
