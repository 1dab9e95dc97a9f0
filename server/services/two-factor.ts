// Two-factor sign-in: setting up an authenticator app, checking codes and recovery codes, pending
// sign-ins between the password and the code, and the organization's requirement. Secrets are sealed
// before they are stored (security/encryption.ts) and recovery codes are kept only as keyed hashes.
// Routes audit what happens here; this file knows nothing of HTTP.
import { randomBytes } from 'node:crypto'
import { Secret } from 'otpauth'
import type { Db } from '../../db/connect.js'
import {
  ACCOUNT_WINDOW_MS, accountLockedUntil, ENROL_MS, formatRecoveryCode, groupedSecret, isFreshStep, matchTotp,
  MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_SIGN_IN, otpauthUri, PENDING_SECRET_MS, readSecondFactor, RECOVERY_CODE_COUNT, secondFactorStep,
  VERIFY_MS, type SecondFactorStep, type SignInMethod,
} from '../domain/totp.js'
import {
  type Challenge, claimAccountAttempt, claimChallengeAttempt, clearAccountFailures, refundChallengeAttempt, countRecoveryCodesLeft, createChallenge, deleteChallenge,
  disableTwoFactor, enableTwoFactor, findChallenge, findTwoFactorAccount, organizationRequiresTwoFactor,
  recordAccountFailure, recordChallengeFailure, replaceRecoveryCodes, savePendingSecret, setOrganizationRequiresTwoFactor,
  type TwoFactorAccount, useRecoveryCode, useStep, endSessionsWithoutTwoFactor, findTwoFactorPerson, listTwoFactorPeople,
} from '../repositories/two-factor.js'
import { deleteSessionsOfUser } from '../repositories/credentials.js'
import { open, seal } from '../security/encryption.js'
import { verifyPassword } from '../security/passwords.js'
import { hashToken, isTokenShaped, randomToken } from '../security/tokens.js'

const SEAL_PURPOSE = 'totp-secret'

const sealSecret = (signingSecret: string, userId: string, secret: string) => seal(signingSecret, SEAL_PURPOSE, userId, secret)
const openSecret = (signingSecret: string, userId: string, sealed: string) => open(signingSecret, SEAL_PURPOSE, userId, sealed)
/**
 * A secret shown for setting up opens only for the browser it was shown to (its session or pending
 * sign-in), so someone who knows the password and opened the setup page elsewhere never learns the
 * secret the person then confirms.
 */
const setupContext = (userId: string, browserToken: string) => `${userId}:${hashToken(browserToken)}`
function openPendingSecret(signingSecret: string, account: TwoFactorAccount, browserToken: string, now: Date): string | null {
  if (!account.pendingSecret || !account.pendingAt || now.getTime() - account.pendingAt.getTime() >= PENDING_SECRET_MS) return null
  return open(signingSecret, SEAL_PURPOSE, setupContext(account.userId, browserToken), account.pendingSecret)
}
/**
 * Bound to the person. 80 random bits need no key or slow hash to resist a search of a leaked table,
 * and without a key the codes still work after SIGNING_SECRET changes (when the app's secret cannot).
 */
const recoveryHash = (userId: string, code: string) => hashToken(`recovery:${userId}:${code}`)

function newRecoveryCodes(userId: string) {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => formatRecoveryCode(randomBytes(10)))
  return { codes, hashes: codes.map((code) => recoveryHash(userId, code)) }
}

/** What a sign-in by `method` needs next for this person. */
export async function signInStep(db: Db, userId: string, method: SignInMethod): Promise<SecondFactorStep> {
  if (method === 'sso') return 'none'
  const account = await findTwoFactorAccount(db, userId)
  if (!account) return 'none'
  return secondFactorStep(method, { enabled: account.totpSecret !== null, organizationRequires: account.organizationRequires })
}

// -- pending sign-ins --

