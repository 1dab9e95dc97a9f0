// Two-factor sign-in's storage: a person's sealed TOTP secret and its last accepted step, recovery
// code hashes, failure counts, pending sign-ins, and the organization's requirement. Every change that
// decides whether a code counts is one conditional statement, so two requests at once cannot both win.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import { isUuid } from '../domain/formats.js'
import { atomically } from './atomically.js'

export interface TwoFactorAccount {
  userId: string
  organizationId: string
  email: string
  organizationName: string
  passwordHash: string | null
  /** Sealed; null while two-factor is off. */
  totpSecret: string | null
  enabledAt: Date | null
  lastStep: number | null
  pendingSecret: string | null
  pendingAt: Date | null
  failures: number
  failedAt: Date | null
  organizationRequires: boolean
}

export async function findTwoFactorAccount(db: Db, userId: string): Promise<TwoFactorAccount | undefined> {
  const row = await db.selectFrom('users')
    .innerJoin('organizations', 'organizations.id', 'users.organization_id')
    .select([
      'users.id', 'users.organization_id', 'users.email', 'organizations.name as organization_name', 'users.password_hash',
      'users.totp_secret', 'users.totp_enabled_at', 'users.totp_last_step', 'users.totp_pending_secret', 'users.totp_pending_at',
      'users.two_factor_failures', 'users.two_factor_failed_at', 'organizations.require_two_factor',
    ])
    .where('users.id', '=', userId).executeTakeFirst()
  return row && {
    userId: row.id, organizationId: row.organization_id, email: row.email, organizationName: row.organization_name,
    passwordHash: row.password_hash, totpSecret: row.totp_secret, enabledAt: row.totp_enabled_at, lastStep: row.totp_last_step,
    pendingSecret: row.totp_pending_secret, pendingAt: row.totp_pending_at, failures: row.two_factor_failures,
    failedAt: row.two_factor_failed_at, organizationRequires: row.require_two_factor,
  }
}

export async function savePendingSecret(db: Db, userId: string, sealed: string, now: Date): Promise<void> {
  await db.updateTable('users').set({ totp_pending_secret: sealed, totp_pending_at: now }).where('id', '=', userId).execute()
}

/**
 * Turns two-factor on with the secret of the pending one that was confirmed (`pending`, as stored;
 * `sealed`, the same secret sealed for keeping), replacing any recovery codes.
 * False when the pending secret changed meanwhile or two-factor is already on.
 */
export async function enableTwoFactor(db: Db, userId: string, confirmed: { pending: string; sealed: string; step: number; codeHashes: string[] }, now: Date): Promise<boolean> {
  return atomically(db, async (trx) => {
    const result = await trx.updateTable('users')
      .set({ totp_secret: confirmed.sealed, totp_enabled_at: now, totp_last_step: confirmed.step, totp_pending_secret: null, totp_pending_at: null, two_factor_failures: 0, two_factor_failed_at: null })
      .where('id', '=', userId).where('totp_pending_secret', '=', confirmed.pending).where('totp_secret', 'is', null)
      .executeTakeFirst()
    if (result.numUpdatedRows === 0n) return false
    await replaceCodes(trx, userId, confirmed.codeHashes)
    return true
  })
}

export async function disableTwoFactor(db: Db, userId: string): Promise<void> {
  await atomically(db, async (trx) => {
    await trx.updateTable('users').set({ totp_secret: null, totp_enabled_at: null, totp_last_step: null, totp_pending_secret: null, totp_pending_at: null })
      .where('id', '=', userId).execute()
    await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute()
  })
}

