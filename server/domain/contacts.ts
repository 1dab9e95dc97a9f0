// Contacts as they arrive from a spreadsheet or the API, one row at a time: each row is checked and
// cleaned, and whatever is wrong with it is said in one message under the row's number, so good rows
// can be stored while bad ones are reported. Also the filters of the contact list. Pure functions.
import type { Side } from './types.js'
import { archivedUnitMessage, findUnit, type UnitIndex } from './units.js'
import { isEmail, MAX_EMAIL_LENGTH, normalizeEmail, type FieldErrors } from './inputs.js'
import { isLocale, LOCALES } from './languages.js'
import { ATTRIBUTE_NAME, MAX_ATTRIBUTES } from './responses.js'

export { MAX_EMAIL_LENGTH }
export const MAX_NAME_LENGTH = 100
export const MAX_ATTRIBUTE_LENGTH = 200
export const CONTACTS_PER_PAGE = 50
const FIELDS = ['email', 'name', 'side', 'unit', 'locale', 'attributes'] as const
const COLUMNS = ['email', 'name', 'side', 'unit', 'locale'] as const
const CONTROL = /\p{Cc}/gu

/**
 * A contact ready to store. A field that is absent (no such column in the file, no such key in the
 * JSON object) leaves what is stored alone; a field that is present replaces it, even when empty.
 */
export interface ContactRow {
  email: string
  side: Side
  name?: string
  unitId?: string | null
  locale?: string | null
  attributes?: Record<string, string>
}

export type CheckedContact = { ok: true; value: ContactRow } | { ok: false; message: string }

const short = (text: string, max = 60) => (text.length > max ? `${text.slice(0, max)}…` : text)
/** One line of text: control characters (NUL, line breaks, …) become spaces, the ends are trimmed. */
const oneLine = (text: string) => text.replace(CONTROL, ' ').trim()
const isGiven = (value: unknown) => value !== undefined

/**
 * One contact, as a JSON object `{email, name?, side, unit?, locale?, attributes?}` or a CSV row
 * already in that shape. `unit` is a unit's name (any case) or id.
 */
export function checkContact(input: unknown, units: UnitIndex): CheckedContact {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { ok: false, message: 'must be an object with email and side' }
  const r = input as Record<string, unknown>
  const problems: string[] = []
  for (const key of Object.keys(r)) {
    if (!(FIELDS as readonly string[]).includes(key)) problems.push(`"${short(key, 40)}" is not a field of a contact (${FIELDS.join(', ')})`)
  }

  // Normalized as accounts are (trimmed, NFC, lower case); a line break inside is refused, not mended.
  const email = typeof r.email === 'string' ? normalizeEmail(r.email) : ''
  if (r.email !== undefined && r.email !== null && typeof r.email !== 'string') problems.push('email must be text')
  else if (email === '') problems.push('email is missing')
  else if (email.length > MAX_EMAIL_LENGTH) problems.push(`email is longer than ${MAX_EMAIL_LENGTH} characters`)
  else if (!isEmail(email)) problems.push(`email "${short(oneLine(email))}" is not an address like name@example.com`)

  const side = typeof r.side === 'string' ? oneLine(r.side).toLowerCase() : ''
  if (side === '') problems.push('side is missing: use "staff" or "customer"')
  else if (side !== 'staff' && side !== 'customer') problems.push(`side "${short(side)}" is not "staff" or "customer"`)

  const value: ContactRow = { email, side: side as Side }

  if (isGiven(r.name)) collect(checkName(r.name), (name) => { value.name = name }, problems)
  if (isGiven(r.unit)) collect(checkUnit(r.unit, units), (unitId) => { value.unitId = unitId }, problems)
  if (isGiven(r.locale)) collect(checkLocale(r.locale), (locale) => { value.locale = locale }, problems)
  if (isGiven(r.attributes)) collect(checkAttributes(r.attributes, MAX_ATTRIBUTES), (attributes) => { value.attributes = attributes.set }, problems)

  return problems.length > 0 ? { ok: false, message: problems.join('; ') } : { ok: true, value }
}

/**
 * One field of a contact checked on its own: its value as stored, or what is wrong with it. The import
 * (checkContact) and a change to one contact (contact-change.ts) both check each field here.
 */
export type FieldCheck<T> = { ok: true; value: T } | { ok: false; problems: string[] }

function collect<T>(checked: FieldCheck<T>, keep: (value: T) => void, problems: string[]) {
  if (checked.ok) keep(checked.value)
  else problems.push(...checked.problems)
}

