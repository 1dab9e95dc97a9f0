// Passwords of a person's own account: signing in with one (limited per account), changing it,
// and resetting a forgotten one by a single-use link sent by email or printed by the admin CLI.
import { randomUUID } from 'node:crypto'
import type { Db } from '../../db/connect.js'
import { checkPasswordChange, checkPersonName, type FieldErrors } from '../domain/inputs.js'
import { queueAccountMail } from '../repositories/account-mails.js'
import {
  endSessionsOf, findAccount, findAccountByEmail, setAccountName, setPasswordHash, type Account,
} from '../repositories/accounts.js'
import { atomically } from '../repositories/atomically.js'
import {
  consumeReset, countResetsSince, createPasswordReset, findUsableReset, retireResetsOf, type UsableReset,
} from '../repositories/password-resets.js'
import {
  clearThrottleEvents, pruneThrottleEvents, recentThrottleEvents, recordThrottleEvent, type ThrottleScope,
} from '../repositories/sign-in-throttle.js'
import { hashPassword, verifyAgainstNobody, verifyPassword } from '../security/passwords.js'
import { accountToken, hashToken, isTokenShaped } from '../security/tokens.js'
import { auditAs, type Caller } from './audit.js'
import { passwordRefusal } from './sso.js'

const MINUTE_MS = 60 * 1000
/** A reset link works this long. */
export const RESET_MINUTES = 30
/** After this many failed sign-ins within the window, an account (or an unknown address) is refused for a while. */
export const SIGN_IN_FAILURES = 10
export const SIGN_IN_WINDOW_MS = 15 * MINUTE_MS
/** At most this many reset mails per address, and per account, within the window. */
export const RESETS_PER_WINDOW = 3
export const RESET_WINDOW_MS = 60 * MINUTE_MS
/** Matches no account: unknown addresses run the same queries as known ones. */
const NOBODY = '00000000-0000-0000-0000-000000000000'

/** The throttle key of an address: a hash, so the table holds no email and unknown addresses count too. */
const keyOf = (scope: ThrottleScope, email: string) => hashToken(`${scope}:${email}`)
const minutesUntil = (at: number, now: number) => Math.max(1, Math.ceil((at - now) / MINUTE_MS))

export type SignInCheck =
  | { ok: true; account: Account }
  | { ok: false; reason: 'wrong' }
  | { ok: false; reason: 'throttled'; minutes: number }

/** How long an address is still refused, or null when it may try. */
async function throttledFor(db: Db, email: string, now: Date): Promise<number | null> {
  const recent = await recentThrottleEvents(db, 'sign_in', keyOf('sign_in', email), new Date(now.getTime() - SIGN_IN_WINDOW_MS), SIGN_IN_FAILURES)
  if (recent.length < SIGN_IN_FAILURES) return null
  // Free again once the oldest of the last SIGN_IN_FAILURES failures leaves the window.
  return minutesUntil(recent[SIGN_IN_FAILURES - 1]!.getTime() + SIGN_IN_WINDOW_MS, now.getTime())
}

async function countFailure(db: Db, email: string, now: Date): Promise<void> {
  await recordThrottleEvent(db, 'sign_in', keyOf('sign_in', email), now)
  await pruneThrottleEvents(db, new Date(now.getTime() - Math.max(SIGN_IN_WINDOW_MS, RESET_WINDOW_MS)))
}

/**
 * Checks an email (normalized; '' when none usable was typed) and password. Failures count per
 * address in the database, known or not, so guesses spread over many client addresses still run out;
 * a throttled address is refused before any hashing, with the same answer whether it has an account.
 */
