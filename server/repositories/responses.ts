// Storing responses: one survey at a time from the respondent pages, or many at once from an import.
// Staff anonymity is kept here: a staff response stores no invitation, contact, address or device,
// and its time is kept to the day only.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { Channel, Side } from '../../db/schema.js'
import type { Answers, ImportedResponse } from '../domain/responses.js'
import { hashToken, randomToken } from '../security/tokens.js'
import { addToRollups } from './rollups.js'

export type SurveyEntry =
  | { kind: 'link'; organizationId: string; waveId: string; side: Side; unitId: string | null }
  | { kind: 'invitation'; invitationId: string; organizationId: string; waveId: string; side: Side; unitId: string | null; locale: string | null; attributes: Record<string, string>; used: boolean }

/** What a survey token opens: a public link (stored as is) or a personal invitation (stored hashed). */
export async function resolveSurveyToken(db: Db, token: string): Promise<SurveyEntry | undefined> {
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(token)) return undefined
  const link = await db.selectFrom('links').select(['organization_id', 'wave_id', 'side', 'unit_id']).where('token', '=', token).executeTakeFirst()
  if (link) return { kind: 'link', organizationId: link.organization_id, waveId: link.wave_id, side: link.side, unitId: link.unit_id }
  const invitation = await db.selectFrom('invitations')
    .select(['id', 'organization_id', 'wave_id', 'side', 'unit_id', 'locale', 'attributes', 'used'])
    .where('token_hash', '=', hashToken(token)).executeTakeFirst()
  if (!invitation) return undefined
  return {
    kind: 'invitation', invitationId: invitation.id, organizationId: invitation.organization_id, waveId: invitation.wave_id,
    side: invitation.side, unitId: invitation.unit_id, locale: invitation.locale, attributes: invitation.attributes, used: invitation.used,
  }
}

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

/** The time a response records: exact for customers, the day only for staff. */
const submittedAt = (side: Side) => (side === 'staff' ? sql<Date>`date_trunc('day', now(), 'UTC')` : sql<Date>`now()`)

/** True when a form with this submission key has already been stored for the wave. */
export async function submissionStored(db: Db, waveId: string, submissionKey: string): Promise<boolean> {
  const row = await db.selectFrom('responses').select('id').where('wave_id', '=', waveId).where('submission_key', '=', submissionKey).executeTakeFirst()
  return row !== undefined
}

/** Stores one response with its answers, and uses up its invitation, in one transaction. */
export async function storeResponse(db: Db, response: NewResponse): Promise<StoreResult> {
  return db.transaction().execute(async (trx) => {
    if (response.invitationId) {
      const used = await trx.updateTable('invitations')
        .set({ used: true, used_at: response.side === 'customer' ? sql<Date>`now()` : null })
        .where('id', '=', response.invitationId).where('used', '=', false)
        .executeTakeFirst()
      if (used.numUpdatedRows === 0n) {
        const again = response.submissionKey !== null && await trx.selectFrom('responses').select('id')
          .where('wave_id', '=', response.waveId).where('submission_key', '=', response.submissionKey).executeTakeFirst()
        return again ? 'duplicate' : 'invitation_used'
      }
    }
    const inserted = await trx.insertInto('responses').values({
      organization_id: response.organizationId,
      wave_id: response.waveId,
      side: response.side,
      unit_id: response.unitId,
      locale: response.locale,
      channel: response.channel,
      attributes: JSON.stringify(response.attributes),
      comment: response.comment,
      submission_key: response.submissionKey,
      submitted_at: submittedAt(response.side),
    })
      .onConflict((oc) => oc.columns(['wave_id', 'submission_key']).where('submission_key', 'is not', null).doNothing())
      .returning('id').executeTakeFirst()
    if (!inserted) return 'duplicate'
    const answers = Object.entries(response.answers).map(([item_key, value]) => ({ response_id: inserted.id, item_key, value }))
    if (answers.length > 0) await trx.insertInto('answers').values(answers).execute()
    await addToRollups(trx, response.waveId, [response])
    return 'stored'
  })
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
  const inTransaction = <T>(fn: (trx: Db) => Promise<T>) => (db.isTransaction ? fn(db) : db.transaction().execute(fn))
  return inTransaction(async (trx) => {
    const ids: string[] = []
    for (let start = 0; start < rows.length; start += CHUNK) {
      const chunk = rows.slice(start, start + CHUNK)
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
        submitted_at: submittedAt(row.side),
      }))).returning('id').execute()
      const chunkIds = inserted.map((row) => row.id)
      const answers = chunk.flatMap((row, i) => Object.entries(row.answers).map(([item_key, value]) => ({ response_id: chunkIds[i]!, item_key, value })))
      for (let a = 0; a < answers.length; a += CHUNK * 12) await trx.insertInto('answers').values(answers.slice(a, a + CHUNK * 12)).execute()
      ids.push(...chunkIds)
    }
    await addToRollups(trx, target.waveId, rows)
    return ids
  })
}

export async function countResponses(db: Db, organizationId: string, waveId: string) {
  const rows = await db.selectFrom('responses').select(['side', (eb) => eb.fn.countAll<number>().as('count')])
    .where('organization_id', '=', organizationId).where('wave_id', '=', waveId).groupBy('side').execute()
  return { staff: rows.find((r) => r.side === 'staff')?.count ?? 0, customer: rows.find((r) => r.side === 'customer')?.count ?? 0 }
}
