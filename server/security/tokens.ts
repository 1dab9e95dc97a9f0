// Secrets handed to people (session ids, API tokens, link tokens) and how they are stored.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { isUuid } from '../domain/formats.js'

/** A URL-safe random secret: 32 bytes (256 bits) from the operating system's CSPRNG by default. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url')
}

/** URL-safe base64 of 16 to 64 characters: every token randomToken and invitationToken hand out. */
const TOKEN = /^[A-Za-z0-9_-]{16,64}$/

/** Whether a value has the shape of a token, checked before any lookup so that junk costs no query. */
export const isTokenShaped = (value: unknown): value is string => typeof value === 'string' && TOKEN.test(value)

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
  if (!id || !signature || !isUuid(id)) return null
  return safeEqual(signature, hmac(`unsubscribe:${secret}`, id).slice(0, 22)) ? id : null
}

/**
 * The token in an account mail's link (a password reset, a colleague invitation): 256 bits of
 * HMAC-SHA256 under the server's secret over the kind and the row's random id. The row stores only
 * hashToken of it; the mail worker rebuilds it to send, and nobody can without the secret.
 */
export function accountToken(secret: string, kind: string, id: string): string {
  return createHmac('sha256', `account:${kind}:${secret}`).update(id).digest('base64url')
}
