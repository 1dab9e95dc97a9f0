// Password hashing with scrypt at the OWASP Password Storage Cheat Sheet's parameters
// (N = 2^17, r = 8, p = 1: 128 MiB per hash). The parameters travel with each hash, so they can be
// raised later without breaking older ones — and a test's cheap hash still verifies.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'

/** log2 of scrypt's N in production. */
export const COST_LOG2 = 17
/** log2 of N in tests: a hash takes about a millisecond instead of a third of a second. */
export const TEST_COST_LOG2 = 10
let costLog2 = COST_LOG2

/**
 * For test code only: hashes made after this call use N = 2^TEST_COST_LOG2. No setting or variable
 * reaches it, and nothing under server/ or db/ calls it (test/unit/passwords.test.ts checks), so a
 * running server always hashes at the production cost.
 */
export function useTestPasswordCost(): void {
  costLog2 = TEST_COST_LOG2
}
const BLOCK_SIZE = 8
const PARALLELISM = 1
const KEY_LENGTH = 32

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  const maxmem = 256 * (options.N ?? 0) * (options.r ?? 0) * (options.p ?? 1) + 1024 * 1024
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, { ...options, maxmem }, (err, key) => (err ? reject(err) : resolve(key))),
  )
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await derive(password, salt, { N: 2 ** costLog2, r: BLOCK_SIZE, p: PARALLELISM })
  return ['scrypt', costLog2, BLOCK_SIZE, PARALLELISM, salt.toString('base64url'), key.toString('base64url')].join('$')
}

/**
 * True when `password` matches the stored hash. An account without a password (single sign-on only,
 * `stored` null) never matches, after the same work as a real check so timing does not tell.
 */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  if (stored === null) return verifyAgainstNobody(password)
  const [scheme, logN, r, p, salt, key] = stored.split('$')
  if (scheme !== 'scrypt' || !salt || !key) return false
  const expected = Buffer.from(key, 'base64url')
  try {
    const actual = await derive(password, Buffer.from(salt, 'base64url'), { N: 2 ** Number(logN), r: Number(r), p: Number(p) })
    return actual.length === expected.length && timingSafeEqual(actual, expected)
  } catch {
    return false
  }
}

let dummyHash: Promise<string> | null = null

/**
 * Spends the same time as a real check when there is no such account, so response times do not tell
 * an attacker which email addresses exist.
 */
export async function verifyAgainstNobody(password: string): Promise<false> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'))
  await verifyPassword(password, await dummyHash)
  return false
}