/** Records that a step's code was used; false when that step (or a later one) already was. */
export async function useStep(db: Db, userId: string, step: number): Promise<boolean> {
  const result = await db.updateTable('users').set({ totp_last_step: step })
    .where('id', '=', userId).where('totp_secret', 'is not', null)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

async function replaceCodes(trx: Db, userId: string, codeHashes: string[]): Promise<void> {
  await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute()
  await trx.insertInto('recovery_codes').values(codeHashes.map((code_hash) => ({ user_id: userId, code_hash }))).execute()
}

export async function replaceRecoveryCodes(db: Db, userId: string, codeHashes: string[]): Promise<void> {
  await atomically(db, (trx) => replaceCodes(trx, userId, codeHashes))
}

/** Spends a recovery code; false when it is not one of theirs or was used before. */
export async function useRecoveryCode(db: Db, userId: string, codeHash: string, now: Date): Promise<boolean> {
  const result = await db.updateTable('recovery_codes').set({ used_at: now })
    .where('user_id', '=', userId).where('code_hash', '=', codeHash).where('used_at', 'is', null)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

export async function countRecoveryCodesLeft(db: Db, userId: string): Promise<number> {
  const { count } = await db.selectFrom('recovery_codes').select((eb) => eb.fn.countAll<number>().as('count'))
    .where('user_id', '=', userId).where('used_at', 'is', null).executeTakeFirstOrThrow()
  return Number(count)
}

/** Counts a wrong code against the account; the count starts again after a quiet `windowMs`. */
export async function recordAccountFailure(db: Db, userId: string, now: Date, windowMs: number): Promise<void> {
  const since = new Date(now.getTime() - windowMs)
  await db.updateTable('users')
    .set({
      two_factor_failures: sql<number>`case when two_factor_failed_at > ${since} then two_factor_failures + 1 else 1 end`,
      two_factor_failed_at: now,
    })
    .where('id', '=', userId).execute()
}

/**
 * Counts a code against the account before it is checked, in one statement, so codes sent at once
 * cannot all pass the lock; false when the account has had its `max` tries within `windowMs`.
 */
export async function claimAccountAttempt(db: Db, userId: string, now: Date, windowMs: number, max: number): Promise<boolean> {
  const since = new Date(now.getTime() - windowMs)
  const row = await db.updateTable('users')
    .set({
      two_factor_failures: sql<number>`case when two_factor_failed_at > ${since} then two_factor_failures + 1 else 1 end`,
      two_factor_failed_at: now,
    })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('two_factor_failed_at', 'is', null), eb('two_factor_failed_at', '<=', since), eb('two_factor_failures', '<', max)]))
    .returning('id').executeTakeFirst()
  return row !== undefined
}

export async function clearAccountFailures(db: Db, userId: string): Promise<void> {
  await db.updateTable('users').set({ two_factor_failures: 0, two_factor_failed_at: null }).where('id', '=', userId).execute()
}

// -- pending sign-ins --

export interface Challenge {
  userId: string
  organizationId: string
  email: string
  purpose: 'verify' | 'enrol'
  next: string
  failures: number
}

export async function createChallenge(db: Db, row: { tokenHash: string; userId: string; organizationId: string; purpose: 'verify' | 'enrol'; next: string; expiresAt: Date }, now: Date): Promise<void> {
  // Expired ones are cleared here, so the table holds only sign-ins still under way.
  await db.deleteFrom('two_factor_challenges').where('expires_at', '<=', now).execute()
  await db.insertInto('two_factor_challenges').values({
    token_hash: row.tokenHash, user_id: row.userId, organization_id: row.organizationId, purpose: row.purpose, next: row.next, expires_at: row.expiresAt,
  }).execute()
}

export async function findChallenge(db: Db, tokenHash: string, now: Date): Promise<Challenge | undefined> {
  const row = await db.selectFrom('two_factor_challenges')
    .innerJoin('users', 'users.id', 'two_factor_challenges.user_id')
    .select(['two_factor_challenges.user_id', 'two_factor_challenges.organization_id', 'users.email', 'two_factor_challenges.purpose', 'two_factor_challenges.next', 'two_factor_challenges.failures'])
    .where('two_factor_challenges.token_hash', '=', tokenHash).where('two_factor_challenges.expires_at', '>', now).executeTakeFirst()
  return row && { userId: row.user_id, organizationId: row.organization_id, email: row.email, purpose: row.purpose, next: row.next, failures: row.failures }
}

