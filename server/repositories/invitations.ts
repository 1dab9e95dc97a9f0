// Personal invitations and the mail queue. An invitation and its first mail job are written in the
// same transaction; jobs are claimed with FOR UPDATE SKIP LOCKED and settled one message at a time,
// so a worker that stops mid-batch leaves at most the message in flight to be sent again.
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { Branding } from '../domain/branding.js'
import type { InvitationStatus, MailKind, Side } from '../domain/types.js'
import { hashToken, invitationToken } from '../security/tokens.js'
import { atomically } from './atomically.js'
import { brandingOf } from './branding.js'
import { suppressedHashes, suppressionHash } from './suppressions.js'
import { waveIsOpen } from './wave-status.js'

const notUnsubscribed = sql<boolean>`not exists (select 1 from unsubscribes u where u.organization_id = contacts.organization_id and u.email = contacts.email)`

/**
 * Invites every matching, subscribed (and not suppressed) contact not yet invited to the wave, each invitation with its
 * first mail job or neither. Returns how many were queued.
 */
export async function inviteContacts(
  db: Db,
  secret: string,
  target: { organizationId: string; waveId: string; side?: Side | null; unitId?: string | null },
): Promise<number> {
  return atomically(db, async (trx) => {
    const found = await trx.selectFrom('contacts').select(['id', 'email', 'side', 'unit_id', 'locale', 'attributes'])
      .where('organization_id', '=', target.organizationId)
      .$if(Boolean(target.side), (q) => q.where('side', '=', target.side!))
      .$if(Boolean(target.unitId), (q) => q.where('unit_id', '=', target.unitId!))
      .where(notUnsubscribed)
      // adminbasics: contacts of an archived unit get no new invitations.
      .where((eb) => eb.not(eb.exists(eb.selectFrom('units').select('units.id').whereRef('units.organization_id', '=', 'contacts.organization_id').whereRef('units.id', '=', 'contacts.unit_id')
        .where('units.archived_at', 'is not', null))))
      .where((eb) => eb.not(eb.exists(eb.selectFrom('invitations').select('invitations.id')
        .whereRef('invitations.organization_id', '=', 'contacts.organization_id').whereRef('invitations.contact_id', '=', 'contacts.id')
        .where('invitations.wave_id', '=', target.waveId))))
      .orderBy('id').execute()
    // An address that unsubscribed before its contact was deleted is never invited again, re-imported or not.
    const hashes = found.map((contact) => suppressionHash(secret, contact.email))
    const suppressed = await suppressedHashes(trx, target.organizationId, hashes)
    const contacts = suppressed.size === 0 ? found : found.filter((_, i) => !suppressed.has(hashes[i]!))
    let queued = 0
    for (let start = 0; start < contacts.length; start += 1000) {
      const chunk = contacts.slice(start, start + 1000).map((contact) => {
        const id = randomUUID()
        return {
          id,
          organization_id: target.organizationId,
          wave_id: target.waveId,
          side: contact.side,
          unit_id: contact.unit_id,
          locale: contact.locale,
          // Staff invitations carry nothing about the person into their anonymous response.
          attributes: JSON.stringify(contact.side === 'customer' ? contact.attributes : {}),
          token_hash: hashToken(invitationToken(secret, id)),
          contact_id: contact.id,
        }
      })
      const inserted = await trx.insertInto('invitations').values(chunk)
        .onConflict((oc) => oc.columns(['organization_id', 'wave_id', 'contact_id']).where('contact_id', 'is not', null).doNothing())
        .returning('id').execute()
      if (inserted.length > 0) {
        await trx.insertInto('mail_jobs')
          .values(inserted.map((row) => ({ organization_id: target.organizationId, invitation_id: row.id, kind: 'invitation' as const })))
          .execute()
      }
      queued += inserted.length
    }
    return queued
  })
}

export type InvitationCounts = Record<InvitationStatus | 'used', number>

/** A wave's invitations per delivery status, and how many were used (answered) whatever their status. */
export async function invitationCounts(db: Db, organizationId: string, waveId: string): Promise<InvitationCounts> {
  const rows = await db.selectFrom('invitations')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n'), sql<number>`count(*) filter (where used)`.as('used')])
    .where('organization_id', '=', organizationId).where('wave_id', '=', waveId).where('contact_id', 'is not', null)
    .groupBy('status').execute()
  const counts: InvitationCounts = { queued: 0, sent: 0, failed: 0, bounced: 0, used: 0 }
  for (const row of rows) {
    counts[row.status] = Number(row.n)
    counts.used += Number(row.used)
  }
  return counts
}

