// The rules of two-factor sign-in: codes as RFC 6238 defines them, the window either side of now,
// no code counted twice, recovery codes, the per-account throttle, and which sign-ins need a second factor.
import { randomBytes } from 'node:crypto'
import { Secret, TOTP } from 'otpauth'
import { describe, expect, it } from 'vitest'
import {
  accountLockedUntil, ACCOUNT_WINDOW_MS, formatRecoveryCode, groupedSecret, isFreshStep, matchTotp, MAX_FAILURES_PER_ACCOUNT,
  otpauthUri, readSecondFactor, secondFactorStep, timeStep, totpCode,
} from '../../server/domain/totp.js'
import { open, seal } from '../../server/security/encryption.js'

// RFC 6238 appendix B: the SHA-1 seed is the ASCII string "12345678901234567890".
const RFC_SECRET = Secret.fromLatin1('12345678901234567890').base32
const RFC_VECTORS: Array<[number, string]> = [
  [59, '94287082'], [1111111109, '07081804'], [1111111111, '14050471'],
  [1234567890, '89005924'], [2000000000, '69279037'], [20000000000, '65353130'],
]

describe('TOTP codes', () => {
  it('match the RFC 6238 test vectors (SHA-1, 8 digits) through otpauth', () => {
    const totp = new TOTP({ secret: Secret.fromBase32(RFC_SECRET), digits: 8, algorithm: 'SHA1', period: 30 })
    for (const [seconds, code] of RFC_VECTORS) expect(totp.generate({ timestamp: seconds * 1000 }), `T=${seconds}`).toBe(code)
  })

  it('are the last six digits of those vectors at the product\'s 6 digits, and are matched at their step', () => {
    for (const [seconds, code] of RFC_VECTORS) {
      expect(totpCode(RFC_SECRET, seconds * 1000), `T=${seconds}`).toBe(code.slice(2))
      expect(matchTotp(RFC_SECRET, code.slice(2), seconds * 1000)).toBe(timeStep(seconds * 1000))
    }
  })

  it('accept the code of one step before or after now, and no further', () => {
    const now = 1_800_000_015_000
    const step = timeStep(now)
    expect(matchTotp(RFC_SECRET, totpCode(RFC_SECRET, now - 30_000), now)).toBe(step - 1)
    expect(matchTotp(RFC_SECRET, totpCode(RFC_SECRET, now + 30_000), now)).toBe(step + 1)
    expect(matchTotp(RFC_SECRET, totpCode(RFC_SECRET, now - 60_000), now)).toBeNull()
    expect(matchTotp(RFC_SECRET, totpCode(RFC_SECRET, now + 60_000), now)).toBeNull()
    expect(matchTotp(RFC_SECRET, '000000', now) === null || totpCode(RFC_SECRET, now) === '000000').toBe(true)
  })

  it('count once: a step is fresh only after the last one used', () => {
    expect(isFreshStep(100, null)).toBe(true)
    expect(isFreshStep(101, 100)).toBe(true)
    expect(isFreshStep(100, 100)).toBe(false)
    expect(isFreshStep(99, 100)).toBe(false)
  })

  it('are offered to apps as an otpauth URI naming Service Gap, the organization and the person', () => {
    const uri = new URL(otpauthUri(RFC_SECRET, 'Harbour & Co', 'ana@example.com'))
    expect(uri.protocol).toBe('otpauth:')
    expect(uri.searchParams.get('issuer')).toBe('Service Gap')
    expect(uri.searchParams.get('secret')).toBe(RFC_SECRET)
    expect(uri.host).toBe('totp')
    expect(decodeURIComponent(uri.pathname)).toBe('/Service Gap:Harbour & Co: ana@example.com')
    expect(groupedSecret('ABCDEFGHIJ')).toBe('ABCD EFGH IJ')
  })
})