/** Starts a pending sign-in; the token goes into the browser's cookie and is good until expiresAt. */
export async function startPendingSignIn(db: Db, user: { id: string; organizationId: string }, purpose: 'verify' | 'enrol', next: string, now = new Date()) {
  const token = randomToken()
  const expiresAt = new Date(now.getTime() + (purpose === 'verify' ? VERIFY_MS : ENROL_MS))
  await createChallenge(db, { tokenHash: hashToken(token), userId: user.id, organizationId: user.organizationId, purpose, next, expiresAt }, now)
  return { token, expiresAt }
}

export async function findPendingSignIn(db: Db, token: string | undefined, now = new Date()): Promise<Challenge | undefined> {
  return isTokenShaped(token) ? findChallenge(db, hashToken(token), now) : undefined
}

/** Ends a pending sign-in; true only for the first caller, so one pending sign-in starts one session. */
export async function endPendingSignIn(db: Db, token: string, now?: Date): Promise<boolean> {
  return isTokenShaped(token) ? deleteChallenge(db, hashToken(token), now) : false
}

/** Counts a wrong code; after MAX_FAILURES_PER_SIGN_IN the pending sign-in is over and the person starts again. */
export async function failPendingSignIn(db: Db, token: string): Promise<{ startOver: boolean }> {
  const failures = await recordChallengeFailure(db, hashToken(token))
  if (failures < MAX_FAILURES_PER_SIGN_IN) return { startOver: false }
  await deleteChallenge(db, hashToken(token))
  return { startOver: true }
}

/**
 * Takes one of the pending sign-in's tries before its code is checked, so codes sent at once cannot
 * get more tries than MAX_FAILURES_PER_SIGN_IN. `allowed` is false once they are used up; `last`
 * when this is the final one (a wrong code then ends the pending sign-in).
 */
export async function claimPendingAttempt(db: Db, token: string): Promise<{ allowed: boolean; last: boolean }> {
  const count = await claimChallengeAttempt(db, hashToken(token), MAX_FAILURES_PER_SIGN_IN)
  return { allowed: count !== null, last: count !== null && count >= MAX_FAILURES_PER_SIGN_IN }
}

/** Gives back a try that checked no code. */
export async function refundPendingAttempt(db: Db, token: string): Promise<void> {
  await refundChallengeAttempt(db, hashToken(token))
}

// -- codes --

export type CodeCheck =
  | { ok: true; via: 'totp' | 'recovery'; recoveryCodesLeft: number }
  | { ok: false; reason: 'invalid' | 'wrong' | 'reused' | 'locked'; lockedUntil?: Date }

async function checkAccountCode(db: Db, signingSecret: string, account: TwoFactorAccount, value: unknown, allowRecovery: boolean, now: Date): Promise<CodeCheck> {
  const lockedUntil = accountLockedUntil(account.failures, account.failedAt, now)
  if (lockedUntil) return { ok: false, reason: 'locked', lockedUntil }
  const input = readSecondFactor(value)
  if (input.kind === 'invalid' || (input.kind === 'recovery' && !allowRecovery)) return { ok: false, reason: 'invalid' }
  // Counted before the check (and cleared after a right one), so codes sent at once cannot all pass the lock.
  if (!(await claimAccountAttempt(db, account.userId, now, ACCOUNT_WINDOW_MS, MAX_FAILURES_PER_ACCOUNT))) {
    return { ok: false, reason: 'locked', lockedUntil: new Date(now.getTime() + ACCOUNT_WINDOW_MS) }
  }
  const secret = account.totpSecret && openSecret(signingSecret, account.userId, account.totpSecret)
  let result: CodeCheck = { ok: false, reason: 'wrong' }
  if (secret && input.kind === 'totp') {
    const step = matchTotp(secret, input.code, now.getTime())
    if (step !== null) {
      // isFreshStep answers from what was read; useStep decides for certain, in one statement.
      result = isFreshStep(step, account.lastStep) && (await useStep(db, account.userId, step))
        ? { ok: true, via: 'totp', recoveryCodesLeft: -1 }
        : { ok: false, reason: 'reused' }
    }
  } else if (input.kind === 'recovery' && (await useRecoveryCode(db, account.userId, recoveryHash(account.userId, input.code), now))) {
    result = { ok: true, via: 'recovery', recoveryCodesLeft: -1 }
  }
  if (!result.ok) return result
  await clearAccountFailures(db, account.userId)
  return { ...result, recoveryCodesLeft: await countRecoveryCodesLeft(db, account.userId) }
}

