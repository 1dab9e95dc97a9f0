// Data rights: deleting a contact, exporting what the organization holds about an address, and
// deleting one response, each audited. The audit entries name ids and counts, never an address.
import type { Db } from '../../db/connect.js'
import { EXPORT_NOTE } from '../domain/data-rights.js'
import { can } from '../domain/roles.js'
import { eraseContact, eraseResponse, personalData, responseExists, type ContactErasure, type PersonalData, type ResponseErasure } from '../repositories/erasure.js'
import { suppressedHashes, suppressionHash } from '../repositories/suppressions.js'
import { audit, type Caller } from './audit.js'

export async function deleteContact(db: Db, secret: string, caller: Caller, contactId: string): Promise<ContactErasure | null> {
  const organizationId = caller.principal!.organizationId
  const email = await contactEmail(db, organizationId, contactId)
  if (email === null) return null
  const result = await eraseContact(db, organizationId, contactId, suppressionHash(secret, email))
  if (result) {
    await audit(db, caller, 'contact_deleted', {
      target: contactId,
      detail: { invitations: result.invitations, responsesUnlinked: result.responsesUnlinked, suppressed: result.suppressed },
    })
  }
  return result
}

/**
 * Marks listed contacts whose address is suppressed (deleted after unsubscribing, then imported again)
 * as unsubscribed: they are never invited, and the list says so.
 */
export async function withSuppression<T extends { email: string; unsubscribed: boolean }>(db: Db, secret: string, organizationId: string, contacts: T[]): Promise<T[]> {
  const hashes = contacts.map((contact) => suppressionHash(secret, contact.email))
  const suppressed = await suppressedHashes(db, organizationId, hashes)
  return contacts.map((contact, i) => (suppressed.has(hashes[i]!) ? { ...contact, unsubscribed: true } : contact))
}

async function contactEmail(db: Db, organizationId: string, contactId: string): Promise<string | null> {
  const row = await db.selectFrom('contacts').select('email').where('organization_id', '=', organizationId).where('id', '=', contactId).executeTakeFirst()
  return row?.email ?? null
}

const iso = (date: Date | null | undefined) => (date ? new Date(date).toISOString() : null)

function document(email: string, data: PersonalData, now: Date, withAudit: boolean) {
  const answersOf = (id: string) => Object.fromEntries(data.answers.filter((a) => a.response_id === id).map((a) => [a.item_key, a.value]))
  return {
    email,
    exportedAt: now.toISOString(),
    note: EXPORT_NOTE,
    contacts: data.contacts.map((c) => ({
      id: c.id, side: c.side, email: c.email, name: c.name, unit: c.unit, locale: c.locale, attributes: c.attributes,
      createdAt: iso(c.created_at), updatedAt: iso(c.updated_at),
    })),
    invitations: data.invitations.map((i) => ({
      contactId: i.contact_id, wave: { id: i.wave_id, name: i.wave }, side: i.side, status: i.status, used: i.used, usedAt: iso(i.used_at),
      createdAt: iso(i.created_at), lastSentAt: iso(i.last_sent_at), remindersSent: i.reminders_sent, error: i.error,
    })),
    mail: {
      unsubscribed: data.unsubscribe ? { since: iso(data.unsubscribe.created_at) } : null,
      suppressed: data.suppression ? { since: iso(data.suppression.created_at) } : null,
      surveyMail: data.surveyMail.map((m) => ({
        kind: m.kind, status: m.status, attempts: m.attempts, createdAt: iso(m.created_at), runAt: iso(m.run_at), sentAt: iso(m.sent_at), lastError: m.last_error,
      })),
      accountMail: data.accountMail.map((m) => ({ kind: m.kind, status: m.status, attempts: m.attempts, createdAt: iso(m.created_at), sentAt: iso(m.sent_at) })),
      outbox: data.outbox.map((m) => ({ subject: m.subject, createdAt: iso(m.created_at) })),
    },
    customerResponses: data.responses.map((r) => ({
      id: r.id, wave: { id: r.wave_id, name: r.wave }, unit: r.unit, locale: r.locale, attributes: r.attributes, comment: r.comment,
      submittedAt: iso(r.submitted_at), answers: answersOf(r.id),
    })),
    users: data.users.map((u) => ({ id: u.id, name: u.name, role: u.role, createdAt: iso(u.created_at), lastSignInAt: iso(u.last_login_at) })),
    // The audit log is the owners' to read (roles.ts 'audit'): for anyone else null, not an empty list.
    auditEntries: withAudit ? data.audit.map((a) => ({ at: iso(a.at), action: a.action, target: a.target, detail: a.detail, ip: a.ip })) : null,
  }
}

export type PersonalDataDocument = ReturnType<typeof document>

export async function exportPersonalData(db: Db, secret: string, caller: Caller, email: string, now = new Date()): Promise<PersonalDataDocument> {
  const organizationId = caller.principal!.organizationId
  const data = await personalData(db, organizationId, email, suppressionHash(secret, email))
  const contactIds = data.contacts.map((c) => c.id)
  await audit(db, caller, 'contact_exported', { target: contactIds.join(',') || 'no contact', detail: { contacts: contactIds.length, invitations: data.invitations.length } })
  // An admin may export what is held about an address, but the person's audit entries (with their
  // addresses and what they did) only reach those who may read the audit log.
  return document(email, data, now, can(caller.principal!.role, 'audit'))
}

export { responseExists }

export async function deleteResponse(db: Db, caller: Caller, waveId: string, responseId: string, reason: string): Promise<ResponseErasure> {
  const result = await eraseResponse(db, caller.principal!.organizationId, waveId, responseId)
  if (result.outcome === 'deleted') {
    await audit(db, caller, 'response_deleted', { target: responseId, detail: { wave: waveId, side: result.side, released: result.released, reason } })
  }
  return result
}
