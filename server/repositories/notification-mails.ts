// The queue of mail about results (alerts, digests), sent by the mail worker. A row is queued once
// per kind, thing and recipient (the unique key), so a pass that runs twice, two instances or a
// worker restarted after a kill never send the same alert or digest twice.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { NotificationKind } from '../domain/types.js'

export interface NotificationMailRequest {
  organizationId: string
  userId: string | null
  kind: NotificationKind
  /** What it is about, e.g. `alert:<id>` or `digest:<waveId>:close`. */
  ref: string
  recipient: string
  locale: string
  /** Everything the message says: released aggregates and words, nothing secret. */
  params: Record<string, unknown>
}

/** Queues the mail unless the same (kind, ref, recipient) was queued before; true when this call queued it. */
export async function queueNotificationMail(db: Db, mail: NotificationMailRequest): Promise<boolean> {
  const rows = await db.insertInto('notification_mails').values({
    organization_id: mail.organizationId, user_id: mail.userId, kind: mail.kind, ref: mail.ref, recipient: mail.recipient,
    locale: mail.locale, params: JSON.stringify(mail.params),
  }).onConflict((oc) => oc.columns(['organization_id', 'kind', 'ref', 'recipient']).doNothing()).returning('id').execute()
  return rows.length > 0
}

export interface ClaimedNotificationMail {
  id: number
  organizationId: string
  userId: string | null
  kind: NotificationKind
  ref: string
  recipient: string
  locale: string
  params: Record<string, unknown>
  attempts: number
}

/** Takes up to `limit` due messages for sending (skipping those another worker holds); takes back ones a stopped worker left. */
export async function claimNotificationMails(db: Db, limit: number, staleMs = 120_000): Promise<ClaimedNotificationMail[]> {
  await db.updateTable('notification_mails').set({ status: 'pending', locked_at: null })
    .where('status', '=', 'sending').where('locked_at', '<', sql<Date>`now() - ${`${Math.round(staleMs)} milliseconds`}::interval`)
    .execute()
  return db.transaction().execute(async (trx) => {
    const due = await trx.selectFrom('notification_mails').select('id')
      .where('status', '=', 'pending').where('run_at', '<=', sql<Date>`now()`)
      .orderBy('id').limit(limit).forUpdate().skipLocked().execute()
    if (due.length === 0) return []
    const rows = await trx.updateTable('notification_mails')
      .set({ status: 'sending', locked_at: sql<Date>`now()`, attempts: sql<number>`attempts + 1` })
      .where('id', 'in', due.map((row) => row.id))
      .returning(['id', 'organization_id', 'user_id', 'kind', 'ref', 'recipient', 'locale', 'params', 'attempts']).execute()
    return rows.map((row) => ({
      id: Number(row.id), organizationId: row.organization_id, userId: row.user_id, kind: row.kind, ref: row.ref,
      recipient: row.recipient, locale: row.locale, params: row.params, attempts: row.attempts,
    })).sort((a, b) => a.id - b.id)
  })
}

export async function notificationMailSent(db: Db, id: number): Promise<void> {
  await db.updateTable('notification_mails').set({ status: 'sent', sent_at: sql<Date>`now()`, locked_at: null, last_error: null }).where('id', '=', id).execute()
}

export async function notificationMailFailed(db: Db, id: number, error: string, retryInMs: number | null): Promise<void> {
  await db.updateTable('notification_mails').set(retryInMs === null
    ? { status: 'failed', locked_at: null, last_error: error.slice(0, 500) }
    : { status: 'pending', locked_at: null, last_error: error.slice(0, 500), run_at: sql<Date>`now() + ${`${Math.round(retryInMs)} milliseconds`}::interval` })
    .where('id', '=', id).execute()
}
