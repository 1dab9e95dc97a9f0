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
