// The staff pool: staff answers waiting to join the figures, and the release steps that move them
// into `responses`. A pool row names no invitation or contact and keeps its time to the UTC day; the
// form key is kept only as sha256('pool:' + key), which the released response keeps as its
// submission key, while the invitation keeps sha256('invitation:' + key): the key itself lives only
// in the respondent's form, so nobody holding the database alone can join the two hashes.
import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import { NO_UNIT } from '../../db/schema.js'
import type { Channel } from '../domain/types.js'
import type { Answers, ImportedResponse } from '../domain/responses.js'
import type { SavedRelease } from '../domain/release.js'
import { waveIsOpen } from './wave-status.js'

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

/** What a pool row and the response it becomes keep of the form key. */
export const poolKeyHash = (key: string) => sha256(`pool:${key}`)

/** What a staff invitation keeps of the form key that used it. */
export const invitationKeyHash = (key: string) => sha256(`invitation:${key}`)

export interface PoolEntry {
  organizationId: string
  waveId: string
  unitId: string | null
  locale: string
  channel: Channel
  attributes: Record<string, string>
  comment: string | null
  answers: Answers
  submissionKey: string | null
}

/**
 * Puts one staff answer in the pool, as one statement. Returns its id, or null when the form with
 * this key is in the pool or among the responses already. With `onlyIfOpen` (a link's token), only
 * while that link exists and its wave is open, at this moment.
 */
export async function insertPoolEntry(db: Db, entry: PoolEntry, onlyIfOpen: string | null = null): Promise<string | null> {
  const hash = entry.submissionKey === null ? null : poolKeyHash(entry.submissionKey)
  const answers = Object.entries(entry.answers)
  const guard = onlyIfOpen === null ? sql`true` : sql`exists (
    select 1 from links join waves on waves.organization_id = links.organization_id and waves.id = links.wave_id
    where links.organization_id = ${entry.organizationId}::uuid and links.token = ${onlyIfOpen} and links.wave_id = ${entry.waveId}::uuid and ${waveIsOpen()})`
  const { rows } = await sql<{ id: string }>`
    insert into staff_pool (organization_id, wave_id, unit_id, locale, channel, attributes, comment, answers, submission_hash)
    select ${entry.organizationId}::uuid, ${entry.waveId}::uuid, ${entry.unitId}::uuid, ${entry.locale}::text, ${entry.channel}::text,
      ${JSON.stringify(entry.attributes)}::jsonb, ${entry.comment}::text,
      coalesce((select jsonb_object_agg(a.item_key, a.value)
        from unnest(${answers.map(([key]) => key)}::text[], ${answers.map(([, value]) => value)}::int2[]) as a(item_key, value)), '{}'::jsonb),
      ${hash}::text
    where ${guard} and (${hash}::text is null or not exists (
      select 1 from responses where responses.organization_id = ${entry.organizationId}::uuid and responses.wave_id = ${entry.waveId}::uuid
        and responses.submission_key = ${hash}::text))
    on conflict (wave_id, submission_hash) where submission_hash is not null do nothing
    returning id`.execute(db)
  return rows[0]?.id ?? null
}

const CHUNK = 1000

/** Puts a checked batch of staff rows of an import in the pool; returns their ids in input order. `db` is the import's transaction. */
export async function insertPoolEntries(
  db: Db,
  target: { organizationId: string; waveId: string; locale: string; channel: Channel },
  rows: readonly ImportedResponse[],
): Promise<string[]> {
  const ids: string[] = []
  for (let start = 0; start < rows.length; start += CHUNK) {
    const inserted = await db.insertInto('staff_pool').values(rows.slice(start, start + CHUNK).map((row) => ({
      organization_id: target.organizationId,
      wave_id: target.waveId,
      unit_id: row.unitId,
      locale: target.locale,
      channel: target.channel,
      attributes: JSON.stringify(row.attributes),
      comment: row.comment,
      answers: JSON.stringify(row.answers),
      submission_hash: null,
    }))).returning('id').execute()
    ids.push(...inserted.map((row) => row.id))
  }
  return ids
}

export interface PendingAnswer {
  id: string
  unitKey: string
  unitId: string | null
  attributes: Record<string, string>
  answers: Answers
}

/**
 * Locks the wave's staff release (the wave's row, which submissions only share-lock for their foreign
 * keys, so they never wait for it) until the end of the caller's transaction. False when the wave is gone.
 */
export async function lockStaffRelease(trx: Db, organizationId: string, waveId: string): Promise<boolean> {
  const { rows } = await sql<{ id: string }>`
    select id from waves where organization_id = ${organizationId}::uuid and id = ${waveId}::uuid for no key update`.execute(trx)
  return rows.length > 0
}

/**
 * The wave's pool, after dropping entries whose form was released already (the same form sent again
 * while its first copy moved to the responses). `trx` holds lockStaffRelease.
 */