describe('what a person types into the code field', () => {
  it('reads six digits as an app code, spaces allowed', () => {
    expect(readSecondFactor('123 456')).toEqual({ kind: 'totp', code: '123456' })
  })

  it('reads a recovery code with or without dashes, in any case, with look-alike digits', () => {
    const code = formatRecoveryCode(randomBytes(10))
    expect(code).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/)
    expect(readSecondFactor(code)).toEqual({ kind: 'recovery', code })
    expect(readSecondFactor(code.replaceAll('-', '').toLowerCase())).toEqual({ kind: 'recovery', code })
    expect(readSecondFactor('0OIB-AAAA-BBBB-1888')).toEqual({ kind: 'recovery', code: 'OOIB-AAAA-BBBB-IBBB' })
  })

  it('refuses anything else: other lengths, arrays, huge strings, line breaks inside', () => {
    for (const value of ['12345', '1234567', ['123456'], 'x'.repeat(10_000), undefined, 42, '12\r\n34', 'AAAA-AAAA-AAAA-AAA9']) {
      expect(readSecondFactor(value), JSON.stringify(value)?.slice(0, 40)).toEqual({ kind: 'invalid' })
    }
  })

  it('spells 80 random bits as 16 base32 characters', () => {
    expect(formatRecoveryCode(new Uint8Array(10))).toBe('AAAA-AAAA-AAAA-AAAA')
    expect(formatRecoveryCode(new Uint8Array(10).fill(255))).toBe('7777-7777-7777-7777')
    expect(() => formatRecoveryCode(new Uint8Array(9))).toThrow()
  })
})

describe('the per-account throttle', () => {
  const now = new Date('2026-12-01T12:00:00Z')
  it('locks an account after too many wrong codes until the window has passed since the last one', () => {
    const last = new Date(now.getTime() - 60_000)
    expect(accountLockedUntil(MAX_FAILURES_PER_ACCOUNT - 1, last, now)).toBeNull()
    expect(accountLockedUntil(MAX_FAILURES_PER_ACCOUNT, last, now)).toEqual(new Date(last.getTime() + ACCOUNT_WINDOW_MS))
    expect(accountLockedUntil(MAX_FAILURES_PER_ACCOUNT, new Date(now.getTime() - ACCOUNT_WINDOW_MS), now)).toBeNull()
    expect(accountLockedUntil(0, null, now)).toBeNull()
  })
})

describe('which sign-ins need a second factor', () => {
  it('leaves single sign-on to the identity provider, whatever the person or organization has set', () => {
    for (const enabled of [true, false]) for (const organizationRequires of [true, false]) {
      expect(secondFactorStep('sso', { enabled, organizationRequires })).toBe('none')
    }
  })

  it('asks a password sign-in for a code when on, for setup when required, and for nothing otherwise', () => {
    expect(secondFactorStep('password', { enabled: true, organizationRequires: false })).toBe('verify')
    expect(secondFactorStep('password', { enabled: true, organizationRequires: true })).toBe('verify')
    expect(secondFactorStep('password', { enabled: false, organizationRequires: true })).toBe('enrol')
    expect(secondFactorStep('password', { enabled: false, organizationRequires: false })).toBe('none')
  })
})

describe('sealed secrets', () => {
  const key = 'k'.repeat(40)
  it('open with the same secret, purpose and context, and with nothing else', () => {
    const sealed = seal(key, 'totp-secret', 'user-1', RFC_SECRET)
    expect(sealed).not.toContain(RFC_SECRET)
    expect(seal(key, 'totp-secret', 'user-1', RFC_SECRET)).not.toBe(sealed)
    expect(open(key, 'totp-secret', 'user-1', sealed)).toBe(RFC_SECRET)
    expect(open(key, 'totp-secret', 'user-2', sealed)).toBeNull()
    expect(open(key, 'other', 'user-1', sealed)).toBeNull()
    expect(open('j'.repeat(40), 'totp-secret', 'user-1', sealed)).toBeNull()
    const [v, nonce, body, tag] = sealed.split('.')
    const flipped = Buffer.from(body!, 'base64url')
    flipped[0]! ^= 1
    expect(open(key, 'totp-secret', 'user-1', [v, nonce, flipped.toString('base64url'), tag].join('.'))).toBeNull()
    expect(open(key, 'totp-secret', 'user-1', [v, nonce, body, tag!.slice(0, 6)].join('.'))).toBeNull()
    expect(open(key, 'totp-secret', 'user-1', 'garbage')).toBeNull()
  })
})
