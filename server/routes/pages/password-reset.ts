// Forgot password: ask for a link by email, then choose a new password through it. The answer to a
// request is the same page and status whether or not the address has an account.
import type { FastifyInstance, FastifyReply } from 'fastify'
import { checkNewPassword, emailField, type FieldErrors } from '../../domain/inputs.js'
import { findReset, requestPasswordReset, resetContext, resetPassword, RESET_MINUTES, RESETS_PER_WINDOW } from '../../services/passwords.js'

type Form = Record<string, unknown>

const typed = (value: unknown) => (typeof value === 'string' ? value.trim().slice(0, 320) : '')

export default async function passwordResetPages(app: FastifyInstance) {
  const forgotPage = (reply: FastifyReply, status: number, data: { values?: Form; errors?: FieldErrors; sent?: string | null }) =>
    reply.code(status).page('forgot-password', {
      title: 'Forgot your password?', values: {}, errors: {}, sent: null, minutes: RESET_MINUTES, perHour: RESETS_PER_WINDOW, ...data,
    })

  app.get('/forgot-password', { config: { access: 'public' } }, async (_request, reply) => forgotPage(reply, 200, {}))

  app.post('/forgot-password', { config: { access: 'public', rateLimit: { max: 5, timeWindow: '1 minute' } } }, async (request, reply) => {
    const form = request.body as Form
    const values = { email: typed(form.email) }
    const email = emailField(form.email)
    // Only the shape of the address is judged here; whether it has an account never shows.
    if (email === '') {
      const message = values.email === '' ? 'Enter the email address you sign in with.' : 'Enter one email address like name@example.com.'
      return forgotPage(reply, 422, { values, errors: { email: message } })
    }
    await requestPasswordReset(app.db, request, email, app.config.signingSecret)
    return forgotPage(reply, 200, { sent: email })
  })

  const resetPage = (reply: FastifyReply, status: number, data: { token?: string; errors?: FieldErrors; email?: string; invalid?: boolean }) => {
    // The page's address carries the token: never cache it.
    reply.header('cache-control', 'no-store')
    return reply.code(status).page('reset-password', { title: 'Choose a new password', errors: {}, invalid: false, token: '', email: '', ...data })
  }
  const invalidLink = (reply: FastifyReply) => resetPage(reply, 410, { invalid: true })

  app.get<{ Params: { token: string } }>('/reset-password/:token', { config: { access: 'public' } }, async (request, reply) => {
    const reset = await findReset(app.db, request.params.token)
    if (!reset) return invalidLink(reply)
    return resetPage(reply, 200, { token: request.params.token, email: reset.email })
  })

  app.post<{ Params: { token: string } }>('/reset-password/:token', { config: { access: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } } }, async (request, reply) => {
    const reset = await findReset(app.db, request.params.token)
    if (!reset) return invalidLink(reply)
    const checked = checkNewPassword(request.body as Form, resetContext(reset))
    if (!checked.ok) return resetPage(reply, 422, { token: request.params.token, email: reset.email, errors: checked.errors })
    if (!(await resetPassword(app.db, request, reset, checked.value))) return invalidLink(reply)
    // Sent to sign in rather than signed in: the new password is proved once more, and any further
    // step of signing in (a second factor) still applies.
    await reply.signOut()
    return reply.redirect('/login?reset=done', 303)
  })
}
