// The rules of the data-rights requests that need no database: what an export address and a
// deletion's reason must be, and how far back the retention rules reach.
import { MAX_EMAIL_LENGTH } from './contacts.js'
import { EMAIL, normalizeEmail } from './inputs.js'

/**
 * Contacts are stored trimmed, in NFC and lowercased (domain/contacts.ts); an address is looked up, and
 * its suppression hashed, in that same form, or a decomposed accent would find nobody.
 */
export const normalizedEmail = normalizeEmail

/** The address as the export reads it, or the problem with it. */
export function checkExportEmail(value: unknown): { email: string } | { problem: string } {
  if (typeof value !== 'string' || value.trim() === '') return { problem: 'Enter the email address to export.' }
  const email = normalizedEmail(value)
  if (email.length > MAX_EMAIL_LENGTH || !EMAIL.test(email) || /\p{Cc}/u.test(email)) return { problem: 'Enter one email address like name@example.com.' }
  return { email }
}

export const EXPORT_NOTE = 'Staff answers are anonymous: they are stored without any link to an invitation, contact or person, '
  + 'so they cannot be attributed to anyone and are not included. Customer answers given through a personal invitation are linked '
  + 'to that invitation (until the contact is deleted) and are included below.'

export const AUDIT_ENTRIES_NOTE = 'Audit entries are in the export only for owners, who read the audit log: ask an owner for them.'

export const MAX_REASON_LENGTH = 500

/** Why a response is deleted, as the audit log keeps it: one line of 1 to 500 characters. */
export function checkReason(value: unknown): { reason: string } | { problem: string } {
  if (typeof value !== 'string' || value.trim() === '') return { problem: 'Say why this response is deleted (it is kept in the audit log).' }
  const reason = value.replace(/\p{Cc}+/gu, ' ').trim()
  if (reason.length > MAX_REASON_LENGTH) return { problem: `Keep the reason to ${MAX_REASON_LENGTH} characters.` }
  return { reason }
}

/** The moment `months` calendar months before `now` (UTC); the retention rules delete what is older. */
export function monthsBefore(now: Date, months: number): Date {
  const cutoff = new Date(now.getTime())
  const day = cutoff.getUTCDate()
  cutoff.setUTCDate(1)
  cutoff.setUTCMonth(cutoff.getUTCMonth() - months)
  // The same day of the month, or the month's last day when it is shorter (31 March − 1 month = 28/29 February).
  const last = new Date(Date.UTC(cutoff.getUTCFullYear(), cutoff.getUTCMonth() + 1, 0)).getUTCDate()
  cutoff.setUTCDate(Math.min(day, last))
  return cutoff
}

export const MAX_RETENTION_MONTHS = 600

/** A retention field as typed: empty is never; otherwise whole months from 1 to 600. */
export function checkMonths(value: unknown): { months: number | null } | { problem: string } {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return { months: null }
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : null
  if (text === null || !/^\d{1,3}$/.test(text) || Number(text) < 1 || Number(text) > MAX_RETENTION_MONTHS) {
    return { problem: `Enter a number of months from 1 to ${MAX_RETENTION_MONTHS}, or leave it empty to keep them.` }
  }
  return { months: Number(text) }
}
