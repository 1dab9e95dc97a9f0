// Two-factor sign-in pages: the code asked for after the password (/login/two-factor), setting up an
// app when the organization requires it before the first session (/login/two-factor/setup), the
// person's own settings (/account/two-factor: turn on, new recovery codes, turn off) and the owners'
// requirement for the organization (/settings/security).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import QRCode from 'qrcode'
import { HttpError, notFound } from '../../http-error.js'
import { audit, auditAs } from '../../services/audit.js'
import { changeOrganizationSettings, onlyOwnersSignIn } from '../../services/organization-settings.js'
import {
  checkSecondFactor, claimPendingAttempt, codeProblem, refundPendingAttempt, confirmEnrolment, endPendingSignIn, enrolment, failPendingSignIn, findPendingSignIn,
  organizationTwoFactor, regenerateRecoveryCodes, resetPersonTwoFactor, turnOffTwoFactor, twoFactorStatus, type Enrolment,
} from '../../services/two-factor.js'
import type { Challenge } from '../../repositories/two-factor.js'
import { clearPendingCookie, ENROL_PATH, pendingCookie, startSession, VERIFY_PATH } from '../sign-in.js'
import { cookieName } from '../../plugins/security.js'

type Form = Record<string, unknown>
type Errors = Record<string, string>

/** The submitted fields; none for a request without a body (the CSRF token can come in a header) or with a JSON null, array or string. */
const fields = (request: FastifyRequest): Form => (request.body !== null && typeof request.body === 'object' && !Array.isArray(request.body) ? request.body : {}) as Form

const ACCOUNT_PATH = '/account/two-factor'
const SECURITY_PATH = '/settings/security'

/** The QR code as a data: URL (the page's CSP allows images from data:), so no second request carries the secret. */
const qrCode = (uri: string) => QRCode.toDataURL(uri, { margin: 2, errorCorrectionLevel: 'M', width: 240 })

/** Pages that show a secret or recovery codes are kept out of every cache, the browser's included. */
const secretPage = (reply: FastifyReply) => reply.header('cache-control', 'no-store')

