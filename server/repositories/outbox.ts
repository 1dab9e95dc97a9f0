// The development outbox: the messages written while no mail server is set, and reading them back.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { OutgoingMessage } from '../mail/transport.js'

export interface OutboxMessage {
  recipient: string
  subject: string
  textBody: string
  headers: Record<string, string>
  createdAt: Date
}

/** The organization's latest messages, newest first, and how many there are in all. */
export async function latestOutboxMessages(db: Db, organizationId: string, limit: number): Promise<{ messages: OutboxMessage[]; total: number }> {
  const [rows, total] = await Promise.all([
    db.selectFrom('outbox_messages').select(['recipient', 'subject', 'text_body', 'headers', 'created_at'])
      .where('organization_id', '=', organizationId).orderBy('id', 'desc').limit(limit).execute(),
    db.selectFrom('outbox_messages').select(sql<number>`count(*)`.as('n')).where('organization_id', '=', organizationId).executeTakeFirstOrThrow(),
  ])
  return {
    messages: rows.map((row) => ({ recipient: row.recipient, subject: row.subject, textBody: row.text_body, headers: row.headers, createdAt: row.created_at })),
    total: Number(total.n),
  }
}

/** Keeps one message in the outbox, with the headers a mail server would have received. */
export async function storeOutboxMessage(db: Db, message: OutgoingMessage): Promise<void> {
  await db.insertInto('outbox_messages').values({
    organization_id: message.organizationId,
    recipient: message.to,
    subject: message.subject,
    text_body: message.text,
    html_body: message.html,
    headers: JSON.stringify({
      ...message.headers, 'Message-ID': message.messageId,
      From: typeof message.from === 'string' ? message.from : `"${message.from.name.replace(/["\\]/g, '\\$&')}" <${message.from.address}>`,
      ...(message.replyTo ? { 'Reply-To': message.replyTo } : {}),
      // The outbox keeps what was attached, by name, type and size, not the files themselves.
      ...(message.attachments?.length ? { 'X-Attachments': message.attachments.map((file) => `${file.filename} (${file.contentType}, ${file.content.length} bytes)`).join('; ') } : {}),
    }),
  }).execute()
}
