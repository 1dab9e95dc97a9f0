// The last step of every sign-in, whatever proved who the person is (a password, single sign-on).
// A password sign-in of someone with two-factor on does not start a session yet: it starts a pending
// sign-in (a random token in an httpOnly cookie of this browser, its hash in the database, good for
// minutes and used once) and sends the person to /login/two-factor for their code; when their
// organization requires two-factor and they have none, to /login/two-factor/setup first. Single
// sign-on leaves the second factor to the identity provider. Then the sign-in is audited, the session
// starts and the person is sent on.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { SignInMethod } from '../domain/totp.js'
import { cookieName, cookieOptions } from '../plugins/security.js'
import { safeNext } from '../plugins/auth.js'
import { auditAs } from '../services/audit.js'
import { endPendingSignIn, signInStep, startPendingSignIn } from '../services/two-factor.js'

export interface SignedInUser { id: string; organizationId: string; email: string }

export const VERIFY_PATH = '/login/two-factor'
export const ENROL_PATH = '/login/two-factor/setup'

/** The cookie of a pending sign-in (httpOnly, so no script on the page can read it). */
export const pendingCookie = (app: FastifyInstance) => cookieName(app.config, 'sg_2fa')

export function clearPendingCookie(app: FastifyInstance, reply: FastifyReply) {
  reply.clearCookie(pendingCookie(app), cookieOptions(app.config))
}

export async function finishSignIn(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  user: SignedInUser,
  next: string,
  method: SignInMethod,
) {
  const step = await signInStep(app.db, user.id, method)
  if (step !== 'none') {
    const earlier = request.cookies[pendingCookie(app)]
    if (earlier) await endPendingSignIn(app.db, earlier)
    const { token, expiresAt } = await startPendingSignIn(app.db, user, step, safeNext(next))
    reply.setCookie(pendingCookie(app), token, { ...cookieOptions(app.config), expires: expiresAt })
    return reply.redirect(step === 'verify' ? VERIFY_PATH : ENROL_PATH, 303)
  }
  await startSession(app, request, reply, user, method)
  return reply.redirect(next, 303)
}

/** Audits the sign-in and starts the session: the end of every sign-in, with or without a second factor. */
export async function startSession(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, user: SignedInUser, method: SignInMethod) {
  await auditAs(app.db, request, { organizationId: user.organizationId, userId: user.id, email: user.email }, method === 'sso' ? 'sso_sign_in' : 'sign_in')
  await reply.signIn(user)
}
