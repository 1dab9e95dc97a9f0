// Idempotency keys (the IETF draft "The Idempotency-Key HTTP Header Field", as Stripe practises it):
// the rules of what a key is, how long it lasts, which answers are kept for a replay and how two
// requests are told apart. The plugin (server/plugins/idempotency.ts) applies them to the API's
// creating POSTs; the table and its queries are in server/repositories/idempotency-keys.ts.
import { createHash } from 'node:crypto'

export const IDEMPOTENCY_HEADER = 'idempotency-key'

/** 1–255 visible ASCII characters (no space): what a client can put in a header as it is, UUIDs included. */
export const IDEMPOTENCY_KEY_PATTERN = '^[\\x21-\\x7e]{1,255}$'
const KEY = new RegExp(IDEMPOTENCY_KEY_PATTERN)

/** How long a key's first answer is replayed; after that the key is free again and its row is purged. */
export const KEY_LIFETIME_MS = 24 * 60 * 60 * 1000

/**
 * How long a claim may stay unfinished before another request may take the key over. A request that
 * finishes normally always settles its claim; this only frees keys whose process died mid-request
 * (a crash, a kill), which would otherwise answer "in progress" for a whole day. It is far longer
 * than any request of the API takes (the largest, a 50 MB contact import, runs in seconds).
 */
export const CLAIM_LEASE_MS = 10 * 60 * 1000

export type KeyCheck = { key: string } | { problem: string }

export function checkIdempotencyKey(value: string | string[] | undefined): KeyCheck {
  if (typeof value !== 'string' || !KEY.test(value)) {
    return { problem: 'must be 1 to 255 visible ASCII characters (letters, digits and punctuation; no spaces), sent once, such as a UUID' }
  }
  return { key: value }
}

/**
 * Whether an answer is kept and replayed to a retry with the same key. Kept: every success, and the
 * client errors that say what this request is (400, 404, 409, 422, …): the same request would get the
 * same answer again, so replaying it is honest. Not kept, so that a retry runs afresh:
 * - 5xx, 503 included: the request may not have run at all (the database was unreachable, something
 *   broke); the whole point of the key is that the client can retry such a failure safely.
 * - 401 and 403: who may do what can change within the day (a token renewed, a role raised); these
 *   are answered before a key is even looked at, and are listed here so that rule holds regardless.
 * - 408 and 429: a slow upload and a rate limit say something about the moment, not the request.
 */
export function isReplayable(status: number): boolean {
  if (status >= 200 && status < 300) return true
  return status >= 400 && status < 500 && ![401, 403, 408, 429].includes(status)
}

/** The bytes of a request body, as a hex SHA-256, fed as they arrive. */
export const bodyHash = () => createHash('sha256')

/**
 * What makes two requests "the same request": method, path with query, the body's media type and the
 * body's exact bytes (by their hash). A retry sends the same bytes; anything else is another request.
 */
export function requestFingerprint(parts: { method: string; url: string; contentType: string; bodySha256: string }): string {
  const mediaType = parts.contentType.split(';', 1)[0]!.trim().toLowerCase()
  return createHash('sha256').update([parts.method, parts.url, mediaType, parts.bodySha256].join('\n')).digest('hex')
}

/** A key is stored only as its hash: the client chose its text, and nothing needs it back. */
export const keyHash = (key: string) => createHash('sha256').update(key).digest('hex')
