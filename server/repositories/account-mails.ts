// The queue of account mail (password resets, colleague invitations), sent by the mail worker.
// Queue a row in the same transaction as the reset or invitation it is about.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { AccountMailKind } from '../domain/types.js'

export interface AccountMailRequest {
  organizationId: string
  kind: AccountMailKind
  refId: string
  recipient: string
  /** Words for the message (organization, inviter, role); nothing secret. */
  params?: Record<string, string>
}

export async function queueAccountMail(db: Db, mail: AccountMailRequest): Promise<void> {
  await db.insertInto('account_mails').values({
    organization_id: mail.organizationId, kind: mail.kind, ref_id: mail.refId, recipient: mail.recipient,
    params: JSON.stringify(mail.params ?? {}),
  }).execute()
}

export interface ClaimedAccountMail {
  id: number
  organizationId: string
  kind: AccountMailKind
  refId: string
  recipient: string
  params: Record<string, string>
  attempts: number
}

/** Takes up to `limit` due messages for sending (skipping those another worker holds). */
export async function claimAccountMails(db: Db, limit: number, staleMs = 120_000): Promise<ClaimedAccountMail[]> {
  await db.updateTable('account_mails').set({ status: 'pending', locked_at: null })
    .where('status', '=', 'sending').where('locked_at', '<', sql<Date>`now() - ${`${Math.round(staleMs)} milliseconds`}::interval`)
    .execute()
  return db.transaction().execute(async (trx) => {
    const due = await trx.selectFrom('account_mails').select('id')
      .where('status', '=', 'pending').where('run_at', '<=', sql<Date>`now()`)
      .orderBy('id').limit(limit).forUpdate().skipLocked().execute()
    if (due.length === 0) return []
    const rows = await trx.updateTable('account_mails')
      .set({ status: 'sending', locked_at: sql<Date>`now()`, attempts: sql<number>`attempts + 1` })
      .where('id', 'in', due.map((row) => row.id))
      .returning(['id', 'organization_id', 'kind', 'ref_id', 'recipient', 'params', 'attempts']).execute()
    return rows.map((row) => ({
      id: Number(row.id), organizationId: row.organization_id, kind: row.kind, refId: row.ref_id,
      recipient: row.recipient, params: row.params, attempts: row.attempts,
    })).sort((a, b) => a.id - b.id)
  })
}

export async function accountMailSent(db: Db, id: number): Promise<void> {
  await db.updateTable('account_mails').set({ status: 'sent', sent_at: sql<Date>`now()`, locked_at: null, last_error: null }).where('id', '=', id).execute()
}

export async function accountMailFailed(db: Db, id: number, error: string, retryInMs: number | null): Promise<void> {
  await db.updateTable('account_mails').set(retryInMs === null
    ? { status: 'failed', locked_at: null, last_error: error.slice(0, 500) }
    : { status: 'pending', locked_at: null, last_error: error.slice(0, 500), run_at: sql<Date>`now() + ${`${Math.round(retryInMs)} milliseconds`}::interval` })
    .where('id', '=', id).execute()
}

/** What has been queued for an address, newest first (for tests and the outbox page). */
export async function accountMailsTo(db: Db, recipient: string): Promise<Array<{ kind: AccountMailKind; status: string; createdAt: Date }>> {
  const rows = await db.selectFrom('account_mails').select(['kind', 'status', 'created_at'])
    .where('recipient', '=', recipient).orderBy('id', 'desc').execute()
  return rows.map((row) => ({ kind: row.kind, status: row.status, createdAt: row.created_at }))
}
