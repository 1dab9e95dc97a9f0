// First-run setup, sign-in and sign-out, and the signed-in person's own account page.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { checkSetup, emailField, type FieldErrors } from '../../domain/inputs.js'
import { createOrganizationWithOwner, findUserByEmail } from '../../repositories/organizations.js'
import { verifyAgainstNobody } from '../../security/passwords.js'
import { countSessionsOf } from '../../repositories/accounts.js'
import { safeNext } from '../../plugins/auth.js'
import { cookieName } from '../../plugins/security.js'
import { changeName, changePassword, checkSignIn, ownAccount, signOutOtherSessions } from '../../services/passwords.js'
import { finishSignIn } from '../sign-in.js'
import { passwordRefusal } from '../../services/sso.js'

type Form = Record<string, unknown>

/** What was typed into a text field, for showing it again: '' for anything but one string. */
const typed = (value: unknown, max = 320) => (typeof value === 'string' ? value.trim().slice(0, max) : '')

const NOTICES: Record<string, string> = {
  name: 'Your name has been saved.',
  password: 'Your password has been changed. Every other session of your account has been signed out.',
  sessions: 'Every other session of your account has been signed out.',
}

export default async function accountPages(app: FastifyInstance) {
  app.get('/', { config: { access: 'read' } }, async (_request, reply) => reply.redirect('/waves', 303))

  app.get('/setup', { config: { access: 'public' } }, async (_request, reply) => {
    if (!(await app.needsSetup())) return reply.redirect('/login', 303)
    return reply.page('setup', { title: 'Set up Service Gap', values: {}, errors: {} })
  })

  app.post('/setup', { config: { access: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } } }, async (request, reply) => {
    if (!(await app.needsSetup())) return reply.redirect('/login', 303)
    const form = request.body as Form
    const checked = checkSetup(form)
    if (!checked.ok) {
      return reply.code(422).page('setup', { title: 'Set up Service Gap', values: { ...form, password: '', confirm: '' }, errors: checked.errors })
    }
    const { organization, name, email, password } = checked.value
    const { organizationId, userId } = await createOrganizationWithOwner(app.db, { name: organization, email, password, ownerName: name })
    // The first owner's sign-in goes the way of every other, so the audit log starts with it.
    return finishSignIn(app, request, reply, { id: userId, organizationId, email }, '/waves/new', 'password')
  })

  const loginPage = (reply: FastifyReply, status: number, data: { values?: Form; errors?: FieldErrors; error?: string | null; notice?: string | null; next: string }) =>
    reply.code(status).page('login', { title: 'Sign in', values: {}, errors: {}, error: null, notice: null, ...data })

  app.get('/login', { config: { access: 'public' } }, async (request, reply) => {
    if (await app.needsSetup()) return reply.redirect('/setup', 303)
    const query = request.query as Form
    const next = safeNext(query.next)
    if (request.principal) return reply.redirect(next, 303)
    const notice = query.reset === 'done' ? 'Your password has been changed and every session of your account has ended. Sign in with your new password.' : null
    return loginPage(reply, 200, { next, notice })
  })

  app.post('/login', { config: { access: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } } }, async (request, reply) => {
    const form = request.body as Form
    const next = safeNext(form.next)
    const values = { email: typed(form.email) }
    const password = typeof form.password === 'string' ? form.password : ''
    const errors: FieldErrors = {}
    if (values.email === '') errors.email = 'Enter your email address.'
    if (password === '') errors.password = 'Enter your password.'
    if (Object.keys(errors).length > 0) return loginPage(reply, 422, { values, errors, next })

    // Single sign-on required (or an account without a password): the password is not even tried.
    const known = await findUserByEmail(app.db, emailField(form.email))
    const ssoOnly = known ? await passwordRefusal(app.db, known) : null
    if (ssoOnly) {
      await verifyAgainstNobody(password)
      return loginPage(reply, 422, { values, next, error: ssoOnly })
    }
    const check = await checkSignIn(app.db, request, emailField(form.email), password)
    if (!check.ok && check.reason === 'throttled') {
      reply.header('retry-after', String(check.minutes * 60))
      return loginPage(reply, 429, { values, next, error: `Too many failed attempts to sign in to this account. Try again in ${check.minutes} minute${check.minutes === 1 ? '' : 's'}, or reset your password.` })
    }
    if (!check.ok) return loginPage(reply, 422, { values, next, error: 'That email and password do not match an account. Check both and try again.' })
    const { id, organizationId, email } = check.account
    return finishSignIn(app, request, reply, { id, organizationId, email }, next, 'password')
  })

  app.post('/logout', { config: { access: 'public' } }, async (_request, reply) => {
    await reply.signOut()
    return reply.redirect('/login', 303)
  })

  // The account page: the person's name, password and sessions, and links to the rest of the account.
  const sessionCookie = cookieName(app.config, 'sg_session')
  const currentSession = (request: FastifyRequest) => request.cookies[sessionCookie] ?? null

  async function accountPage(request: FastifyRequest, reply: FastifyReply, status = 200, form: { values?: Form; errors?: FieldErrors } = {}) {
    const account = await ownAccount(app.db, request)
    const notice = NOTICES[String((request.query as Form).done)] ?? null
    reply.header('cache-control', 'no-store')
    return reply.code(status).page('account', {
      title: 'Your account', account, notice, values: { name: account.name, ...form.values }, errors: form.errors ?? {},
      sessions: await countSessionsOf(app.db, account.id),
    })
  }

  app.get('/account', { config: { access: 'read' } }, async (request, reply) => accountPage(request, reply))

  app.post('/account/name', { config: { access: 'read' } }, async (request, reply) => {
    const form = request.body as Form
    const changed = await changeName(app.db, request, form.name)
    if (!changed.ok) return accountPage(request, reply, 422, { values: { name: typed(form.name, 200) }, errors: changed.errors })
    return reply.redirect('/account?done=name', 303)
  })

  app.post('/account/password', { config: { access: 'read', rateLimit: { max: 10, timeWindow: '1 minute' } } }, async (request, reply) => {
    const changed = await changePassword(app.db, request, request.body as Form, currentSession(request))
    if (!changed.ok) return accountPage(request, reply, 422, { errors: changed.errors })
    return reply.redirect('/account?done=password', 303)
  })

  app.post('/account/sessions/sign-out-others', { config: { access: 'read' } }, async (request, reply) => {
    await signOutOtherSessions(app.db, request, currentSession(request))
    return reply.redirect('/account?done=sessions', 303)
  })
}
