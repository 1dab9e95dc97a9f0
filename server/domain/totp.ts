// The rules of two-factor sign-in, pure: which sign-ins need a second factor, how a TOTP code is
// matched (RFC 6238 through the otpauth library: SHA-1, 6 digits, 30-second steps, one step either
// way for clocks that drift), that no code counts twice, how recovery codes look, and when an
// account has failed too often.
import { Secret, TOTP } from 'otpauth'

export const ISSUER = 'Service Gap'
export const TOTP_PERIOD_SECONDS = 30
export const TOTP_DIGITS = 6
/** Steps accepted either side of now: a phone's clock a little off still works. */
export const TOTP_WINDOW = 1

/** A password sign-in waits this long for its code… */
export const VERIFY_MS = 5 * 60 * 1000
/** …and this long when the person must first set up an app (installing one takes a while). */
export const ENROL_MS = 15 * 60 * 1000
/** Wrong codes per pending sign-in; then the person signs in again with the password. */
export const MAX_FAILURES_PER_SIGN_IN = 5
/** Wrong codes per account within ACCOUNT_WINDOW_MS, however many sign-ins or addresses they come from. */
export const MAX_FAILURES_PER_ACCOUNT = 10
export const ACCOUNT_WINDOW_MS = 15 * 60 * 1000
/** A secret shown for setting up stays the same for this long, so reloading the page does not undo a scan. */
export const PENDING_SECRET_MS = 30 * 60 * 1000

export const RECOVERY_CODE_COUNT = 10

export type SignInMethod = 'password' | 'sso'
export type SecondFactorStep = 'none' | 'verify' | 'enrol'

/**
 * What a sign-in needs after its first proof. Single sign-on leaves the second factor to the identity
 * provider. A password sign-in asks for a code when the person has turned two-factor on, and sends
 * them to set it up first when their organization requires it.
 */
export function secondFactorStep(method: SignInMethod, state: { enabled: boolean; organizationRequires: boolean }): SecondFactorStep {
  if (method === 'sso') return 'none'
  if (state.enabled) return 'verify'
  return state.organizationRequires ? 'enrol' : 'none'
}

const totp = (secretBase32: string, label = '') => new TOTP({
  issuer: ISSUER, label, secret: Secret.fromBase32(secretBase32), algorithm: 'SHA1', digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS,
})

/** The otpauth:// URI an authenticator app reads from the QR code; the label names the organization and the person. */
export const otpauthUri = (secretBase32: string, organization: string, email: string): string =>
  totp(secretBase32, `${organization}: ${email}`).toString()

/** The secret grouped in fours, as people type it into an app by hand. */
export const groupedSecret = (secretBase32: string): string => secretBase32.match(/.{1,4}/g)!.join(' ')

export const timeStep = (now: number): number => Math.floor(now / 1000 / TOTP_PERIOD_SECONDS)

/** The code for a time (tests and the browser test compute codes as an app would). */
export const totpCode = (secretBase32: string, now: number): string => totp(secretBase32).generate({ timestamp: now })

/**
 * The time step whose code this is, within the window around now; null when it matches none. A step
 * is accepted only once (see isFreshStep).
 */
export function matchTotp(secretBase32: string, code: string, now: number): number | null {
  const delta = totp(secretBase32).validate({ token: code, timestamp: now, window: TOTP_WINDOW })
  return delta === null ? null : timeStep(now) + delta
}

/** A code counts only for a step after the last one used: the same code, or an older one, never works twice. */
export const isFreshStep = (step: number, lastStep: number | null): boolean => lastStep === null || step > lastStep

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/** A recovery code from 10 random bytes: 16 base32 characters (80 bits), shown in four groups. */
export function formatRecoveryCode(bytes: Uint8Array): string {
  if (bytes.length !== 10) throw new Error('a recovery code is made of 10 bytes')
  let bits = 0
  let value = 0
  let out = ''
  for (const byte of bytes) {
    value = (value << 8) | byte
    bits += 8
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  return out.match(/.{4}/g)!.join('-')
}

export type SecondFactorInput = { kind: 'totp'; code: string } | { kind: 'recovery'; code: string } | { kind: 'invalid' }

/**
 * What a person typed into the code field: six digits from the app, or a recovery code (as shown, or
 * without dashes, in any case; 0, 1 and 8 typed for O, I and B are read as what they look like).
 */
export function readSecondFactor(value: unknown): SecondFactorInput {
  if (typeof value !== 'string' || value.length > 100) return { kind: 'invalid' }
  const compact = value.replace(/[\s-]/g, '').toUpperCase()
  if (/^\d{6}$/.test(compact)) return { kind: 'totp', code: compact }
  const recovery = compact.replace(/0/g, 'O').replace(/1/g, 'I').replace(/8/g, 'B')
  if (/^[A-Z2-7]{16}$/.test(recovery)) return { kind: 'recovery', code: recovery.match(/.{4}/g)!.join('-') }
  return { kind: 'invalid' }
}

/** Whether an account has failed too often lately to try another code now; the time it may try again otherwise. */
export function accountLockedUntil(failures: number, lastFailedAt: Date | null, now: Date): Date | null {
  if (!lastFailedAt || failures < MAX_FAILURES_PER_ACCOUNT) return null
  const until = new Date(lastFailedAt.getTime() + ACCOUNT_WINDOW_MS)
  return until > now ? until : null
}
