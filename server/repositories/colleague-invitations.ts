// Colleague invitations: who was invited to an organization, with which role (and units), and
// whether the link has been used, withdrawn or has run out. Only the hash of a link's token is kept.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { Keyset } from '../domain/cursor.js'
import { isUuid } from '../domain/formats.js'
import type { Role } from '../domain/types.js'
import { inPage, pageFrom, timeKey, type Page, type PageRequest } from './keyset.js'

export interface ColleagueInvitation {
  id: string
  organizationId: string
  organizationName: string
  email: string
  name: string
  role: Role
  unitIds: string[]
  /** Who sent it, as they are now (null once they have been removed). */
  inviterName: string | null
  inviterEmail: string | null
  createdAt: Date
  expiresAt: Date
  acceptedAt: Date | null
  revokedAt: Date | null
}

function invitationQuery(db: Db) {
  return db.selectFrom('colleague_invitations as ci')
    .innerJoin('organizations as o', 'o.id', 'ci.organization_id')
    .leftJoin('users as u', 'u.id', 'ci.invited_by')
    .select(['ci.id', 'ci.organization_id', 'o.name as organization_name', 'ci.email', 'ci.name', 'ci.role', 'ci.unit_ids',
      'u.name as inviter_name', 'u.email as inviter_email', 'ci.created_at', 'ci.expires_at', 'ci.accepted_at', 'ci.revoked_at'])
}

type Row = Awaited<ReturnType<ReturnType<typeof invitationQuery>['executeTakeFirstOrThrow']>>

const toInvitation = (row: Row): ColleagueInvitation => ({
  id: row.id, organizationId: row.organization_id, organizationName: row.organization_name, email: row.email, name: row.name,
  role: row.role, unitIds: row.unit_ids, inviterName: row.inviter_name, inviterEmail: row.inviter_email,
  createdAt: row.created_at, expiresAt: row.expires_at, acceptedAt: row.accepted_at, revokedAt: row.revoked_at,
})

export async function insertInvitation(db: Db, input: {
  id: string; organizationId: string; email: string; name: string; role: Role; unitIds: readonly string[]
  invitedBy: string; tokenHash: string; expiresAt: Date
}): Promise<void> {
  await db.insertInto('colleague_invitations').values({
    id: input.id, organization_id: input.organizationId, email: input.email, name: input.name, role: input.role,
    unit_ids: [...input.unitIds], invited_by: input.invitedBy, token_hash: input.tokenHash, expires_at: input.expiresAt,
  }).execute()
}

/** The invitation a link's token hash names, whatever its state (the join page says which). */
export async function invitationByTokenHash(db: Db, tokenHash: string): Promise<ColleagueInvitation | undefined> {
  const row = await invitationQuery(db).where('ci.token_hash', '=', tokenHash).executeTakeFirst()
  return row && toInvitation(row)
}

/** An invitation of this organization (undefined for another organization's or a non-UUID id). */
export async function findInvitation(db: Db, organizationId: string, id: string): Promise<ColleagueInvitation | undefined> {
  if (!isUuid(id)) return undefined
  const row = await invitationQuery(db).where('ci.organization_id', '=', organizationId).where('ci.id', '=', id).executeTakeFirst()
  return row && toInvitation(row)
}

/** Invitations neither used nor withdrawn, newest first; expired ones included, to be sent again. */
export async function openInvitations(db: Db, organizationId: string): Promise<ColleagueInvitation[]> {
  const rows = await invitationQuery(db).where('ci.organization_id', '=', organizationId)
    .where('ci.accepted_at', 'is', null).where('ci.revoked_at', 'is', null)
    .orderBy('ci.created_at', 'desc').execute()
  return rows.map(toInvitation)
}

export const INVITATION_LIST: Keyset = { list: 'colleague_invitations', parts: ['time', 'uuid'] }

/** A page of the open invitations (expired ones included), newest first, as openInvitations lists them (the API's list). */
export async function openInvitationPage(db: Db, organizationId: string, page: PageRequest): Promise<Page<ColleagueInvitation>> {
  const query = invitationQuery(db).select(timeKey('ci.created_at').as('key_at')).where('ci.organization_id', '=', organizationId)
    .where('ci.accepted_at', 'is', null).where('ci.revoked_at', 'is', null)
  const rows = await inPage(query, page, [sql.ref('ci.created_at'), sql.ref('ci.id')], 'desc').execute()
  return pageFrom(page, rows, (row) => [row.key_at, row.id], toInvitation)
}

/** The open invitation of an address in an organization, if there is one (expired or not). */
export async function openInvitationOf(db: Db, organizationId: string, email: string): Promise<ColleagueInvitation | undefined> {
  const row = await invitationQuery(db).where('ci.organization_id', '=', organizationId).where('ci.email', '=', email)
    .where('ci.accepted_at', 'is', null).where('ci.revoked_at', 'is', null).executeTakeFirst()
  return row && toInvitation(row)
}

/** Withdraws an open invitation; false when it was not open (used, withdrawn already, or not there). */
/**
 * Withdraws the open invitations a person sent, except those of the roles in `kept` (the roles their
 * new role still gives); how many were withdrawn.
 */
export async function revokeInvitationsBy(db: Db, organizationId: string, userId: string, kept: readonly Role[]): Promise<number> {
  let query = db.updateTable('colleague_invitations').set({ revoked_at: sql<Date>`now()` })
    .where('organization_id', '=', organizationId).where('invited_by', '=', userId)
    .where('accepted_at', 'is', null).where('revoked_at', 'is', null)
  if (kept.length > 0) query = query.where('role', 'not in', [...kept])
  const result = await query.executeTakeFirst()
  return Number(result.numUpdatedRows)
}

export async function revokeInvitation(db: Db, organizationId: string, id: string): Promise<boolean> {
  if (!isUuid(id)) return false
  const result = await db.updateTable('colleague_invitations').set({ revoked_at: sql<Date>`now()` })
    .where('organization_id', '=', organizationId).where('id', '=', id)
    .where('accepted_at', 'is', null).where('revoked_at', 'is', null).executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/**
 * Marks an invitation used, if it still may be: not used, not withdrawn, not expired. One statement,
 * so that two uses at once cannot both succeed; false when it could not be claimed.
 */
export async function claimInvitation(db: Db, id: string): Promise<boolean> {
  const result = await db.updateTable('colleague_invitations').set({ accepted_at: sql<Date>`now()` })
    .where('id', '=', id).where('accepted_at', 'is', null).where('revoked_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`).executeTakeFirst()
  return result.numUpdatedRows > 0n
}
