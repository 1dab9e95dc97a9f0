// One contact through the API: the list a page at a time (keyset cursors, or the numbered pages older
// clients use), one contact by id, and a change to one (audited by the names of the fields changed,
// never their values). Unsubscribed here includes suppression, as on the list (data-rights.ts).
import type { Db } from '../../db/connect.js'
import { checkContactChange } from '../domain/contact-change.js'
import type { ContactFilters } from '../domain/contacts.js'
import { decodeKey, pageOf, type Keyset } from '../domain/cursor.js'
import type { FieldErrors } from '../domain/inputs.js'
import { unitIndex } from '../domain/units.js'
import { getContact, listContacts, updateContact, type ContactKey, type ContactListItem } from '../repositories/contacts.js'
import { unsubscribeAddress } from '../repositories/invitations.js'
import { listUnits } from '../repositories/units.js'
import { audit, type Caller } from './audit.js'
import { withSuppression } from './data-rights.js'

const KEYSET: Keyset = { list: 'contacts', parts: ['text', 'text', 'uuid'] }
/** The audit log names a changed field as the API does. */
const API_NAMES: Record<string, string> = { unitId: 'unit' }
const keyOf = (contact: ContactListItem) => [contact.email, contact.side, contact.id]

/** The contact a cursor of the contact list names, or null when it is not one the list gave out. */
function cursorKey(cursor: string): ContactKey | null {
  const key = decodeKey(KEYSET, cursor)
  if (key === null) return null
  const [email, side, id] = key as [string, string, string]
  return side === 'staff' || side === 'customer' ? { email, side, id } : null
}

export type ContactPage = { contacts: ContactListItem[]; total: number; nextCursor: string | null }

/**
 * `limit` contacts under the filters: after the cursor's contact, or else on `filters.page` (pages of
 * `limit`). The next cursor names the last contact shown, so a page goes on from there even when that
 * contact has since been deleted or others were added before it.
 */
export async function contactPage(db: Db, secret: string, organizationId: string, filters: ContactFilters, paging: { limit: number; cursor?: string }): Promise<ContactPage | 'invalid_cursor'> {
  const after = paging.cursor === undefined ? null : cursorKey(paging.cursor)
  if (paging.cursor !== undefined && after === null) return 'invalid_cursor'
  const { contacts, total } = await listContacts(db, organizationId, filters, { limit: paging.limit + 1, offset: (filters.page - 1) * paging.limit, after })
  const page = pageOf(KEYSET.list, contacts, paging.limit, keyOf)
  return { contacts: await withSuppression(db, secret, organizationId, page.rows), total, nextCursor: page.nextCursor }
}

export async function contactById(db: Db, secret: string, organizationId: string, contactId: string): Promise<ContactListItem | null> {
  const contact = await getContact(db, organizationId, contactId)
  return contact ? (await withSuppression(db, secret, organizationId, [contact]))[0]! : null
}

export type ContactChanged = { ok: true; contact: ContactListItem } | { ok: false; errors: FieldErrors } | null

/**
 * Changes one contact of the caller's organization (null when there is none). The row is held while
 * the change is checked against it and written, so two changes to its attributes cannot lose one.
 * A change that gives no field writes nothing and is not audited.
 */
export async function changeContact(db: Db, secret: string, caller: Caller, contactId: string, input: Record<string, unknown>): Promise<ContactChanged> {
  const organizationId = caller.principal!.organizationId
  const units = unitIndex(await listUnits(db, organizationId))
  const outcome = await db.transaction().execute(async (trx) => {
    const locked = await getContact(trx, organizationId, contactId, true)
    if (!locked) return null
    const [stored] = await withSuppression(trx, secret, organizationId, [locked])
    const checked = checkContactChange(input, units, stored!)
    if (!checked.ok) return checked
    const changed = Object.keys(checked.value).map((field) => API_NAMES[field] ?? field)
    if (changed.length === 0) return { ok: true as const, fields: changed }
    const { unsubscribed, ...fields } = checked.value
    await updateContact(trx, organizationId, contactId, fields)
    if (unsubscribed) await unsubscribeAddress(trx, organizationId, locked.email)
    return { ok: true as const, fields: changed }
  })
  if (outcome === null || !outcome.ok) return outcome
  if (outcome.fields.length > 0) await audit(db, caller, 'contact_updated', { target: contactId, detail: { fields: outcome.fields } })
  return { ok: true, contact: (await contactById(db, secret, organizationId, contactId))! }
}
