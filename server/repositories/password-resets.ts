// Password reset links. A row holds only the hash of its token (rebuilt from the server's secret and
// the row's id by whoever sends or prints the link); it works once, until it expires.
import type { Db } from '../../db/connect.js'

export interface UsableReset {
  id: string
  organizationId: string
  userId: string
  email: string
  name: string
  organizationName: string
}

/** Adds a reset for a person and retires every older unused one, so only the newest link works. */
export async function createPasswordReset(
  db: Db,
  reset: { id: string; organizationId: string; userId: string; tokenHash: string; expiresAt: Date },
): Promise<void> {
  await retireResetsOf(db, reset.userId)
  await db.insertInto('password_resets').values({
    id: reset.id, organization_id: reset.organizationId, user_id: reset.userId, token_hash: reset.tokenHash, expires_at: reset.expiresAt,
  }).execute()
}

/** Marks a person's unused resets as used: a newer link or a finished reset supersedes them. */
export async function retireResetsOf(db: Db, userId: string): Promise<void> {
  await db.updateTable('password_resets').set({ used_at: new Date() })
    .where('user_id', '=', userId).where('used_at', 'is', null).execute()
}

/** How many resets were made for a person since a moment (the per-account limit). */
export async function countResetsSince(db: Db, userId: string, since: Date): Promise<number> {
  const { count } = await db.selectFrom('password_resets').select((eb) => eb.fn.countAll<number>().as('count'))
    .where('user_id', '=', userId).where('created_at', '>', since).executeTakeFirstOrThrow()
  return Number(count)
}

/** The unused, unexpired reset with this token hash, with the words its password must not contain. */
export async function findUsableReset(db: Db, tokenHash: string, now = new Date()): Promise<UsableReset | undefined> {
  const row = await db.selectFrom('password_resets')
    .innerJoin('users', 'users.id', 'password_resets.user_id')
    .innerJoin('organizations', 'organizations.id', 'password_resets.organization_id')
    .select(['password_resets.id', 'password_resets.organization_id', 'password_resets.user_id', 'users.email', 'users.name', 'organizations.name as organization_name'])
    .where('password_resets.token_hash', '=', tokenHash)
    .where('password_resets.used_at', 'is', null)
    .where('password_resets.expires_at', '>', now)
    .executeTakeFirst()
  return row && { id: row.id, organizationId: row.organization_id, userId: row.user_id, email: row.email, name: row.name, organizationName: row.organization_name }
}

/** Uses a reset up: true for the one caller that got it while it was still unused and unexpired. */
export async function consumeReset(db: Db, id: string, now = new Date()): Promise<boolean> {
  const result = await db.updateTable('password_resets').set({ used_at: now })
    .where('id', '=', id).where('used_at', 'is', null).where('expires_at', '>', now).executeTakeFirst()
  return result.numUpdatedRows > 0n
}
