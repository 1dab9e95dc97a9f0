// The words of mail about results: one renderer per kind (alert-mail.ts, digest-mail.ts), chosen by
// the mail worker for each queued notification. A renderer reads only the row's params (released
// aggregates written when the mail was queued) and the recipient's language.
import type { NotificationKind } from '../domain/types.js'
import { renderAlertMail } from './alert-mail.js'
import { renderDigestMail } from './digest-mail.js'
import type { Message } from './mail.js'

export interface NotificationContext {
  locale: string
  /** The server's public address, for links back to the product. */
  publicUrl: string
  /** The file names the worker attached to this message (a renderer says so, or says where to find the file instead). */
  attachments?: string[]
}

export type NotificationRenderer = (params: Record<string, unknown>, context: NotificationContext) => Message

export const NOTIFICATION_RENDERERS: Record<NotificationKind, NotificationRenderer> = {
  alert: renderAlertMail,
  digest: renderDigestMail,
}
