// A person's own account: their name, their password hash and their sessions.
import type { Db } from '../../db/connect.js'
import { hashToken } from '../security/tokens.js'

export interface Account {
  id: string
  organizationId: string
  email: string
  name: string
  passwordHash: string | null
  organizationName: string
}

export async function findAccount(db: Db, organizationId: string, userId: string): Promise<Account | undefined> {
  const row = await db.selectFrom('users')
    .innerJoin('organizations', 'organizations.id', 'users.organization_id')
    .select(['users.id', 'users.organization_id', 'users.email', 'users.name', 'users.password_hash', 'organizations.name as organization_name'])
    .where('users.organization_id', '=', organizationId).where('users.id', '=', userId).executeTakeFirst()
  return row && {
    id: row.id, organizationId: row.organization_id, email: row.email, name: row.name, passwordHash: row.password_hash, organizationName: row.organization_name,
  }
}

/** The account behind an email address (normalized), for sign-in and resets. */
export async function findAccountByEmail(db: Db, email: string): Promise<Account | undefined> {
  const row = await db.selectFrom('users')
    .innerJoin('organizations', 'organizations.id', 'users.organization_id')
    .select(['users.id', 'users.organization_id', 'users.email', 'users.name', 'users.password_hash', 'organizations.name as organization_name'])
    .where('users.email', '=', email).executeTakeFirst()
  return row && {
    id: row.id, organizationId: row.organization_id, email: row.email, name: row.name, passwordHash: row.password_hash, organizationName: row.organization_name,
  }
}

export async function setAccountName(db: Db, userId: string, name: string): Promise<void> {
  await db.updateTable('users').set({ name }).where('id', '=', userId).execute()
}

export async function setPasswordHash(db: Db, userId: string, passwordHash: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute()
}

/** Ends every session of a person except the one with this token (null ends them all); returns how many ended. */
export async function endSessionsOf(db: Db, userId: string, keepToken: string | null): Promise<number> {
  let query = db.deleteFrom('sessions').where('user_id', '=', userId)
  if (keepToken) query = query.where('id_hash', '<>', hashToken(keepToken))
  const result = await query.executeTakeFirst()
  return Number(result.numDeletedRows)
}

export async function countSessionsOf(db: Db, userId: string): Promise<number> {
  const { count } = await db.selectFrom('sessions').select((eb) => eb.fn.countAll<number>().as('count'))
    .where('user_id', '=', userId).where('expires_at', '>', new Date()).executeTakeFirstOrThrow()
  return Number(count)
}