export interface ClaimedJob {
  jobId: number
  kind: MailKind
  attempts: number
  invitationId: string
  organizationId: string
  organizationName: string
  /** The organization's From display name ('' for the installation's) and reply-to address. */
  senderName: string
  replyTo: string | null
  /** The organization's logo (without its bytes) and accent colour. */
  branding: Branding
  side: Side
  locale: string | null
  email: string
  name: string
  used: boolean
  unsubscribed: boolean
  itemCount: number
}

/** Takes up to `limit` due jobs of organizations whose sending is not paused. */
export async function claimJobs(db: Db, limit: number): Promise<ClaimedJob[]> {
  const claimed = await db.transaction().execute(async (trx) => {
    const due = await trx.selectFrom('mail_jobs').select('id')
      .where('status', '=', 'pending').where('run_at', '<=', sql<Date>`now()`)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('mail_state').select('mail_state.organization_id')
        .whereRef('mail_state.organization_id', '=', 'mail_jobs.organization_id').where('mail_state.paused_at', 'is not', null))))
      .orderBy('id').limit(limit).forUpdate().skipLocked().execute()
    if (due.length === 0) return []
    const rows = await trx.updateTable('mail_jobs').set({ status: 'sending', locked_at: sql<Date>`now()`, attempts: sql<number>`attempts + 1` })
      .where('id', 'in', due.map((row) => row.id)).returning(['id']).execute()
    return rows.map((row) => row.id)
  })
  if (claimed.length === 0) return []
  const rows = await db.selectFrom('mail_jobs')
    .innerJoin('invitations', 'invitations.id', 'mail_jobs.invitation_id')
    .innerJoin('contacts', 'contacts.id', 'invitations.contact_id')
    .innerJoin('organizations', 'organizations.id', 'mail_jobs.organization_id')
    .innerJoin('waves', 'waves.id', 'invitations.wave_id')
    .leftJoin('organization_branding as brand', 'brand.organization_id', 'mail_jobs.organization_id')
    .select([
      'brand.accent', 'brand.logo_hash', 'brand.logo_type', 'brand.logo_width', 'brand.logo_height',
      'mail_jobs.id as jobId', 'mail_jobs.kind', 'mail_jobs.attempts', 'invitations.id as invitationId', 'mail_jobs.organization_id as organizationId',
      'organizations.name as organizationName', 'organizations.sender_name as senderName', 'organizations.reply_to as replyTo', 'invitations.side', 'invitations.locale', 'contacts.email', 'contacts.name', 'invitations.used',
      notUnsubscribed.as('subscribed'),
      (eb) => eb.selectFrom('items').whereRef('items.instrument_id', '=', 'waves.instrument_id').select((s) => s.fn.countAll<number>().as('n')).as('itemCount'),
    ])
    .where('mail_jobs.id', 'in', claimed).orderBy('mail_jobs.id').execute()
  return rows.map(({ subscribed, accent, logo_hash, logo_type, logo_width, logo_height, ...row }) => ({
    ...row, branding: brandingOf({ accent, logo_hash, logo_type, logo_width, logo_height }), unsubscribed: !subscribed, itemCount: Number(row.itemCount), jobId: Number(row.jobId),
  }))
}

/** Marks the job and its invitation sent, in one statement (atomic, and one round trip per message). */
export async function markSent(db: Db, job: ClaimedJob): Promise<void> {
  await db.with('sent_job', (qb) => qb.updateTable('mail_jobs').set({ status: 'sent', sent_at: sql<Date>`now()`, last_error: null })
    .where('id', '=', job.jobId).returning('id'))
    .updateTable('invitations').set({ status: 'sent', last_sent_at: sql<Date>`now()`, error: null }).where('id', '=', job.invitationId)
    .execute()
}

/** A job that need not be sent any more (already answered, or unsubscribed since). */
export async function dropJob(db: Db, job: ClaimedJob): Promise<void> {
  await db.deleteFrom('mail_jobs').where('id', '=', job.jobId).execute()
}

export async function retryLater(db: Db, job: ClaimedJob, error: string, delayMs: number): Promise<void> {
  await db.updateTable('mail_jobs')
    .set({ status: 'pending', locked_at: null, last_error: error.slice(0, 500), run_at: sql<Date>`now() + ${`${Math.round(delayMs)} milliseconds`}::interval` })
    .where('id', '=', job.jobId).execute()
}

/** Puts a claimed job back untouched (sending was paused before it went out). */
export async function releaseJob(db: Db, job: ClaimedJob): Promise<void> {
  await db.updateTable('mail_jobs').set({ status: 'pending', locked_at: null, attempts: sql<number>`greatest(attempts - 1, 0)` })
    .where('id', '=', job.jobId).execute()
}