export async function pendingStaffAnswers(trx: Db, organizationId: string, waveId: string): Promise<PendingAnswer[]> {
  await sql`delete from staff_pool p where p.organization_id = ${organizationId}::uuid and p.wave_id = ${waveId}::uuid and p.submission_hash is not null
    and exists (select 1 from responses r where r.organization_id = p.organization_id and r.wave_id = p.wave_id and r.submission_key = p.submission_hash)`.execute(trx)
  const rows = await trx.selectFrom('staff_pool').select(['id', 'unit_id', 'attributes', 'answers'])
    .where('organization_id', '=', organizationId).where('wave_id', '=', waveId).execute()
  return rows.map((row) => ({ id: row.id, unitKey: row.unit_id ?? NO_UNIT, unitId: row.unit_id, attributes: row.attributes, answers: row.answers }))
}

/**
 * Moves pool entries into the responses in the order given (the caller shuffles it), each keeping its
 * id and its form key's hash, with the step's day as its time (no finer than the release step) and the
 * step's number (the export keeps each step's rows k-anonymous on their own), and records the step
 * with the release it makes. The caller adds them to the rollups in the same transaction, `trx`,
 * which holds lockStaffRelease.
 */
export async function releaseStaffAnswers(trx: Db, organizationId: string, waveId: string, ids: readonly string[], step: number, shown: SavedRelease): Promise<void> {
  const { rows: moved } = await sql<{ id: string }>`
    insert into responses (id, organization_id, wave_id, side, unit_id, locale, channel, attributes, comment, submission_key, submitted_at, release_step, staff_answers)
    select p.id, p.organization_id, p.wave_id, 'staff', p.unit_id, p.locale, p.channel, p.attributes, p.comment, p.submission_hash,
      date_trunc('day', now(), 'UTC'), ${step}::int, p.answers
    from unnest(${ids}::uuid[]) with ordinality as t(id, n) join staff_pool p on p.organization_id = ${organizationId}::uuid and p.id = t.id and p.wave_id = ${waveId}::uuid
    order by t.n
    returning id`.execute(trx)
  if (moved.length !== ids.length) throw new Error('a pool entry to release is gone')
  await sql`delete from staff_pool where organization_id = ${organizationId}::uuid and wave_id = ${waveId}::uuid and id = any(${ids}::uuid[])`.execute(trx)
  await trx.insertInto('staff_releases').values({ organization_id: organizationId, wave_id: waveId, seq: step, respondents: ids.length, shown: JSON.stringify(shown) }).execute()
}

/** The release the wave's last staff step stored, with its step; null before the first step. */
export async function lastStaffRelease(db: Db, organizationId: string, waveId: string): Promise<{ step: number; shown: SavedRelease } | null> {
  const row = await db.selectFrom('staff_releases').select(['seq', 'shown']).where('organization_id', '=', organizationId).where('wave_id', '=', waveId).orderBy('seq', 'desc').limit(1).executeTakeFirst()
  return row ? { step: row.seq, shown: row.shown } : null
}

export interface StaffReleaseState {
  /** When the staff figures last changed; null before the first step. */
  releasedAt: Date | null
  /** The number of the last step; 0 before the first. */
  seq: number
  /** Staff answers waiting for a step. */
  pending: number
}

/** What the dashboard says about the staff figures: "as of …; N answers waiting". */
export async function staffReleaseState(db: Db, organizationId: string, waveId: string): Promise<StaffReleaseState> {
  const { rows } = await sql<{ released_at: Date | null; seq: number | null; pending: number }>`
    select (select max(released_at) from staff_releases where organization_id = ${organizationId}::uuid and wave_id = ${waveId}::uuid) as released_at,
      (select max(seq) from staff_releases where organization_id = ${organizationId}::uuid and wave_id = ${waveId}::uuid) as seq,
      (select count(*) from staff_pool where organization_id = ${organizationId}::uuid and wave_id = ${waveId}::uuid)::int as pending`.execute(db)
  const row = rows[0]!
  return { releasedAt: row.released_at, seq: row.seq ?? 0, pending: row.pending }
}

/**
 * Waves with staff answers waiting, for the background steps: open ones, and closed ones (a wave
 * closing gets its last step), with how many are waiting and whether the wave is still open.
 */
export async function wavesWithPendingStaff(db: Db): Promise<Array<{ organizationId: string; waveId: string; minGroupSize: number; pending: number; open: boolean }>> {
  const { rows } = await sql<{ organization_id: string; wave_id: string; min_group_size: number; pending: number; open: boolean }>`
    select p.organization_id, p.wave_id, o.min_group_size, count(*)::int as pending, ${waveIsOpen()} as open
    from staff_pool p join waves on waves.organization_id = p.organization_id and waves.id = p.wave_id join organizations o on o.id = waves.organization_id
    group by p.organization_id, p.wave_id, o.min_group_size, waves.status, waves.opens_at, waves.closes_at`.execute(db)
  return rows.map((row) => ({ organizationId: row.organization_id, waveId: row.wave_id, minGroupSize: row.min_group_size, pending: row.pending, open: row.open }))
}

/** The organization's minimum group size for a wave's figures, or undefined when the wave is gone. */
export async function waveMinGroupSize(db: Db, organizationId: string, waveId: string): Promise<number | undefined> {
  const row = await db.selectFrom('waves').innerJoin('organizations', 'organizations.id', 'waves.organization_id')
    .select('organizations.min_group_size').where('waves.organization_id', '=', organizationId).where('waves.id', '=', waveId).executeTakeFirst()
  return row?.min_group_size
}
