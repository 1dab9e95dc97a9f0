// Storing responses: one survey at a time from the respondent pages, or many at once from an import.
// Staff anonymity is kept here: a staff answer stores no invitation, contact, address or device, and
// its time is kept to the day only. It goes to the staff pool (staff-pool.ts), never in the
// transaction that uses its invitation, and joins `responses` later with others, in a release step.
import { sql } from 'kysely'
import { isForeignKeyViolation, type Db } from '../../db/connect.js'
import type { Channel, Side } from '../domain/types.js'
import type { Answers, ImportedResponse } from '../domain/responses.js'
import { answerVector, notApplicablePositions } from '../domain/measures.js'
import { hashToken, randomToken } from '../security/tokens.js'
import { addToRollups, measureItems } from './rollups.js'
import { waveIsOpen } from './wave-status.js'
import { atomically } from './atomically.js'
import { insertPoolEntries, insertPoolEntry, invitationKeyHash } from './staff-pool.js'

export type SurveyEntry =
  | { kind: 'link'; organizationId: string; waveId: string; side: Side; unitId: string | null }
  | { kind: 'invitation'; invitationId: string; organizationId: string; waveId: string; side: Side; unitId: string | null; locale: string | null; attributes: Record<string, string>; used: boolean }

export interface NewInvitation {
  organizationId: string
  waveId: string
  side: Side
  unitId?: string | null
  locale?: string | null
  attributes?: Record<string, string>
}

/** Creates a personal single-use invitation and returns its token (128 bits; only its hash is kept). */
export async function createInvitation(db: Db, invitation: NewInvitation): Promise<string> {
  const token = randomToken(16)
  await db.insertInto('invitations').values({
    organization_id: invitation.organizationId,
    wave_id: invitation.waveId,
    side: invitation.side,
    unit_id: invitation.unitId ?? null,
    locale: invitation.locale ?? null,
    attributes: JSON.stringify(invitation.attributes ?? {}),
    token_hash: hashToken(token),
  }).execute()
  return token
}

export interface NewResponse {
  organizationId: string
  waveId: string
  side: Side
  unitId: string | null
  locale: string
  channel: Channel
  attributes: Record<string, string>
  comment: string | null
  answers: Answers
  /** The form's one-time key: the same form sent twice is stored once. */
  submissionKey: string | null
  /** Set when the response comes through a personal invitation, which it then uses up. */
  invitationId?: string
}

export type StoreResult = 'stored' | 'duplicate' | 'invitation_used'

/**
 * Inserts one response, its answers in its row, and its entry in the fold's queue, as one statement:
 * atomic by itself, or part of the caller's transaction. Returns the new id, or null when a form with
 * the same submission key is stored already; then nothing at all is written. The row joins the rollups
 * when the fold takes it off the queue (rollups.ts); until then every reader counts it from the row.
 *
 * Customers only: a staff answer goes to the pool (insertPoolEntry) and joins the figures in a step.
 */
async function insertResponse(db: Db, response: Omit<NewResponse, 'invitationId'>, onlyIfOpen: string | null = null): Promise<string | null> {
  const items = await measureItems(db, response.waveId)
  // Only while the link with this token exists and its wave is open, at this moment.
  const guard = onlyIfOpen === null ? sql`true` : sql`exists (
    select 1 from links join waves on waves.organization_id = links.organization_id and waves.id = links.wave_id
    where links.organization_id = ${response.organizationId}::uuid and links.token = ${onlyIfOpen} and links.wave_id = ${response.waveId}::uuid
      and ${waveIsOpen()})`
  const { rows } = await sql<{ id: string }>`
    with inserted as (
    insert into responses (organization_id, wave_id, side, unit_id, locale, channel, attributes, comment, submission_key, submitted_at,
      answer_values, not_applicable)
    select ${response.organizationId}::uuid, ${response.waveId}::uuid, ${response.side}::text, ${response.unitId}::uuid, ${response.locale}::text,
      ${response.channel}::text, ${JSON.stringify(response.attributes)}::jsonb, ${response.comment}::text, ${response.submissionKey}::text,
      now(), ${answerVector(items, response.answers)}::int2[], ${notApplicable(items, response.answers)}::int2[]
    where ${guard}
    on conflict (wave_id, submission_key) where submission_key is not null do nothing
    returning id
    )
    insert into fold_queue (organization_id, wave_id, response_id)
    select ${response.organizationId}::uuid, ${response.waveId}::uuid, id from inserted
    returning response_id as id`.execute(db)
  return rows[0]?.id ?? null
}

/** The positions answered "not applicable", or null for none (most forms). */
function notApplicable(items: Parameters<typeof notApplicablePositions>[0], answers: Answers): number[] | null {
  const positions = notApplicablePositions(items, answers)
  return positions.length === 0 ? null : positions
}

/**
 * Stores a public link's form only if, at this moment, the link exists and its wave is open: for a
 * caller that checked everything else against a copy of the survey read a moment earlier. False when
 * nothing was stored, whatever the reason (the wave closed, the link or the chosen unit is gone, the
 * form is stored already); the caller then goes the long way, which reads everything afresh.
 */