/** Checks a code from the app (or, where allowed, a recovery code) of a person with two-factor on. */
export async function checkSecondFactor(db: Db, signingSecret: string, userId: string, value: unknown, options: { allowRecovery: boolean }, now = new Date()): Promise<CodeCheck> {
  const account = await findTwoFactorAccount(db, userId)
  if (!account || account.totpSecret === null) return { ok: false, reason: 'wrong' }
  return checkAccountCode(db, signingSecret, account, value, options.allowRecovery, now)
}

/** The words for a refused code, next to the field. */
export function codeProblem(check: Exclude<CodeCheck, { ok: true }>, allowRecovery: boolean): string {
  switch (check.reason) {
    case 'invalid': return allowRecovery
      ? 'Enter the 6-digit code from your authenticator app, or one of your recovery codes.'
      : 'Enter the 6-digit code from your authenticator app.'
    case 'reused': return 'That code has been used already. Wait for the next code in your app and enter it.'
    case 'locked': return `Too many wrong codes for this account. Try again after ${check.lockedUntil!.toISOString().slice(11, 16)} UTC.`
    default: return 'That code is not right. Check the time on your phone and enter the code your app shows now.'
  }
}

// -- setting up and turning off --

export interface TwoFactorStatus {
  enabled: boolean
  enabledAt: Date | null
  recoveryCodesLeft: number
  organizationRequires: boolean
}

export async function twoFactorStatus(db: Db, userId: string): Promise<TwoFactorStatus> {
  const account = await findTwoFactorAccount(db, userId)
  if (!account) throw new Error('no such user')
  return {
    enabled: account.totpSecret !== null, enabledAt: account.enabledAt,
    recoveryCodesLeft: account.totpSecret ? await countRecoveryCodesLeft(db, userId) : 0,
    organizationRequires: account.organizationRequires,
  }
}

export interface Enrolment { secret: string; grouped: string; uri: string }

/**
 * The secret to set up an app with: kept server-side until confirmed, the same one for a while in
 * this browser (`browserToken`: its session or pending sign-in) so that reloading the page does not
 * undo a scan; another browser gets a new one. Null when two-factor is on already.
 */
export async function enrolment(db: Db, signingSecret: string, userId: string, browserToken: string, now = new Date()): Promise<Enrolment | null> {
  const account = await findTwoFactorAccount(db, userId)
  if (!account || account.totpSecret !== null) return null
  let secret = openPendingSecret(signingSecret, account, browserToken, now)
  if (!secret) {
    secret = new Secret({ size: 20 }).base32
    await savePendingSecret(db, userId, seal(signingSecret, SEAL_PURPOSE, setupContext(userId, browserToken), secret), now)
  }
  return { secret, grouped: groupedSecret(secret), uri: otpauthUri(secret, account.organizationName, account.email) }
}

export type Confirmed = { ok: true; recoveryCodes: string[] } | { ok: false; problem: string }

/** Turns two-factor on once the person proves their app shows the pending secret's code. */
export async function confirmEnrolment(db: Db, signingSecret: string, userId: string, browserToken: string, value: unknown, now = new Date()): Promise<Confirmed> {
  const account = await findTwoFactorAccount(db, userId)
  if (!account) throw new Error('no such user')
  if (account.totpSecret !== null) return { ok: false, problem: 'Two-factor sign-in is on already.' }
  const lockedUntil = accountLockedUntil(account.failures, account.failedAt, now)
  if (lockedUntil) return { ok: false, problem: codeProblem({ ok: false, reason: 'locked', lockedUntil }, false) }
  const input = readSecondFactor(value)
  if (input.kind !== 'totp') return { ok: false, problem: codeProblem({ ok: false, reason: 'invalid' }, false) }
  const secret = openPendingSecret(signingSecret, account, browserToken, now)
  if (!secret) return { ok: false, problem: 'This setup has expired. Scan the new QR code below and enter its code.' }
  const step = matchTotp(secret, input.code, now.getTime())
  if (step === null) {
    await recordAccountFailure(db, userId, now, ACCOUNT_WINDOW_MS)
    return { ok: false, problem: codeProblem({ ok: false, reason: 'wrong' }, false) }
  }
  const { codes, hashes } = newRecoveryCodes(userId)
  const enabled = await enableTwoFactor(db, userId, { pending: account.pendingSecret!, sealed: sealSecret(signingSecret, userId, secret), step, codeHashes: hashes }, now)
  if (!enabled) return { ok: false, problem: 'This setup changed in another window. Scan the QR code below again and enter its code.' }
  return { ok: true, recoveryCodes: codes }
}

