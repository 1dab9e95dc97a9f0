// Counted events behind the per-account limits (failed sign-ins, reset requests), in the database so
// that every server process sees the same counts. Keys are hashes; no email is stored here.
import type { Db } from '../../db/connect.js'

export type ThrottleScope = 'sign_in' | 'password_reset'

export async function recordThrottleEvent(db: Db, scope: ThrottleScope, keyHash: string, now = new Date()): Promise<void> {
  await db.insertInto('throttle_events').values({ scope, key_hash: keyHash, at: now }).execute()
}

/** The times of the newest `limit` events for a key since a moment, newest first. */
export async function recentThrottleEvents(db: Db, scope: ThrottleScope, keyHash: string, since: Date, limit: number): Promise<Date[]> {
  const rows = await db.selectFrom('throttle_events').select('at')
    .where('scope', '=', scope).where('key_hash', '=', keyHash).where('at', '>', since)
    .orderBy('at', 'desc').limit(limit).execute()
  return rows.map((row) => row.at)
}

export async function clearThrottleEvents(db: Db, scope: ThrottleScope, keyHash: string): Promise<void> {
  await db.deleteFrom('throttle_events').where('scope', '=', scope).where('key_hash', '=', keyHash).execute()
}

/** Deletes events older than every window that reads them. */
export async function pruneThrottleEvents(db: Db, before: Date): Promise<void> {
  await db.deleteFrom('throttle_events').where('at', '<', before).execute()
}