export async function checkSignIn(db: Db, caller: Caller, email: string, password: string, now = new Date()): Promise<SignInCheck> {
  if (email === '') {
    await verifyAgainstNobody(password)
    return { ok: false, reason: 'wrong' }
  }
  const minutes = await throttledFor(db, email, now)
  const account = await findAccountByEmail(db, email)
  if (minutes !== null) {
    if (account) await auditAs(db, caller, actorOf(account), 'sign_in_failed', { detail: { reason: 'throttled' } })
    return { ok: false, reason: 'throttled', minutes }
  }
  const ok = account ? await verifyPassword(password, account.passwordHash) : await verifyAgainstNobody(password)
  if (account && ok) {
    await clearThrottleEvents(db, 'sign_in', keyOf('sign_in', email))
    return { ok: true, account }
  }
  await countFailure(db, email, now)
  if (account) await auditAs(db, caller, actorOf(account), 'sign_in_failed', { detail: { reason: 'password' } })
  return { ok: false, reason: 'wrong' }
}

const actorOf = (account: Pick<Account, 'id' | 'organizationId' | 'email'>) =>
  ({ organizationId: account.organizationId, userId: account.id, email: account.email })
const contextOf = (account: { email: string; name: string; organizationName: string }) =>
  ({ email: account.email, name: account.name, organization: account.organizationName })

/** What a signed-in person's account page needs; the caller must carry a principal. */
export async function ownAccount(db: Db, caller: Caller): Promise<Account> {
  const { organizationId, userId } = caller.principal!
  const account = await findAccount(db, organizationId, userId)
  if (!account) throw new Error('the signed-in account no longer exists')
  return account
}

export async function changeName(db: Db, caller: Caller, input: unknown): Promise<{ ok: true } | { ok: false; errors: FieldErrors }> {
  const checked = checkPersonName(input)
  if (!checked.ok) return checked
  const account = await ownAccount(db, caller)
  await atomically(db, async (trx) => {
    await setAccountName(trx, account.id, checked.value)
    await auditAs(trx, caller, actorOf(account), 'name_changed')
  })
  return { ok: true }
}

/**
 * Changes the caller's password when the current one is right and the new one passes the rules.
 * Every other session of the person ends (the one in `keepSession` stays), and so do unused reset
 * links. A wrong current password counts as a failed sign-in of the account.
 */
export async function changePassword(
  db: Db, caller: Caller, input: Record<string, unknown>, keepSession: string | null, now = new Date(),
): Promise<{ ok: true } | { ok: false; errors: FieldErrors }> {
  const account = await ownAccount(db, caller)
  const checked = checkPasswordChange(input, contextOf(account))
  if (!checked.ok) return checked
  const minutes = await throttledFor(db, account.email, now)
  if (minutes !== null) return { ok: false, errors: { current: `Too many wrong passwords. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.` } }
  if (!(await verifyPassword(checked.value.current, account.passwordHash))) {
    await countFailure(db, account.email, now)
    return { ok: false, errors: { current: 'That is not your current password.' } }
  }
  const passwordHash = await hashPassword(checked.value.password)
  await atomically(db, async (trx) => {
    await setPasswordHash(trx, account.id, passwordHash)
    const ended = await endSessionsOf(trx, account.id, keepSession)
    await retireResetsOf(trx, account.id)
    await auditAs(trx, caller, actorOf(account), 'password_changed', { detail: { otherSessionsEnded: ended } })
  })
  return { ok: true }
}

export async function signOutOtherSessions(db: Db, caller: Caller, keepSession: string | null): Promise<number> {
  const account = await ownAccount(db, caller)
  return atomically(db, async (trx) => {
    const ended = await endSessionsOf(trx, account.id, keepSession)
    await auditAs(trx, caller, actorOf(account), 'sign_out_others', { detail: { sessionsEnded: ended } })
    return ended
  })
}

/** Makes a reset for an account and returns its token (to mail or print); retires older links. */
async function makeReset(trx: Db, account: Account, secret: string, now: Date): Promise<{ id: string; token: string }> {
  const id = randomUUID()
  const token = accountToken(secret, 'password_reset', id)
  await createPasswordReset(trx, {
    id, organizationId: account.organizationId, userId: account.id, tokenHash: hashToken(token),
    expiresAt: new Date(now.getTime() + RESET_MINUTES * MINUTE_MS),
  })
  return { id, token }
}

