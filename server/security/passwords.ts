// Password hashing with scrypt at the OWASP Password Storage Cheat Sheet's parameters
// (N = 2^17, r = 8, p = 1: 128 MiB per hash). The parameters travel with each hash, so they can be
// raised later without breaking older ones — and a test's cheap hash still verifies.
// Every hash and check runs through one small gate: at most a few at once, a short queue behind them,
// and a quick "busy" beyond that, so a burst of sign-ins cannot tie up memory and the thread pool
// (128 MiB and a third of a second each) for everyone else.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'
import { HttpError } from '../http-error.js'

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

/** The answer when the gate's queue is full: pages show it as a "busy, try again" page, the API as JSON 503. */
export class PasswordsBusy extends HttpError {
  constructor() {
    super(503, 'busy', 'Many people are signing in right now. Please wait a few seconds and try again.')
  }
}

/**
 * At most `limit` tasks at once; up to `queue` more wait, each at most `waitMs`; anything beyond is
 * refused at once with PasswordsBusy rather than left to wait for seconds.
 */
export class Gate {
  private running = 0
  private readonly waiting: Array<{ start: () => void; timer: NodeJS.Timeout }> = []

  constructor(readonly limit: number, readonly queue: number, readonly waitMs: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await this.wait()
    else this.running++
    try {
      return await task()
    } finally {
      const next = this.waiting.shift()
      if (next) {
        // The slot passes straight to the next in line, so `running` never counts it twice.
        clearTimeout(next.timer)
        next.start()
      } else this.running--
    }
  }

  private wait(): Promise<void> {
    if (this.waiting.length >= this.queue) return Promise.reject(new PasswordsBusy())
    return new Promise((resolve, reject) => {
      const entry = {
        start: resolve,
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(entry), 1)
          reject(new PasswordsBusy())
        }, this.waitMs),
      }
      this.waiting.push(entry)
    })
  }
}

/**
 * Four at once matches libuv's default thread pool (scrypt runs there) and bounds memory at 512 MiB;
 * eight more may wait up to two seconds — about six checks' time at the production cost.
 */
export const passwordGate = new Gate(4, 8, 2000)

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  const maxmem = 256 * (options.N ?? 0) * (options.r ?? 0) * (options.p ?? 1) + 1024 * 1024
  return passwordGate.run(() => new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, { ...options, maxmem }, (err, key) => (err ? reject(err) : resolve(key))),
  ))
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
  let actual: Buffer
  try {
    actual = await derive(password, Buffer.from(salt, 'base64url'), { N: 2 ** Number(logN), r: Number(r), p: Number(p) })
  } catch (error) {
    // Busy is an answer for the caller; a malformed stored hash simply does not match.
    if (error instanceof PasswordsBusy) throw error
    return false
  }
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

let dummyHash: Promise<string> | null = null

/**
 * Spends the same time as a real check when there is no such account, so response times do not tell
 * an attacker which email addresses exist.
 */
export async function verifyAgainstNobody(password: string): Promise<false> {
  // A hash refused as busy must not stay cached, or every later check would fail the same way.
  dummyHash ??= hashPassword(randomBytes(16).toString('hex')).catch((error) => { dummyHash = null; throw error })
  await verifyPassword(password, await dummyHash)
  return false
}