export default async function twoFactorPages(app: FastifyInstance) {
  const secret = app.config.signingSecret
  const tooMany = (check: { reason: string }) => check.reason === 'locked'
  const sessionCookie = cookieName(app.config, 'sg_session')
  /** The session of a signed-in browser: a setup secret is shown to, and confirmed from, that browser only. */
  const sessionToken = (request: FastifyRequest) => request.cookies[sessionCookie] ?? ''

  // -- after the password: the pending sign-in --

  const pending = (request: FastifyRequest) => findPendingSignIn(app.db, request.cookies[pendingCookie(app)])

  /** The page for a pending sign-in that is missing, expired, used or given up: sign in again. */
  function signInAgain(reply: FastifyReply, status: number, reason: string) {
    clearPendingCookie(app, reply)
    return reply.code(status).page('login-two-factor', { title: 'Sign in again', expired: true, reason, errors: {} })
  }
  const EXPIRED = 'This sign-in has expired or was finished already. Sign in with your email and password again.'
  const TOO_MANY = 'Too many wrong codes. Sign in with your email and password again.'

  async function refused(request: FastifyRequest, challenge: Challenge, reason: string) {
    await auditAs(app.db, request, { organizationId: challenge.organizationId, userId: challenge.userId, email: challenge.email }, 'two_factor_failed', { detail: { reason } })
  }

  app.get(VERIFY_PATH, { config: { access: 'public' } }, async (request, reply) => {
    const challenge = await pending(request)
    if (challenge?.purpose === 'enrol') return reply.redirect(ENROL_PATH, 303)
    if (!challenge) return signInAgain(reply, 200, EXPIRED)
    return reply.page('login-two-factor', { title: 'Enter your code', expired: false, errors: {} })
  })

  app.post(VERIFY_PATH, { config: { access: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } } }, async (request, reply) => {
    const token = request.cookies[pendingCookie(app)]
    const challenge = await pending(request)
    if (!token || challenge?.purpose !== 'verify') return signInAgain(reply, 410, EXPIRED)
    // The try is taken before the code is checked, so codes sent at once get no more tries than one by one.
    const attempt = await claimPendingAttempt(app.db, token)
    if (!attempt.allowed) return signInAgain(reply, 429, TOO_MANY)
    const check = await checkSecondFactor(app.db, secret, challenge.userId, fields(request).code, { allowRecovery: true })
    if (!check.ok) {
      if (check.reason !== 'invalid') await refused(request, challenge, check.reason)
      if (check.reason === 'wrong' || check.reason === 'reused') {
        if (attempt.last) {
          await endPendingSignIn(app.db, token)
          return signInAgain(reply, 429, TOO_MANY)
        }
      } else await refundPendingAttempt(app.db, token)
      return reply.code(tooMany(check) ? 429 : 422).page('login-two-factor', { title: 'Enter your code', expired: false, errors: { code: codeProblem(check, true) } })
    }
    if (!(await endPendingSignIn(app.db, token, new Date()))) return signInAgain(reply, 410, EXPIRED)
    const user = { id: challenge.userId, organizationId: challenge.organizationId, email: challenge.email }
    if (check.via === 'recovery') {
      await auditAs(app.db, request, { organizationId: user.organizationId, userId: user.id, email: user.email }, 'recovery_code_used', { detail: { left: check.recoveryCodesLeft } })
    }
    clearPendingCookie(app, reply)
    await startSession(app, request, reply, user, 'password')
    // Someone who needed a recovery code has probably lost their phone: show them how many are left.
    return reply.redirect(check.via === 'recovery' ? `${ACCOUNT_PATH}?recovery=used` : challenge.next, 303)
  })

  async function setupPage(reply: FastifyReply, userId: string, browserToken: string, action: string, status = 200, errors: Errors = {}, forced = false) {
    const found = await enrolment(app.db, secret, userId, browserToken)
    if (!found) return null
    return secretPage(reply).code(status).page('two-factor-enrol', { title: 'Set up two-factor sign-in', action, enrolment: found, qr: await qrCode(found.uri), errors, forced })
  }

  app.get(ENROL_PATH, { config: { access: 'public' } }, async (request, reply) => {
    const challenge = await pending(request)
    if (challenge?.purpose === 'verify') return reply.redirect(VERIFY_PATH, 303)
    if (!challenge) return signInAgain(reply, 200, EXPIRED)
    return (await setupPage(reply, challenge.userId, request.cookies[pendingCookie(app)]!, ENROL_PATH, 200, {}, true)) ?? signInAgain(reply, 200, EXPIRED)
  })

  app.post(ENROL_PATH, { config: { access: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } } }, async (request, reply) => {
    const token = request.cookies[pendingCookie(app)]
    const challenge = await pending(request)
    if (!token || challenge?.purpose !== 'enrol') return signInAgain(reply, 410, EXPIRED)
    const confirmed = await confirmEnrolment(app.db, secret, challenge.userId, token, fields(request).code)
    if (!confirmed.ok) {
      const { startOver } = await failPendingSignIn(app.db, token)
      if (startOver) return signInAgain(reply, 429, TOO_MANY)
      return (await setupPage(reply, challenge.userId, token, ENROL_PATH, 422, { code: confirmed.problem }, true)) ?? signInAgain(reply, 410, EXPIRED)
    }
    const user = { id: challenge.userId, organizationId: challenge.organizationId, email: challenge.email }
    await auditAs(app.db, request, { organizationId: user.organizationId, userId: user.id, email: user.email }, 'two_factor_enabled')
    if (!(await endPendingSignIn(app.db, token))) return signInAgain(reply, 410, EXPIRED)
    clearPendingCookie(app, reply)
    await startSession(app, request, reply, user, 'password')
    return secretPage(reply).page('two-factor-codes', { title: 'Your recovery codes', codes: confirmed.recoveryCodes, next: challenge.next, enabled: true })
  })

  // -- the person's own settings --

  async function accountPage(request: FastifyRequest, reply: FastifyReply, status = 200, errors: Errors = {}) {
    const userId = request.principal!.userId
    const state = await twoFactorStatus(app.db, userId)
    const query = request.query as Form
    const notice = 'off' in query ? 'Two-factor sign-in is off.' : 'recovery' in query && state.enabled
      ? `You signed in with a recovery code. ${state.recoveryCodesLeft} of them ${state.recoveryCodesLeft === 1 ? 'is' : 'are'} left: make new ones if you lost your phone.`
      : null
    if (!state.enabled) {
      const found = (await enrolment(app.db, secret, userId, sessionToken(request))) as Enrolment
      return secretPage(reply).code(status).page('two-factor-enrol', { title: 'Two-factor sign-in', action: ACCOUNT_PATH, enrolment: found, qr: await qrCode(found.uri), errors, forced: false, notice, state })
    }
    return reply.code(status).page('two-factor', { title: 'Two-factor sign-in', state, errors, notice })
  }

  app.get(ACCOUNT_PATH, { config: { access: 'read' } }, async (request, reply) => accountPage(request, reply))

  app.post(ACCOUNT_PATH, { config: { access: 'read' } }, async (request, reply) => {
    // A second tab that turned it on first: this one just shows the state.
    if ((await twoFactorStatus(app.db, request.principal!.userId)).enabled) return reply.redirect(ACCOUNT_PATH, 303)
    const confirmed = await confirmEnrolment(app.db, secret, request.principal!.userId, sessionToken(request), fields(request).code)
    if (!confirmed.ok) return accountPage(request, reply, 422, { code: confirmed.problem })
    await audit(app.db, request, 'two_factor_enabled')
    return secretPage(reply).page('two-factor-codes', { title: 'Your recovery codes', codes: confirmed.recoveryCodes, next: ACCOUNT_PATH, enabled: true })
  })

  app.post(`${ACCOUNT_PATH}/recovery-codes`, { config: { access: 'read' } }, async (request, reply) => {
    const renewed = await regenerateRecoveryCodes(app.db, secret, request.principal!.userId, fields(request).regenerateCode)
    if (!renewed.ok) return accountPage(request, reply, 422, { regenerateCode: renewed.problem })
    return secretPage(reply).page('two-factor-codes', { title: 'Your new recovery codes', codes: renewed.recoveryCodes, next: ACCOUNT_PATH, enabled: false })
  })

  app.post(`${ACCOUNT_PATH}/disable`, { config: { access: 'read' } }, async (request, reply) => {
    const body = fields(request)
    const result = await turnOffTwoFactor(app.db, secret, request.principal!.userId, { password: body.password, code: body.disableCode })
    if (!result.ok) {
      if (result.errors.code && result.status === 422) await audit(app.db, request, 'two_factor_failed', { detail: { reason: 'turn_off' } })
      const errors: Errors = { ...(result.errors.password ? { password: result.errors.password } : {}), ...(result.errors.code ? { disableCode: result.errors.code } : {}) }
      return accountPage(request, reply, result.status, errors)
    }
    await audit(app.db, request, 'two_factor_disabled')
    return reply.redirect(`${ACCOUNT_PATH}?off`, 303)
  })

  // -- the organization's requirement --

  async function securityPage(request: FastifyRequest, reply: FastifyReply, status = 200, errors: Errors = {}) {
    const principal = request.principal!
    const state = await organizationTwoFactor(app.db, principal.organizationId)
    const query = request.query as Form
    const notice = 'saved' in query ? 'Saved.' : typeof query.reset === 'string' ? 'Two-factor sign-in was reset; that person is signed out.' : null
    return reply.code(status).page('two-factor-security', {
      title: 'Sign-in security', state, errors, notice, canChange: principal.role === 'owner', me: principal.userId,
    })
  }

  const ownersOnly = (request: FastifyRequest) => {
    if (request.principal!.role !== 'owner') throw onlyOwnersSignIn()
  }

  app.get(SECURITY_PATH, { config: { access: 'manage_settings' } }, async (request, reply) => securityPage(request, reply))

  app.post(SECURITY_PATH, { config: { access: 'manage_settings' } }, async (request, reply) => {
    ownersOnly(request)
    const value = fields(request).requireTwoFactor
    if (value !== undefined && value !== 'on') return securityPage(request, reply, 422, { requireTwoFactor: 'Tick the box, or leave it empty.' })
    await changeOrganizationSettings(app.db, { principal: request.principal!, ip: request.ip }, { requireTwoFactor: value === 'on' })
    return reply.redirect(`${SECURITY_PATH}?saved`, 303)
  })

  app.post<{ Params: { id: string } }>(`${SECURITY_PATH}/people/:id/reset`, { config: { access: 'manage_settings' } }, async (request, reply) => {
    ownersOnly(request)
    const person = await findResettable(request)
    await resetPersonTwoFactor(app.db, request.principal!.organizationId, person.id, request.principal!.userId)
    await audit(app.db, request, 'two_factor_disabled', { target: `person ${person.email}`, detail: { reset: true } })
    return reply.redirect(`${SECURITY_PATH}?reset`, 303)
  })

  /** Another person of this organization with two-factor on; 404 for anyone else (another organization's people included). */
  async function findResettable(request: FastifyRequest<{ Params: { id: string } }>) {
    const state = await organizationTwoFactor(app.db, request.principal!.organizationId)
    const person = state.people.find((p) => p.id === request.params.id)
    if (!person) throw notFound('This person')
    if (person.id === request.principal!.userId || person.enabledAt === null) {
      throw new HttpError(409, 'nothing_to_reset', person.enabledAt === null ? 'This person does not have two-factor sign-in on.' : 'Turn off your own two-factor sign-in on your account page.')
    }
    return person
  }
}