/**
 * "Forgot password" for a normalized address. The caller answers the same whatever happens here:
 * a mail is queued only when the address has an account that may use a password (see
 * passwordRefusal: not one of single sign-on only) and neither the address nor the account
 * has had RESETS_PER_WINDOW requests in the last hour. Unknown addresses run the same queries
 * (against an id that matches nothing), so timing tells little either.
 */
export async function requestPasswordReset(db: Db, caller: Caller, email: string, secret: string, now = new Date()): Promise<void> {
  const since = new Date(now.getTime() - RESET_WINDOW_MS)
  const key = keyOf('password_reset', email)
  await atomically(db, async (trx) => {
    const recent = await recentThrottleEvents(trx, 'password_reset', key, since, RESETS_PER_WINDOW)
    await recordThrottleEvent(trx, 'password_reset', key, now)
    await pruneThrottleEvents(trx, new Date(now.getTime() - Math.max(SIGN_IN_WINDOW_MS, RESET_WINDOW_MS)))
    const account = await findAccountByEmail(trx, email)
    const forAccount = await countResetsSince(trx, account?.id ?? NOBODY, since)
    if (!account || recent.length >= RESETS_PER_WINDOW || forAccount >= RESETS_PER_WINDOW) return
    // No password for an account that may not use one (single sign-on only, or required): it would
    // keep the person in after their provider removed them.
    if (await passwordRefusal(trx, account)) return
    const { id } = await makeReset(trx, account, secret, now)
    await queueAccountMail(trx, {
      organizationId: account.organizationId, kind: 'password_reset', refId: id, recipient: account.email,
      params: { organization: account.organizationName, minutes: String(RESET_MINUTES) },
    })
    await auditAs(trx, caller, actorOf(account), 'password_reset_requested')
  })
}

/**
 * For the admin CLI: a reset link for an account, printed instead of mailed (for an owner locked
 * out, whose mail may not work). Returns null when the address has no account.
 */
export async function resetLinkFor(db: Db, email: string, config: { secret: string; publicUrl: string; resetPath: string }): Promise<string | null> {
  return atomically(db, async (trx) => {
    const account = await findAccountByEmail(trx, email)
    if (!account) return null
    const { token } = await makeReset(trx, account, config.secret, new Date())
    await auditAs(trx, { principal: null, ip: '' }, actorOf(account), 'password_reset_requested', { detail: { via: 'admin command' } })
    return `${config.publicUrl}${config.resetPath}/${token}`
  })
}

/** The reset a link's token stands for, while it is unused and unexpired. */
export async function findReset(db: Db, token: unknown): Promise<UsableReset | undefined> {
  return isTokenShaped(token) ? findUsableReset(db, hashToken(token)) : undefined
}

export const resetContext = (reset: UsableReset) => contextOf(reset)

/**
 * Sets a new (already checked) password through a reset: uses the link up, retires any other, ends
 * every session of the person and clears their failed sign-ins. False when the link was used or
 * expired meanwhile.
 */
export async function resetPassword(db: Db, caller: Caller, reset: UsableReset, password: string): Promise<boolean> {
  const passwordHash = await hashPassword(password)
  return atomically(db, async (trx) => {
    if (!(await consumeReset(trx, reset.id))) return false
    await setPasswordHash(trx, reset.userId, passwordHash)
    await retireResetsOf(trx, reset.userId)
    const ended = await endSessionsOf(trx, reset.userId, null)
    await clearThrottleEvents(trx, 'sign_in', keyOf('sign_in', reset.email))
    await auditAs(trx, caller, { organizationId: reset.organizationId, userId: reset.userId, email: reset.email }, 'password_reset', { detail: { sessionsEnded: ended } })
    return true
  })
}
