// Storing responses: one survey at a time from the respondent pages, or many at once from an import.
// Staff anonymity is kept here: a staff response stores no invitation, contact, address or device,
// and its time is kept to the day only.
import { sql } from 'kysely'
import { isForeignKeyViolation, type Db } from '../../db/connect.js'
import { NO_UNIT } from '../../db/schema.js'
import type { Channel, Side } from '../domain/types.js'
import type { Answers, ImportedResponse } from '../domain/responses.js'
import { hashToken, randomToken } from '../security/tokens.js'
import { addToRollups, itemDimensions, randomSlot, rollupTotals } from './rollups.js'
import { waveIsOpen } from './wave-status.js'
import { atomically } from './atomically.js'

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

/** The time a response records: exact for customers, the day only for staff. */
const submittedAt = (side: Side) => (side === 'staff' ? sql<Date>`date_trunc('day', now(), 'UTC')` : sql<Date>`now()`)

/**
 * Inserts one response with its answers and its share of the rollups as a single statement: one round
 * trip, atomic by itself, or part of the caller's transaction. Returns the new id, or null when a form
 * with the same submission key is stored already; then nothing at all is written.
 *
 * The sub-statements of a WITH run in no set order unless one reads another, so each rollup insert waits
 * for the count of the one before: rows are locked answers → dimensions → responses, each in sorted
 * order, as addToRollups does, so this and a batch import can never deadlock each other.
 */
async function insertResponse(db: Db, response: Omit<NewResponse, 'invitationId'>, onlyIfOpen: string | null = null): Promise<string | null> {
  const totals = rollupTotals(await itemDimensions(db, response.waveId), [response])
  const slot = randomSlot()
  const unit = response.unitId ?? NO_UNIT
  const answers = Object.entries(response.answers)
  // Only while the link with this token exists and its wave is open, at this moment.
  const guard = onlyIfOpen === null ? sql`true` : sql`exists (
    select 1 from links join waves on waves.id = links.wave_id
    where links.token = ${onlyIfOpen} and links.wave_id = ${response.waveId}::uuid and ${waveIsOpen()})`
  const { rows } = await sql<{ id: string }>`
    with inserted as (
      insert into responses (organization_id, wave_id, side, unit_id, locale, channel, attributes, comment, submission_key, submitted_at)
      select ${response.organizationId}::uuid, ${response.waveId}::uuid, ${response.side}::text, ${response.unitId}::uuid, ${response.locale}::text,
        ${response.channel}::text, ${JSON.stringify(response.attributes)}::jsonb, ${response.comment}::text, ${response.submissionKey}::text,
        ${submittedAt(response.side)}
      where ${guard}
      on conflict (wave_id, submission_key) where submission_key is not null do nothing
      returning id
    ), new_answers as (
      insert into answers (response_id, item_key, value)
      select inserted.id, a.item_key, a.value
      from inserted, unnest(${answers.map(([key]) => key)}::text[], ${answers.map(([, value]) => value)}::int2[]) as a(item_key, value)
    ), answer_totals as (
      insert into answer_rollups (wave_id, side, unit_key, item_key, value, slot, count)
      select ${response.waveId}::uuid, ${response.side}::text, ${unit}::uuid, t.item_key, t.value, ${slot}::int2, t.count
      from inserted, unnest(${totals.answers.map((t) => t.item)}::text[], ${totals.answers.map((t) => t.value)}::int2[],
        ${totals.answers.map((t) => t.count)}::int4[]) with ordinality as t(item_key, value, count, n)
      order by t.n
      on conflict (wave_id, side, unit_key, item_key, value, slot) do update set count = answer_rollups.count + excluded.count
      returning 1
    ), dimension_totals as (
      insert into dimension_rollups (wave_id, side, unit_key, dimension, slot, respondents, agree, mean_sum)
      select ${response.waveId}::uuid, ${response.side}::text, ${unit}::uuid, t.dimension, ${slot}::int2, t.respondents, t.agree, t.mean_sum
      from inserted, unnest(${totals.dimensions.map((t) => t.dimension)}::text[], ${totals.dimensions.map((t) => t.respondents)}::int4[],
        ${totals.dimensions.map((t) => t.agree)}::int4[], ${totals.dimensions.map((t) => t.meanSum)}::float8[]) with ordinality as t(dimension, respondents, agree, mean_sum, n)
      where (select count(*) from answer_totals) >= 0
      order by t.n
      on conflict (wave_id, side, unit_key, dimension, slot) do update set respondents = dimension_rollups.respondents + excluded.respondents,
        agree = dimension_rollups.agree + excluded.agree, mean_sum = dimension_rollups.mean_sum + excluded.mean_sum
      returning 1
    ), response_totals as (
      insert into response_rollups (wave_id, side, unit_key, slot, respondents)
      select ${response.waveId}::uuid, ${response.side}::text, ${unit}::uuid, ${slot}::int2, 1 from inserted
      where (select count(*) from dimension_totals) >= 0
      on conflict (wave_id, side, unit_key, slot) do update set respondents = response_rollups.respondents + excluded.respondents
      returning 1
    )
    select id from inserted where (select count(*) from response_totals) >= 0`.execute(db)
  return rows[0]?.id ?? null
}

/**
 * Stores a public link's form only if, at this moment, the link exists and its wave is open: for a
 * caller that checked everything else against a copy of the survey read a moment earlier. False when
 * nothing was stored, whatever the reason (the wave closed, the link or the chosen unit is gone, the
 * form is stored already); the caller then goes the long way, which reads everything afresh.
 */
export async function storeIfOpen(db: Db, linkToken: string, response: Omit<NewResponse, 'invitationId'>): Promise<boolean> {
  try {
    return (await insertResponse(db, response, linkToken)) !== null
  } catch (error) {
    // 23503: a foreign key refused the row (the unit was deleted in the meantime).
    if (isForeignKeyViolation(error)) return false
    throw error
  }
}

/** Stores one response with its answers and rollups, and uses up its invitation, all or nothing. */
export async function storeResponse(db: Db, response: NewResponse): Promise<StoreResult> {
  // A public link's form is one statement, so it needs no transaction around it.
  if (!response.invitationId) return (await insertResponse(db, response)) === null ? 'duplicate' : 'stored'
  return db.transaction().execute(async (trx) => {
    const used = await trx.updateTable('invitations')
      .set({ used: true, used_at: response.side === 'customer' ? sql<Date>`now()` : null })
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
  if (rows.length === 1) return [(await insertResponse(db, { ...target, ...rows[0]!, submissionKey: null }))!]
  return atomically(db, async (trx) => {
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
