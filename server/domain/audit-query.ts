// The audit page's filters from a query string: action (one of AUDIT_ACTIONS), person (part of an
// email), a date range (whole days, UTC, both ends included) and the page cursor. Anything else
// that arrives, an array for a single field, a date that does not exist, an end before the start,
// is named back per field instead of failing.
import { isAuditAction, type AuditAction } from './audit.js'
import type { Checked } from './inputs.js'

export interface AuditFilters {
  action?: AuditAction
  /** A part of the actor's email, as typed. */
  person?: string
  /** The first day included, YYYY-MM-DD. */
  from?: string
  /** The last day included, YYYY-MM-DD. */
  to?: string
}

export interface AuditPageQuery {
  filters: AuditFilters
  /** For the repository: the range as instants, the end exclusive. */
  range: { from?: Date; to?: Date }
  /** Entries older than this id (the next page). */
  before?: number
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/
const MAX_PERSON = 320

function day(value: string): Date | null {
  const match = DAY.exec(value)
  if (!match) return null
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])))
  // 2026-02-30 rolls over to March in Date.UTC: such a day does not exist.
  if (date.getUTCFullYear() !== Number(match[1]) || date.getUTCMonth() !== Number(match[2]) - 1 || date.getUTCDate() !== Number(match[3])) return null
  if (date.getUTCFullYear() < 2000) return null
  return date
}

/** The text of a query field, or an error: repeated fields (`?action=a&action=b`) are refused. */
function text(query: Record<string, unknown>, name: string): string | { problem: string } {
  const value = query[name]
  if (value === undefined) return ''
  if (typeof value !== 'string') return { problem: 'Give this once.' }
  return value.trim()
}

export function parseAuditQuery(query: Record<string, unknown>): Checked<AuditPageQuery> & { values: Record<string, string> } {
  const errors: Record<string, string> = {}
  const values: Record<string, string> = {}
  const fields = ['action', 'person', 'from', 'to', 'before'] as const
  const read: Record<string, string> = {}
  for (const name of fields) {
    const value = text(query, name)
    if (typeof value === 'string') read[name] = value
    else errors[name] = value.problem
    values[name] = typeof value === 'string' ? value.slice(0, MAX_PERSON) : ''
  }
  const filters: AuditFilters = {}
  const range: AuditPageQuery['range'] = {}
  let before: number | undefined

  if (read.action) {
    if (isAuditAction(read.action)) filters.action = read.action
    else errors.action = 'Choose an action from the list.'
  }
  if (read.person) {
    if (read.person.length > MAX_PERSON) errors.person = `Use at most ${MAX_PERSON} characters.`
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
    else if (/[\u0000-\u001f\u007f]/.test(read.person)) errors.person = 'Type part of an email address.'
    else filters.person = read.person
  }
  for (const end of ['from', 'to'] as const) {
    if (!read[end]) continue
    const date = day(read[end]!)
    if (date === null) errors[end] = 'Enter a date such as 2026-03-31.'
    else {
      filters[end] = read[end]
      range[end] = end === 'to' ? new Date(date.getTime() + 86_400_000) : date
    }
  }
  if (range.from && range.to && range.from >= range.to) errors.to = 'The last day cannot be before the first.'
  if (read.before) {
    if (/^\d{1,15}$/.test(read.before) && Number(read.before) > 0) before = Number(read.before)
    else errors.before = 'This page link is not valid; start again from the newest entries.'
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors, values }
  return { ok: true, value: { filters, range, ...(before !== undefined ? { before } : {}) }, values }
}

/** The filters as a query string, for the next page's link and the CSV link. */
export function auditQueryString(filters: AuditFilters, before?: number): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value)
  if (before !== undefined) params.set('before', String(before))
  const query = params.toString()
  return query ? `?${query}` : ''
}
