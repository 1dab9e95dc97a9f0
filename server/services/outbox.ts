// The development outbox as one person may read it. Account mail carries links that work like a
// credential: a password reset signs in as its recipient, and an invitation makes an account with
// its role. So a reset link is shown only to the person it was sent to, and an invitation's only to
// readers who could have sent that invitation themselves (an admin never sees an owner's).
import type { Db } from '../../db/connect.js'
import { assignableRoles } from '../domain/roles.js'
import type { Role } from '../domain/types.js'
import { findInvitation } from '../repositories/colleague-invitations.js'
import { latestOutboxMessages, type OutboxMessage } from '../repositories/outbox.js'

/** What the mail worker's Message-ID says an account mail is about: `<refId.kind.jobId@host>`. */
function accountMailOf(message: OutboxMessage): { refId: string; kind: string } | null {
  const match = /^<([0-9a-f-]{36})\.(password_reset|colleague_invitation)\.\d+@/.exec(message.headers['Message-ID'] ?? '')
  return match ? { refId: match[1]!, kind: match[2]! } : null
}

export async function outboxFor(db: Db, reader: { organizationId: string; email: string; role: Role }, limit: number) {
  const { messages, total } = await latestOutboxMessages(db, reader.organizationId, limit)
  const shown = await Promise.all(messages.map(async (message) => {
    const account = accountMailOf(message)
    if (!account) return message
    if (account.kind === 'password_reset') {
      if (message.recipient === reader.email) return message
      return { ...message, textBody: `A link to choose a new password works like a password: it is shown only to ${message.recipient}, when signed in.` }
    }
    const invitation = await findInvitation(db, reader.organizationId, account.refId)
    if (invitation && assignableRoles(reader.role).includes(invitation.role)) return message
    return { ...message, textBody: 'An invitation to a role you cannot give: only an owner sees its link.' }
  }))
  return { messages: shown, total }
}