/** A name: one line of text, at most 100 characters; null is an empty name. */
export function checkName(input: unknown): FieldCheck<string> {
  if (input !== null && typeof input !== 'string') return { ok: false, problems: ['name must be text'] }
  const name = oneLine(input ?? '')
  return name.length > MAX_NAME_LENGTH ? { ok: false, problems: [`name is longer than ${MAX_NAME_LENGTH} characters`] } : { ok: true, value: name }
}

/** A unit's name (any case) or id, to the unit's id; empty or null is no unit. An archived unit is refused. */
export function checkUnit(input: unknown, units: UnitIndex): FieldCheck<string | null> {
  if (input !== null && typeof input !== 'string') return { ok: false, problems: ['unit must be the name or id of one of your units'] }
  const unit = oneLine(input ?? '')
  if (unit === '') return { ok: true, value: null }
  const found = findUnit(units, unit)
  if (found?.archived) return { ok: false, problems: [archivedUnitMessage(found)] }
  return found ? { ok: true, value: found.id } : { ok: false, problems: [`unit "${short(unit)}" is not one of your units`] }
}

/** One of the product's languages, in any case; empty or null is none (the organization's default). */
export function checkLocale(input: unknown): FieldCheck<string | null> {
  const locale = typeof input === 'string' ? oneLine(input).toLowerCase() : input === null ? '' : null
  if (locale === null) return { ok: false, problems: ['locale must be text'] }
  if (locale !== '' && !isLocale(locale)) return { ok: false, problems: [`locale "${short(locale)}" is not one of ${LOCALES.join(', ')}`] }
  return { ok: true, value: locale === '' ? null : locale }
}

const tooManyAttributes = (count: number) => `has ${count} attributes; at most ${MAX_ATTRIBUTES} are allowed`

/**
 * Attributes as names to text (numbers and booleans are written out). A value that is empty or null
 * is listed in `cleared`: the import leaves it out, a change removes it. Null for the whole object
 * clears them all. `limit` caps how many entries the object may have (null: the caller counts).
 */
export function checkAttributes(input: unknown, limit: number | null): FieldCheck<{ set: Record<string, string>; cleared: string[] }> {
  if (input === null) return { ok: true, value: { set: {}, cleared: [] } }
  if (typeof input !== 'object' || Array.isArray(input)) return { ok: false, problems: ['attributes must be an object of names to text'] }
  const problems: string[] = []
  const count = Object.keys(input).length
  if (limit !== null && count > limit) problems.push(tooManyAttributes(count))
  const set: Record<string, string> = Object.create(null) as Record<string, string>
  const cleared: string[] = []
  for (const [name, raw] of Object.entries(input as Record<string, unknown>)) {
    if (!ATTRIBUTE_NAME.test(name)) {
      problems.push(`attribute name "${short(name, 40)}" must start with a letter and use only letters, digits and _ (at most 40)`)
      continue
    }
    const text = typeof raw === 'string' ? oneLine(raw) : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : raw === null ? '' : null
    if (text === null) problems.push(`attribute "${name}" must be text`)
    else if (text.length > MAX_ATTRIBUTE_LENGTH) problems.push(`attribute "${name}" is longer than ${MAX_ATTRIBUTE_LENGTH} characters`)
    else if (text === '') cleared.push(name)
    else set[name] = text
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: { set, cleared } }
}

/** What a column of a contacts CSV file holds. Unnamed columns are ignored (and must stay empty). */
export interface ContactColumn {
  index: number
  name: string
  kind: (typeof COLUMNS)[number] | 'attribute' | 'unnamed'
}

/** The first line of a contacts CSV file: it names the columns, in any order and any case. */
export function readContactHeader(header: readonly string[]): { ok: true; columns: ContactColumn[] } | { ok: false; message: string } {
  const problems: string[] = []
  const seen = new Set<string>()
  const columns = header.map((raw, index): ContactColumn => {
    const name = oneLine(raw)
    const lower = name.toLowerCase()
    if (name === '') return { index, name, kind: 'unnamed' }
    if (seen.has(lower)) problems.push(`The column "${short(name)}" appears more than once.`)
    seen.add(lower)
    const fixed = COLUMNS.find((column) => column === lower)
    if (fixed) return { index, name: fixed, kind: fixed }
    if (!ATTRIBUTE_NAME.test(name)) {
      problems.push(`The column "${short(name)}" is not a usable attribute name: attribute names start with a letter and use only letters, digits and _ (at most 40).`)
    }
    return { index, name, kind: 'attribute' }
  })
  const missing = (['email', 'side'] as const).filter((kind) => !columns.some((column) => column.kind === kind))
  if (missing.length > 0) {
    problems.unshift(`The first line must name the columns, including ${missing.map((kind) => `"${kind}"`).join(' and ')}. This file's first line reads: ${short(header.join(', '), 200)}`)
  }
  const attributes = columns.filter((column) => column.kind === 'attribute').length
  if (attributes > MAX_ATTRIBUTES) problems.push(`The file has ${attributes} attribute columns; at most ${MAX_ATTRIBUTES} are allowed.`)
  return problems.length > 0 ? { ok: false, message: problems.join(' ') } : { ok: true, columns }
}