/** New recovery codes replace the old ones; a current code from the app is required. */
export async function regenerateRecoveryCodes(db: Db, signingSecret: string, userId: string, value: unknown, now = new Date()): Promise<Confirmed> {
  const check = await checkSecondFactor(db, signingSecret, userId, value, { allowRecovery: false }, now)
  if (!check.ok) return { ok: false, problem: codeProblem(check, false) }
  const { codes, hashes } = newRecoveryCodes(userId)
  await replaceRecoveryCodes(db, userId, hashes)
  return { ok: true, recoveryCodes: codes }
}

export type TurnedOff = { ok: true } | { ok: false; status: 409 | 422; errors: Record<string, string> }

/** Turns two-factor off: the password and a current code are both required, and not while the organization requires it. */
export async function turnOffTwoFactor(db: Db, signingSecret: string, userId: string, form: { password: unknown; code: unknown }, now = new Date()): Promise<TurnedOff> {
  const account = await findTwoFactorAccount(db, userId)
  if (!account) throw new Error('no such user')
  if (account.organizationRequires) {
    return { ok: false, status: 409, errors: { code: 'Your organization requires two-factor sign-in, so it cannot be turned off.' } }
  }
  if (account.totpSecret === null) return { ok: true }
  const errors: Record<string, string> = {}
  const password = typeof form.password === 'string' && form.password.length <= 1024 ? form.password : ''
  if (!password || !(await verifyPassword(password, account.passwordHash))) errors.password = 'That is not your current password.'
  // The code is checked even after a wrong password, so the answer does not tell which one was right first.
  const check = await checkAccountCode(db, signingSecret, account, form.code, false, now)
  if (!check.ok) errors.code = codeProblem(check, false)
  if (Object.keys(errors).length > 0) return { ok: false, status: 422, errors }
  await disableTwoFactor(db, userId)
  return { ok: true }
}

// -- the organization's requirement --

/** The requirement, and who in the organization has two-factor on. */
export async function organizationTwoFactor(db: Db, organizationId: string) {
  const required = await organizationRequiresTwoFactor(db, organizationId)
  const people = await listTwoFactorPeople(db, organizationId)
  return { required, people, enabled: people.filter((person) => person.enabledAt !== null).length, total: people.length }
}

/**
 * Sets the requirement. Turning it on signs out everyone without two-factor but the owner who
 * asked, so each of them meets it at their next sign-in. Whether it changed, and how many sessions ended.
 */
export async function setOrganizationTwoFactor(db: Db, organizationId: string, required: boolean, ownerId: string) {
  const before = await organizationRequiresTwoFactor(db, organizationId)
  if (before === required) return { changed: false, sessionsEnded: 0 }
  await setOrganizationRequiresTwoFactor(db, organizationId, required)
  return { changed: true, sessionsEnded: required ? await endSessionsWithoutTwoFactor(db, organizationId, ownerId) : 0 }
}

/**
 * An owner turns off a colleague's two-factor (a lost phone, and the recovery codes with it) and
 * signs them out; when the organization requires it, they set it up again at their next sign-in.
 * The person, or undefined when they are not of this organization, are the owner, or have it off.
 */
export async function resetPersonTwoFactor(db: Db, organizationId: string, personId: string, ownerId: string) {
  const person = await findTwoFactorPerson(db, organizationId, personId)
  if (!person || person.id === ownerId || person.enabledAt === null) return undefined
  await disableTwoFactor(db, person.id)
  await deleteSessionsOfUser(db, person.id)
  return person
}
