// The last step of every sign-in, whatever proved who the person is (a password, single sign-on):
// it records the sign-in in the audit log, starts the session and sends the person on.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { auditAs } from '../services/audit.js'

export interface SignedInUser { id: string; organizationId: string; email: string }

export async function finishSignIn(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  user: SignedInUser,
  next: string,
  method: 'password' | 'sso',
) {
  await auditAs(app.db, request, { organizationId: user.organizationId, userId: user.id, email: user.email }, method === 'sso' ? 'sso_sign_in' : 'sign_in')
  await reply.signIn(user)
  return reply.redirect(next, 303)
}