/** A CSV row in the shape checkContact reads. Empty attribute cells are left out. */
export function contactInput(record: readonly string[], columns: readonly ContactColumn[]): Record<string, unknown> {
  const input: Record<string, unknown> = {}
  const attributes: Record<string, string> = {}
  let hasAttributes = false
  for (const column of columns) {
    const cell = record[column.index] ?? ''
    if (column.kind === 'attribute') {
      hasAttributes = true
      if (cell.trim() !== '') attributes[column.name] = cell
    } else if (column.kind !== 'unnamed') input[column.kind] = cell
  }
  if (hasAttributes) input.attributes = attributes
  return input
}

/** A CSV row checked against the file's columns and the organization's units. */
export function checkCsvContact(record: readonly string[], columns: readonly ContactColumn[], units: UnitIndex): CheckedContact {
  const checked = checkContact(contactInput(record, columns), units)
  const extra: string[] = []
  const unnamed = columns.filter((column) => column.kind === 'unnamed' && (record[column.index] ?? '').trim() !== '')
  if (unnamed.length > 0) extra.push(`column ${unnamed[0]!.index + 1} has a value but no name in the first line`)
  const beyond = record.slice(columns.length).filter((cell) => cell.trim() !== '').length
  if (beyond > 0) extra.push(`has ${beyond} more ${beyond === 1 ? 'cell' : 'cells'} than the first line has columns`)
  if (extra.length === 0) return checked
  return { ok: false, message: [...(checked.ok ? [] : [checked.message]), ...extra].join('; ') }
}

/**
 * Within one file or batch, the first row for an email and side wins; a later one is reported as its
 * duplicate. Holds one entry per stored contact, which bounds its memory by the contacts themselves.
 */
export class DuplicateCheck {
  private readonly seen = new Map<string, number>()

  /** The row that already has this contact's email and side; otherwise notes this row and returns null. */
  firstRow(contact: Pick<ContactRow, 'email' | 'side'>, row: number): number | null {
    const key = `${contact.email}|${contact.side}`
    const first = this.seen.get(key)
    if (first !== undefined) return first
    this.seen.set(key, row)
    return null
  }
}

/** The filters of the contact list, as they come from the URL (pages) or the query string (API). */
export interface ContactFilters {
  q: string
  side: Side | null
  unitId: string | null
  unsubscribed: boolean | null
  attribute: { name: string; value: string } | null
  page: number
}

/**
 * Reads the list's filters. Every filter that can be used is returned; each one that cannot is named
 * in `errors` and left out, so the list still shows something sensible next to the message.
 */
export function checkContactFilters(input: Record<string, unknown>, units: UnitIndex): { value: ContactFilters; errors: FieldErrors } {
  const errors: FieldErrors = {}
  const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '')
  const q = text(input.q).slice(0, 100)

  const sideText = text(input.side)
  const side = sideText === 'staff' || sideText === 'customer' ? sideText : null
  if (sideText !== '' && side === null) errors.side = 'Choose staff or customers.'

  const unitText = text(input.unit)
  const unitId = unitText === '' ? null : findUnit(units, unitText)?.id ?? null
  if (unitText !== '' && unitId === null) errors.unit = 'That unit does not exist (any more). Choose one of your units.'

  const raw = input.unsubscribed
  const unsubscribed = raw === true || raw === 'yes' || raw === 'true' ? true : raw === false || raw === 'no' || raw === 'false' ? false : null
  if (unsubscribed === null && raw !== undefined && raw !== '') errors.unsubscribed = 'Choose subscribed or unsubscribed.'

  const name = text(input.attribute)
  const value = text(input.value).slice(0, MAX_ATTRIBUTE_LENGTH)
  let attribute: ContactFilters['attribute'] = null
  if (name !== '' && !ATTRIBUTE_NAME.test(name)) errors.attribute = 'Attribute names start with a letter and use only letters, digits and _.'
  else if (name === '' && value !== '') errors.attribute = 'Enter the name of the attribute, such as tier.'
  else if (name !== '') attribute = { name, value }

  const pageText = typeof input.page === 'number' ? String(input.page) : text(input.page)
  const page = /^\d{1,6}$/.test(pageText) && Number(pageText) >= 1 ? Number(pageText) : 1
  return { value: { q, side, unitId, unsubscribed, attribute, page }, errors }
}