/** One more wrong code for this pending sign-in; the new count. */
export async function recordChallengeFailure(db: Db, tokenHash: string): Promise<number> {
  const row = await db.updateTable('two_factor_challenges').set((eb) => ({ failures: eb('failures', '+', 1) }))
    .where('token_hash', '=', tokenHash).returning('failures').executeTakeFirst()
  return row?.failures ?? Number.POSITIVE_INFINITY
}

/** Counts a try at a code for this pending sign-in before it is checked; the new count, or null when it has had `max` already. */
export async function claimChallengeAttempt(db: Db, tokenHash: string, max: number): Promise<number | null> {
  const row = await db.updateTable('two_factor_challenges').set((eb) => ({ failures: eb('failures', '+', 1) }))
    .where('token_hash', '=', tokenHash).where('failures', '<', max).returning('failures').executeTakeFirst()
  return row?.failures ?? null
}

/** Gives back a try that checked no code (the input was not one, or the account was locked). */
export async function refundChallengeAttempt(db: Db, tokenHash: string): Promise<void> {
  await db.updateTable('two_factor_challenges').set((eb) => ({ failures: eb('failures', '-', 1) }))
    .where('token_hash', '=', tokenHash).where('failures', '>', 0).execute()
}

/** Ends a pending sign-in; true for the one request that ended it (single use). */
export async function deleteChallenge(db: Db, tokenHash: string, now?: Date): Promise<boolean> {
  let query = db.deleteFrom('two_factor_challenges').where('token_hash', '=', tokenHash)
  if (now) query = query.where('expires_at', '>', now)
  const result = await query.executeTakeFirst()
  return result.numDeletedRows > 0n
}

// -- the organization's requirement --

export async function organizationRequiresTwoFactor(db: Db, organizationId: string): Promise<boolean> {
  const row = await db.selectFrom('organizations').select('require_two_factor').where('id', '=', organizationId).executeTakeFirstOrThrow()
  return row.require_two_factor
}

export async function setOrganizationRequiresTwoFactor(db: Db, organizationId: string, required: boolean): Promise<void> {
  await db.updateTable('organizations').set({ require_two_factor: required }).where('id', '=', organizationId).execute()
}

export interface TwoFactorPerson { id: string; email: string; name: string; enabledAt: Date | null }

export async function listTwoFactorPeople(db: Db, organizationId: string): Promise<TwoFactorPerson[]> {
  const rows = await db.selectFrom('users').select(['id', 'email', 'name', 'totp_enabled_at'])
    .where('organization_id', '=', organizationId).orderBy('created_at').execute()
  return rows.map((row) => ({ id: row.id, email: row.email, name: row.name, enabledAt: row.totp_enabled_at }))
}

/** A person of the organization with two-factor on; undefined otherwise, also for an id that is not a UUID. */
export async function findTwoFactorPerson(db: Db, organizationId: string, userId: string): Promise<TwoFactorPerson | undefined> {
  if (!isUuid(userId)) return undefined
  const row = await db.selectFrom('users').select(['id', 'email', 'name', 'totp_enabled_at'])
    .where('organization_id', '=', organizationId).where('id', '=', userId).executeTakeFirst()
  return row && { id: row.id, email: row.email, name: row.name, enabledAt: row.totp_enabled_at }
}

/**
 * Ends the sessions of the organization's people without two-factor (but the one who asked), so the
 * requirement holds from their next sign-in rather than when their sessions would have ended.
 */
export async function endSessionsWithoutTwoFactor(db: Db, organizationId: string, exceptUserId: string): Promise<number> {
  const result = await db.deleteFrom('sessions')
    .where('organization_id', '=', organizationId).where('user_id', '!=', exceptUserId)
    .where('user_id', 'in', (eb) => eb.selectFrom('users').select('id').where('organization_id', '=', organizationId).where('totp_secret', 'is', null))
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
