// The retention rules, run daily by the worker (server/retention/plugin.ts): per organization,
// contacts not invited for N months are deleted as a person's deletion would (invitations, unsubscribe
// record kept as a suppression hash, customer answers unlinked), and comments older than N months are
// cleared. A run that deleted anything is audited (retention_run) with its counts, by the product.
import type { Db } from '../../db/connect.js'
import { monthsBefore } from '../domain/data-rights.js'
import { recordAudit } from '../repositories/audit.js'
import { eraseContact } from '../repositories/erasure.js'
import { clearOldComments, organizationsWithRetention, staleContacts } from '../repositories/retention.js'
import { suppressionHash } from '../repositories/suppressions.js'

/** Contacts deleted per organization and run at most; the rest go in the next day's run. */
export const CONTACTS_PER_RUN = 5000

export interface RetentionResult {
  organizationId: string
  contacts: number
  comments: number
}

export async function runRetention(db: Db, secret: string, now: Date): Promise<RetentionResult[]> {
  const results: RetentionResult[] = []
  for (const org of await organizationsWithRetention(db)) {
    let contacts = 0
    let comments = 0
    if (org.contactMonths !== null) {
      const cutoff = monthsBefore(now, org.contactMonths)
      for (const contact of await staleContacts(db, org.organizationId, cutoff, CONTACTS_PER_RUN)) {
        if (await eraseContact(db, org.organizationId, contact.id, suppressionHash(secret, contact.email))) contacts++
      }
    }
    if (org.commentMonths !== null) comments = await clearOldComments(db, org.organizationId, monthsBefore(now, org.commentMonths))
    if (contacts > 0 || comments > 0) {
      await recordAudit(db, {
        organizationId: org.organizationId, actorUserId: null, actorEmail: '', action: 'retention_run',
        target: 'retention rules', detail: { contacts, comments, contactMonths: org.contactMonths, commentMonths: org.commentMonths },
      })
    }
    results.push({ organizationId: org.organizationId, contacts, comments })
  }
  return results
}
