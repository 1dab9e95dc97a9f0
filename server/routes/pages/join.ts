// /join/:token: a colleague invited by email sees who invited them to what, chooses their own
// password and is signed in. A used, withdrawn or expired link answers 410; one that names no
// invitation (or is not even shaped like a token, which costs no query) answers 404.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { checkJoin, roleDoes, roleInWords } from '../../domain/colleagues.js'
import type { FieldErrors } from '../../domain/inputs.js'
import { HttpError } from '../../http-error.js'
import { hashPassword } from '../../security/passwords.js'
import { acceptInvitation, invitationForToken, type ColleagueInvitation, type InvitationState } from '../../services/colleagues.js'
import { ssoForInvitation } from '../../services/sso.js'
import { finishSignIn } from '../sign-in.js'

type Params = { token: string }

const GONE: Record<Exclude<InvitationState, 'open'>, string> = {
  accepted: 'This invitation has been used already: each link works once. If you set up your account with it, sign in.',
  withdrawn: 'This invitation was withdrawn. Ask the colleague who invited you to send a new one.',
  expired: 'This invitation has run out: a link works for seven days. Ask the colleague who invited you to send it again.',
}

const notAnInvitation = () => new HttpError(404, 'not_found', 'This invitation link is not valid. Check that you opened the whole link from the email.')

export default async function joinPages(app: FastifyInstance) {
  async function openInvitation(token: string): Promise<ColleagueInvitation> {
    const found = await invitationForToken(app.db, token)
    if (!found) throw notAnInvitation()
    if (found.state !== 'open') throw new HttpError(410, 'gone', GONE[found.state])
    return found.invitation
  }

  async function page(reply: FastifyReply, invitation: ColleagueInvitation, values: { name: string }, errors: FieldErrors = {}) {
    const sso = await ssoForInvitation(app.db, invitation.organizationId, invitation.email)
    return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').page('join', {
      title: `Join ${invitation.organizationName}`,
      invitation: {
        organization: invitation.organizationName, email: invitation.email, role: roleInWords(invitation.role), does: roleDoes(invitation.role),
        inviter: invitation.inviterName || invitation.inviterEmail,
      },
      values, errors,
      sso: sso && { href: sso.href, label: 'Join with single sign-on', required: sso.required },
    })
  }

  app.get<{ Params: Params }>('/join/:token', { config: { access: 'public' } }, async (request, reply) => {
    const invitation = await openInvitation(request.params.token)
    return page(reply, invitation, { name: invitation.name })
  })

  app.post<{ Params: Params }>('/join/:token', { config: { access: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } } }, async (request: FastifyRequest<{ Params: Params }>, reply) => {
    const invitation = await openInvitation(request.params.token)
    const form = request.body as Record<string, unknown>
    // With single sign-on required, a password would let the newcomer past it: they join through the provider.
    if ((await ssoForInvitation(app.db, invitation.organizationId, invitation.email))?.required) {
      throw new HttpError(403, 'sso_required', 'Your organization signs in with single sign-on: choose “Join with single sign-on” on the invitation page.')
    }
    const checked = checkJoin(form, { email: invitation.email, organization: invitation.organizationName })
    if (!checked.ok) {
      const name = typeof form.name === 'string' ? form.name.slice(0, 200) : ''
      return page(reply.code(422), invitation, { name }, checked.errors)
    }
    const accepted = await acceptInvitation(app.db, request, invitation, { name: checked.value.name, passwordHash: await hashPassword(checked.value.password) })
    if (!accepted.ok) {
      if (accepted.reason === 'has_account') throw new HttpError(409, 'has_account', 'This email address already has a Service Gap account. Sign in with it instead.')
      throw new HttpError(410, 'gone', GONE.accepted)
    }
    return finishSignIn(app, request, reply, accepted.user, '/waves', 'password')
  })
}
