// Idempotent requests, from the service's side: what a request with a key should do (run, replay the
// first answer, or be refused because the key is busy or was used for another request), and keeping
// its answer afterwards. Answers are sealed for the organization, user and key, so a database dump
// shows none of them and no other caller's replay (another organization, another person) can open one.
import type { Db } from '../../db/connect.js'
import { isReplayable, keyHash } from '../domain/idempotency.js'
import { claimKey, finishClaim, releaseClaim, type KeyScope } from '../repositories/idempotency-keys.js'
import { open, seal } from '../security/encryption.js'

const PURPOSE = 'idempotent-answer'

export interface Caller {
  organizationId: string
  userId: string
  key: string
}

export interface Answer {
  status: number
  contentType: string
  body: string
}

export type Start =
  | { outcome: 'run'; claim: Claimed }
  | { outcome: 'replay'; answer: Answer }
  | { outcome: 'running' }
  | { outcome: 'reused' }

/** A claim this request holds, to settle with keepAnswer. */
export interface Claimed {
  scope: KeyScope
  claim: string
}

const scopeOf = (caller: Caller): KeyScope => ({ organizationId: caller.organizationId, userId: caller.userId, keyHash: keyHash(caller.key) })
const context = (scope: KeyScope) => `${scope.organizationId}/${scope.userId}/${scope.keyHash}`

/**
 * Claims the key, or says what it holds. `fingerprint` is asked for only when the key holds a
 * finished answer (a streamed body is read to its end for it only then).
 */
export async function startIdempotent(db: Db, secret: string, caller: Caller, fingerprint: () => Promise<string>, now = new Date()): Promise<Start> {
  const scope = scopeOf(caller)
  const result = await claimKey(db, scope, now)
  if (result.claimed) return { outcome: 'run', claim: { scope, claim: result.claim } }
  if (result.held.state === 'running') return { outcome: 'running' }
  if (result.held.fingerprint !== (await fingerprint())) return { outcome: 'reused' }
  const body = open(secret, PURPOSE, context(scope), result.held.body)
  // Unreadable only if SIGNING_SECRET changed since: the answer is lost, so say the key is spent.
  if (body === null) return { outcome: 'reused' }
  return { outcome: 'replay', answer: { status: result.held.status, contentType: result.held.contentType, body } }
}

/** Whether keepAnswer keeps this answer (else it frees the key). */
export function keepsAnswer(answer: Answer | null, fingerprint: string | null): answer is Answer {
  return answer !== null && fingerprint !== null && isReplayable(answer.status)
}

/**
 * Keeps the answer for replays when it is one to keep (isReplayable) and the request could be
 * fingerprinted (`fingerprint` is null when its body was not read to the end); otherwise frees the
 * key so that a retry runs afresh.
 */
export async function keepAnswer(db: Db, secret: string, held: Claimed, answer: Answer | null, fingerprint: string | null, now = new Date()): Promise<void> {
  if (!keepsAnswer(answer, fingerprint)) {
    await releaseClaim(db, held.scope, held.claim)
    return
  }
  const body = seal(secret, PURPOSE, context(held.scope), answer.body)
  await finishClaim(db, held.scope, held.claim, { fingerprint: fingerprint!, status: answer.status, contentType: answer.contentType, body }, now)
}

/** Frees a claim whose request ended without an answer to keep (aborted, or failed before sending). */
export async function abandonClaim(db: Db, held: Claimed): Promise<void> {
  await releaseClaim(db, held.scope, held.claim)
}