export async function storeIfOpen(db: Db, linkToken: string, response: Omit<NewResponse, 'invitationId'>): Promise<boolean> {
  try {
    if (response.side === 'staff') return (await insertPoolEntry(db, response, linkToken)) !== null
    return (await insertResponse(db, response, linkToken)) !== null
  } catch (error) {
    // 23503: a foreign key refused the row (the unit was deleted in the meantime).
    if (isForeignKeyViolation(error)) return false
    throw error
  }
}

/**
 * Stores one form. A customer's response is stored with its answers and rollups and uses up its
 * invitation, all or nothing. A staff answer goes to the pool and waits for a release step; with an
 * invitation, the invitation is used up first, in a statement of its own, recording only the hash of
 * the form key, and the answer follows in another, so that no transaction (xmin) joins the two. A
 * retry of the same form (same key) after a crash between the two still stores it, once.
 */
export async function storeResponse(db: Db, response: NewResponse): Promise<StoreResult> {
  if (response.side === 'staff') return storeStaffAnswer(db, response)
  // A public link's form is one statement, so it needs no transaction around it.
  if (!response.invitationId) return (await insertResponse(db, response)) === null ? 'duplicate' : 'stored'
  return db.transaction().execute(async (trx) => {
    const used = await trx.updateTable('invitations')
      .set({ used: true, used_at: sql<Date>`now()` })
      .where('id', '=', response.invitationId!).where('used', '=', false)
      .executeTakeFirst()
    if (used.numUpdatedRows === 0n) {
      const again = response.submissionKey !== null && await trx.selectFrom('responses').select('id')
        .where('wave_id', '=', response.waveId).where('submission_key', '=', response.submissionKey).executeTakeFirst()
      return again ? 'duplicate' : 'invitation_used'
    }
    return (await insertResponse(trx, response)) === null ? 'duplicate' : 'stored'
  })
}

async function storeStaffAnswer(db: Db, response: NewResponse): Promise<StoreResult> {
  const { invitationId, ...answer } = response
  if (invitationId) {
    // Never inside a caller's transaction: the invitation's use must commit on its own.
    if (db.isTransaction) throw new Error('a staff invitation\'s answer must not share a transaction with its use')
    const keyHash = response.submissionKey === null ? null : invitationKeyHash(response.submissionKey)
    const used = await db.updateTable('invitations').set({ used: true, used_key_hash: keyHash })
      .where('id', '=', invitationId).where('used', '=', false).executeTakeFirst()
    if (used.numUpdatedRows === 0n) {
      // Used already: by this very form (a retry, or a crash before its answer was stored), or by another.
      const invitation = await db.selectFrom('invitations').select('used_key_hash').where('id', '=', invitationId).executeTakeFirst()
      if (keyHash === null || invitation?.used_key_hash !== keyHash) return 'invitation_used'
    }
  }
  return (await insertPoolEntry(db, answer)) === null ? 'duplicate' : 'stored'
}

const CHUNK = 1000

/**
 * Stores a checked batch all together: every row or none. Returns the new ids in input order. Joins
 * the caller's transaction when given one, so a caller can make more than the import atomic.
 */
export async function importResponses(
  db: Db,
  target: { organizationId: string; waveId: string; locale: string; channel: Channel },
  rows: readonly ImportedResponse[],
): Promise<string[]> {
  // One row (an integration sending responses one at a time) is one statement: no transaction needed.
  if (rows.length === 1) {
    const row = { ...target, ...rows[0]!, submissionKey: null }
    return [(row.side === 'staff' ? await insertPoolEntry(db, row) : await insertResponse(db, row))!]
  }
  const ids: string[] = new Array(rows.length)
  const staff = rows.flatMap((row, i) => (row.side === 'staff' ? [i] : []))
  const customers = rows.flatMap((row, i) => (row.side === 'customer' ? [i] : []))
  return atomically(db, async (trx) => {
    const poolIds = await insertPoolEntries(trx, target, staff.map((i) => rows[i]!))
    staff.forEach((i, n) => { ids[i] = poolIds[n]! })
    const customerRows = customers.map((i) => rows[i]!)
    const items = await measureItems(trx, target.waveId)
    for (let start = 0; start < customerRows.length; start += CHUNK) {
      const chunk = customerRows.slice(start, start + CHUNK)
      const inserted = await trx.insertInto('responses').values(chunk.map((row) => ({
        organization_id: target.organizationId,
        wave_id: target.waveId,
        side: row.side,
        unit_id: row.unitId,
        locale: target.locale,
        channel: target.channel,
        attributes: JSON.stringify(row.attributes),
        comment: row.comment,
        submission_key: null,
        answer_values: sql<Array<number | null>>`${answerVector(items, row.answers)}::int2[]`,
        not_applicable: notApplicable(items, row.answers),
      }))).returning('id').execute()
      inserted.forEach((row, n) => { ids[customers[start + n]!] = row.id })
    }
    await addToRollups(trx, target.organizationId, target.waveId, customerRows)
    return ids
  })
}

/** Responses in the figures per side: for staff, those released so far (answers in the pool are not counted). */
export async function countResponses(db: Db, organizationId: string, waveId: string) {
  const rows = await db.selectFrom('responses').select(['side', (eb) => eb.fn.countAll<number>().as('count')])
    .where('organization_id', '=', organizationId).where('wave_id', '=', waveId).groupBy('side').execute()
  return { staff: rows.find((r) => r.side === 'staff')?.count ?? 0, customer: rows.find((r) => r.side === 'customer')?.count ?? 0 }
}