export async function markFailed(db: Db, job: ClaimedJob, status: 'failed' | 'bounced', error: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('mail_jobs').set({ status: 'failed', last_error: error.slice(0, 500) }).where('id', '=', job.jobId).execute()
    await trx.updateTable('invitations').set({ status, error: error.slice(0, 500) }).where('id', '=', job.invitationId).execute()
  })
}

/** Jobs left 'sending' by a worker that stopped are due again after `staleMs`. */
export async function requeueStale(db: Db, staleMs: number): Promise<number> {
  const result = await db.updateTable('mail_jobs').set({ status: 'pending', locked_at: null })
    .where('status', '=', 'sending').where('locked_at', '<', sql<Date>`now() - ${`${Math.round(staleMs)} milliseconds`}::interval`)
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/**
 * Queues the reminders that are due: sent, unanswered invitations of open waves that have had fewer
 * reminders than the wave allows, the last message at least the wave's interval ago.
 */
export async function scheduleReminders(db: Db): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const due = await trx.selectFrom('invitations')
      .innerJoin('waves', 'waves.id', 'invitations.wave_id')
      .innerJoin('contacts', 'contacts.id', 'invitations.contact_id')
      .select(['invitations.id', 'invitations.organization_id'])
      .where('invitations.used', '=', false).where('invitations.status', '=', 'sent')
      .whereRef('invitations.reminders_sent', '<', 'waves.reminders')
      .where(sql<boolean>`invitations.last_sent_at <= now() - make_interval(days => waves.reminder_days)`)
      .where(waveIsOpen())
      .where(notUnsubscribed)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('mail_jobs').select('mail_jobs.id')
        .whereRef('mail_jobs.invitation_id', '=', 'invitations.id').where('mail_jobs.status', 'in', ['pending', 'sending']))))
      .limit(1000).forUpdate('invitations').skipLocked().execute()
    if (due.length === 0) return 0
    await trx.insertInto('mail_jobs').values(due.map((row) => ({ organization_id: row.organization_id, invitation_id: row.id, kind: 'reminder' as const }))).execute()
    await trx.updateTable('invitations').set({ reminders_sent: sql<number>`reminders_sent + 1` }).where('id', 'in', due.map((row) => row.id)).execute()
    return due.length
  })
}

export async function pauseSending(db: Db, organizationId: string, reason: string): Promise<void> {
  await db.insertInto('mail_state').values({ organization_id: organizationId, paused_at: sql<Date>`now()`, paused_reason: reason })
    .onConflict((oc) => oc.column('organization_id').doUpdateSet({ paused_at: sql<Date>`now()`, paused_reason: reason })).execute()
}

export async function resumeSending(db: Db, organizationId: string): Promise<void> {
  await db.updateTable('mail_state').set({ paused_at: null, paused_reason: null }).where('organization_id', '=', organizationId).execute()
}

export async function sendingState(db: Db, organizationId: string) {
  const row = await db.selectFrom('mail_state').select(['paused_at', 'paused_reason']).where('organization_id', '=', organizationId).executeTakeFirst()
  return { pausedAt: row?.paused_at ?? null, reason: row?.paused_reason ?? null }
}

/**
 * Unsubscribes an address from everything its organization sends (both sides' contacts: the record is
 * the address's) and cancels the mail queued to it. Pass a transaction to land both together.
 */
export async function unsubscribeAddress(db: Db, organizationId: string, email: string): Promise<void> {
  await db.insertInto('unsubscribes').values({ organization_id: organizationId, email })
    .onConflict((oc) => oc.columns(['organization_id', 'email']).doNothing()).execute()
  await db.deleteFrom('mail_jobs').where('status', '=', 'pending').where('organization_id', '=', organizationId)
    .where('invitation_id', 'in', (eb) => eb.selectFrom('invitations').innerJoin('contacts', 'contacts.id', 'invitations.contact_id')
      .select('invitations.id').where('contacts.email', '=', email).where('contacts.organization_id', '=', organizationId))
    .execute()
}

/** Unsubscribes the contact of an invitation from everything its organization sends, and cancels what is queued. */
export async function unsubscribeByInvitation(db: Db, invitationId: string) {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('invitations').innerJoin('contacts', 'contacts.id', 'invitations.contact_id')
      .innerJoin('organizations', 'organizations.id', 'invitations.organization_id')
      .select(['invitations.organization_id', 'contacts.email', 'contacts.locale', 'organizations.name'])
      .where('invitations.id', '=', invitationId).executeTakeFirst()
    if (!row) return null
    await unsubscribeAddress(trx, row.organization_id, row.email)
    return { organizationId: row.organization_id, organizationName: row.name, locale: row.locale }
  })
}
