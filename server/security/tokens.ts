// Secrets handed to people (session ids, API tokens, link tokens) and how they are stored.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/** A URL-safe random secret: 32 bytes (256 bits) from the operating system's CSPRNG by default. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url')
}

/** Secrets are stored only as their SHA-256, so a database leak does not hand out live sessions or tokens. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

export function hmac(secret: string, value: string): string {
  return createHmac('sha256', secret).update(value).digest('base64url')
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

/**
 * A personal invitation's token: 128 bits of HMAC-SHA256 under the server's secret over the
 * invitation's random id. Only its hash is stored; the mail worker can rebuild it for each reminder,
 * and nobody can without the secret.
 */
export function invitationToken(secret: string, invitationId: string): string {
  return createHmac('sha256', `invitation:${secret}`).update(invitationId).digest().subarray(0, 16).toString('base64url')
}

/** The token in an unsubscribe link: the invitation id and a signature, so no email is in the URL. */
export function unsubscribeToken(secret: string, invitationId: string): string {
  return `${invitationId}.${hmac(`unsubscribe:${secret}`, invitationId).slice(0, 22)}`
}

export function readUnsubscribeToken(secret: string, token: string): string | null {
  const [id, signature] = token.split('.')
  if (!id || !signature || !/^[0-9a-f-]{36}$/.test(id)) return null
  return safeEqual(signature, hmac(`unsubscribe:${secret}`, id).slice(0, 22)) ? id : null
}
