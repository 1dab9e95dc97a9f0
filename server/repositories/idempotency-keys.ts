// The idempotency_keys table (0028): claiming a key, settling the claim with the answer or giving it
// back, reading what a key holds, and purging keys older than their lifetime. Every query is scoped
// to one organization and one user; keys are given here already hashed, answers already sealed.
import { randomUUID } from 'node:crypto'
import type { Db } from '../../db/connect.js'
import { CLAIM_LEASE_MS, KEY_LIFETIME_MS } from '../domain/idempotency.js'

export interface KeyScope {
  organizationId: string
  userId: string
  keyHash: string
}

export interface StoredAnswer {
  fingerprint: string
  status: number
  contentType: string
  /** Sealed. */
  body: string
}

/** What a key holds when another request claimed it first: still running, or its answer. */
export type HeldKey = { state: 'running' } | ({ state: 'finished' } & StoredAnswer)

export type Claim = { claimed: true; claim: string } | { claimed: false; held: HeldKey }

const scoped = (scope: KeyScope) => ({ organization_id: scope.organizationId, user_id: scope.userId, key_hash: scope.keyHash })

const before = (now: Date, ms: number) => new Date(now.getTime() - ms)

/**
 * Claims the key for one request, atomically: a new key is inserted; a key past its lifetime, or a
 * claim left unfinished past its lease, is taken over in the same statement; any other row stays as
 * it is and is returned as held. Two requests (two app instances) racing for one key cannot both
 * claim it: the primary key lets exactly one insert or update win.
 */
export async function claimKey(db: Db, scope: KeyScope, now = new Date()): Promise<Claim> {
  // A claimed row can vanish between the two statements (its request gave it back): then try again.
  for (let attempt = 0; attempt < 3; attempt++) {
    const claim = randomUUID()
    const fresh = { claim, created_at: now, fingerprint: null, status: null, content_type: null, body: null, finished_at: null }
    const won = await db.insertInto('idempotency_keys').values({ ...scoped(scope), ...fresh })
      .onConflict((oc) => oc.columns(['organization_id', 'user_id', 'key_hash']).doUpdateSet(fresh)
        .where((eb) => eb.or([
          eb('idempotency_keys.created_at', '<=', before(now, KEY_LIFETIME_MS)),
          eb.and([eb('idempotency_keys.finished_at', 'is', null), eb('idempotency_keys.created_at', '<=', before(now, CLAIM_LEASE_MS))]),
        ])))
      .returning('claim').executeTakeFirst()
    if (won?.claim === claim) return { claimed: true, claim }
    const held = await db.selectFrom('idempotency_keys').select(['fingerprint', 'status', 'content_type', 'body'])
      .where('organization_id', '=', scope.organizationId).where('user_id', '=', scope.userId).where('key_hash', '=', scope.keyHash)
      .executeTakeFirst()
    if (!held) continue
    if (held.status === null) return { claimed: false, held: { state: 'running' } }
    return { claimed: false, held: { state: 'finished', fingerprint: held.fingerprint!, status: held.status, contentType: held.content_type!, body: held.body! } }
  }
  return { claimed: false, held: { state: 'running' } }
}

/** Settles a claim with its answer; false when the claim is no longer this request's (taken over after its lease). */
export async function finishClaim(db: Db, scope: KeyScope, claim: string, answer: StoredAnswer, now = new Date()): Promise<boolean> {
  const result = await db.updateTable('idempotency_keys')
    .set({ fingerprint: answer.fingerprint, status: answer.status, content_type: answer.contentType, body: answer.body, finished_at: now })
    .where('organization_id', '=', scope.organizationId).where('user_id', '=', scope.userId).where('key_hash', '=', scope.keyHash)
    .where('claim', '=', claim).where('status', 'is', null)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/** Gives a claim back, so that the key is free for a retry (its answer is not one to keep). */
export async function releaseClaim(db: Db, scope: KeyScope, claim: string): Promise<void> {
  await db.deleteFrom('idempotency_keys')
    .where('organization_id', '=', scope.organizationId).where('user_id', '=', scope.userId).where('key_hash', '=', scope.keyHash)
    .where('claim', '=', claim).where('status', 'is', null)
    .execute()
}

/** Deletes every key past its lifetime (they are already ignored); returns how many. */
export async function purgeIdempotencyKeys(db: Db, now = new Date()): Promise<number> {
  const result = await db.deleteFrom('idempotency_keys').where('created_at', '<=', before(now, KEY_LIFETIME_MS)).executeTakeFirst()
  return Number(result.numDeletedRows)
}
