// Where messages go: an SMTP server through nodemailer when SMTP_URL is set, otherwise the
// development outbox table that admins read at /outbox.
import nodemailer from 'nodemailer'
import type { Db } from '../../db/connect.js'
import { storeOutboxMessage } from '../repositories/outbox.js'

export interface OutgoingMessage {
  organizationId: string
  /** An address object is quoted by nodemailer, so a display name can never add a header. */
  from: string | { name: string; address: string }
  /** Where replies go, when not to the From address. */
  replyTo?: string
  to: string
  subject: string
  text: string
  html: string
  headers: Record<string, string>
  messageId: string
  /** Files sent with the message (the digest's board pack). */
  attachments?: Attachment[]
}

export interface Attachment {
  filename: string
  contentType: string
  content: Buffer
  /** Set for an image the HTML shows inline (`<img src="cid:…">`), such as the organization's logo. */
  cid?: string
}

export interface Transport {
  readonly kind: 'smtp' | 'outbox'
  /** How many messages it can have in flight at once: the worker sends that many side by side. */
  readonly connections: number
  send(message: OutgoingMessage): Promise<void>
  close(): void
}

/** SMTP connections kept open when the URL does not say (?maxConnections=N). */
export const DEFAULT_SMTP_CONNECTIONS = 8

export function smtpTransport(url: string): Transport {
  // A pool of connections, reused for every message; options can also be given in the URL's query.
  const pooled = new URL(url)
  if (!pooled.searchParams.has('pool')) pooled.searchParams.set('pool', 'true')
  if (!pooled.searchParams.has('maxConnections')) pooled.searchParams.set('maxConnections', String(DEFAULT_SMTP_CONNECTIONS))
  const connections = Math.max(1, Math.min(64, Math.floor(Number(pooled.searchParams.get('maxConnections'))) || DEFAULT_SMTP_CONNECTIONS))
  if (!pooled.searchParams.has('maxMessages')) pooled.searchParams.set('maxMessages', '100000')
  const transporter = nodemailer.createTransport(pooled.toString())
  return {
    kind: 'smtp',
    connections,
    async send(message) {
      await transporter.sendMail({
        from: message.from, to: message.to, replyTo: message.replyTo, subject: message.subject, text: message.text, html: message.html,
        headers: message.headers, messageId: message.messageId,
        ...(message.attachments?.length ? { attachments: message.attachments.map(({ filename, contentType, content, cid }) => ({ filename, contentType, content, ...(cid ? { cid, contentDisposition: 'inline' as const } : {}) })) } : {}),
      })
    },
    close: () => transporter.close(),
  }
}

export function outboxTransport(db: Db): Transport {
  return {
    kind: 'outbox',
    connections: 4,
    async send(message) {
      await storeOutboxMessage(db, message)
    },
    close: () => {},
  }
}
