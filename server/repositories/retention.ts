// Retention settings per organization, and what the daily run finds and clears: contacts not invited
// since a cutoff, comments older than one. Contacts themselves are deleted through eraseContact
// (erasure.ts), so a retention deletion is the same as a person's.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'

export interface RetentionSettings {
  /** Delete contacts not invited for this many months; null: never. */
  contactMonths: number | null
  /** Delete comments older than this many months; null: never. */
  commentMonths: number | null
}

export async function retentionSettings(db: Db, organizationId: string): Promise<RetentionSettings> {
  const row = await db.selectFrom('retention_settings').select(['contact_months', 'comment_months']).where('organization_id', '=', organizationId).executeTakeFirst()
  return { contactMonths: row?.contact_months ?? null, commentMonths: row?.comment_months ?? null }
}

export async function saveRetentionSettings(db: Db, organizationId: string, settings: RetentionSettings): Promise<void> {
  const values = { contact_months: settings.contactMonths, comment_months: settings.commentMonths }
  await db.insertInto('retention_settings').values({ organization_id: organizationId, ...values })
    .onConflict((oc) => oc.column('organization_id').doUpdateSet({ ...values, updated_at: sql<Date>`now()` })).execute()
}

/** Every organization with at least one rule set. */
export async function organizationsWithRetention(db: Db): Promise<Array<{ organizationId: string } & RetentionSettings>> {
  const rows = await db.selectFrom('retention_settings').select(['organization_id', 'contact_months', 'comment_months'])
    .where((eb) => eb.or([eb('contact_months', 'is not', null), eb('comment_months', 'is not', null)])).orderBy('organization_id').execute()
  return rows.map((row) => ({ organizationId: row.organization_id, contactMonths: row.contact_months, commentMonths: row.comment_months }))
}

/**
 * Contacts whose last invitation (or, never invited, whose creation) is older than `cutoff`, with
 * their addresses for the suppression hash; at most `limit`, oldest first.
 */
export async function staleContacts(db: Db, organizationId: string, cutoff: Date, limit: number): Promise<Array<{ id: string; email: string }>> {
  const { rows } = await sql<{ id: string; email: string }>`
    select c.id, c.email from contacts c
    where c.organization_id = ${organizationId}::uuid
      and coalesce((select max(i.created_at) from invitations i where i.contact_id = c.id), c.created_at) < ${cutoff}::timestamptz
    order by c.created_at, c.id
    limit ${limit}`.execute(db)
  return rows
}

/**
 * Clears comments older than `cutoff`: customer and staff responses by their time (a staff answer
 * keeps the day it joined), and staff answers still waiting by their day. Returns how many.
 */
export async function clearOldComments(db: Db, organizationId: string, cutoff: Date): Promise<number> {
  const responses = await db.updateTable('responses').set({ comment: null })
    .where('organization_id', '=', organizationId).where('comment', 'is not', null).where('submitted_at', '<', cutoff).executeTakeFirst()
  const pooled = await db.updateTable('staff_pool').set({ comment: null })
    .where('organization_id', '=', organizationId).where('comment', 'is not', null).where(sql<boolean>`day < ${cutoff}::timestamptz`).executeTakeFirst()
  return Number(responses.numUpdatedRows) + Number(pooled.numUpdatedRows)
}
