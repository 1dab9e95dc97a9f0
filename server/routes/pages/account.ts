// First-run setup, sign-in and sign-out.
import type { FastifyInstance } from 'fastify'
import { checkSetup } from '../../domain/inputs.js'
import { createOrganizationWithOwner, findUserByEmail } from '../../repositories/organizations.js'
import { verifyAgainstNobody, verifyPassword } from '../../security/passwords.js'
import { safeNext } from '../../plugins/auth.js'
import { finishSignIn } from '../sign-in.js'
import { passwordRefusal } from '../../services/sso.js'

type Form = Record<string, string | undefined>

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
    await reply.signIn({ id: userId, organizationId })
    return reply.redirect('/waves/new', 303)
  })

  app.get('/login', { config: { access: 'public' } }, async (request, reply) => {
    if (await app.needsSetup()) return reply.redirect('/setup', 303)
    const next = safeNext((request.query as Form).next)
    if (request.principal) return reply.redirect(next, 303)
    return reply.page('login', { title: 'Sign in', values: {}, error: null, next })
  })

  app.post('/login', { config: { access: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } } }, async (request, reply) => {
    const form = request.body as Form
    const email = (form.email ?? '').trim().toLowerCase()
    const password = form.password ?? ''
    const next = safeNext(form.next)
    const user = email ? await findUserByEmail(app.db, email) : undefined
    // Single sign-on required (or an account without a password): the password is not even tried.
    const ssoOnly = user ? await passwordRefusal(app.db, user) : null
    if (ssoOnly) {
      await verifyAgainstNobody(password)
      return reply.code(422).page('login', { title: 'Sign in', values: { email }, next, error: ssoOnly })
    }
    const ok = user ? await verifyPassword(password, user.passwordHash) : await verifyAgainstNobody(password)
    if (!user || !ok) {
      return reply.code(422).page('login', {
        title: 'Sign in', values: { email }, next,
        error: email === '' ? 'Enter your email address and password.' : 'That email and password do not match an account. Check both and try again.',
      })
    }
    return finishSignIn(app, request, reply, { ...user, email }, next, 'password')
  })

  app.post('/logout', { config: { access: 'public' } }, async (_request, reply) => {
    await reply.signOut()
    return reply.redirect('/login', 303)
  })
}
