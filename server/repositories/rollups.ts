// Keeping the rollups: the totals every report reads instead of every answer. Responses reach them in
// one of two ways. Batches (staff release steps, imports) add their totals inside the transaction that
// stores them. A public form, one at a time, only puts its id on a queue (fold_queue) in the statement
// that stores it: the fold (foldRollups, run every moment in the background) takes a batch off the
// queue and adds it to the rollups in one transaction, and readers add the queued rows (the tail) to
// what the rollups say, in the same statement. Either way the figures equal a recount at every moment;
// a form costs its row and a queue entry, and the rollups see one writer per batch, not one per form. Totals are always upserted in one sorted order — answers, dimensions, responses, profiles,
// each sorted by key — so two transactions that touch the same totals cannot deadlock.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import { NO_UNIT } from '../../db/schema.js'
import type { Side } from '../domain/types.js'
import { answersFromVector, measureVector, type MeasureItem } from '../domain/measures.js'
import type { Answers } from '../domain/responses.js'
import { countsInDimension } from '../domain/report.js'
import { agreesOnDimension, dimensionMean } from '../domain/statistics.js'
import { LocalCache } from '../local-cache.js'
import { waveItems } from './instruments.js'
import { waveHoldsAnswers } from './waves.js'

/**
 * A wave's items in position order, as the measures need them, with whether its staff predict each
 * (waveItems, which the release reads too, so both count the same measures). A wave's instrument never
 * changes, and its prediction questions only while it holds no answer at all (repositories/waves.ts
 * setWavePredictions). So the items are kept only once the wave holds an answer that is committed
 * (read outside a transaction, which could still be undone): every instance then keeps the same, and
 * none can count an answer under a mode another instance has just changed. The entry is dropped when
 * they change all the same (forgetMeasureItems).
 */
const itemsByWave = new LocalCache<string, MeasureItem[]>()

export async function measureItems(db: Db, waveId: string): Promise<MeasureItem[]> {
  const kept = itemsByWave.get(waveId)
  if (kept) return kept
  // Whether it holds an answer first: from then on the items read next are final.
  const final = !db.isTransaction && (await waveHoldsAnswers(db, waveId))
  const items = (await waveItems(db, waveId)).map((item) => ({ key: item.key, dimension: item.dimension, headline: item.headline, scale: item.scale, predicted: item.predicted }))
  if (final) itemsByWave.set(waveId, items)
  return items
}

/** Drops what is kept of a wave's measures (its prediction questions changed). */
export function forgetMeasureItems(waveId: string): void {
  itemsByWave.delete(waveId)
}

export interface RolledResponse {
  side: Side
  unitId: string | null
  attributes: Readonly<Record<string, string>>
  answers: Answers
}

export interface RollupTotals {
  answers: Array<{ side: Side; unit: string; item: string; value: number; count: number }>
  dimensions: Array<{ side: Side; unit: string; dimension: string; respondents: number; agree: number; meanSum: number }>
  responses: Array<{ side: Side; unit: string; respondents: number }>
  /** `attributes` as JSON with its names sorted, so that equal sets (equal in jsonb) are one row. */
  profiles: Array<{ side: Side; unit: string; attributes: string; counts: number[] }>
}

/** Attributes as JSON, names sorted: one text per set, whatever order its names came in. */
export const canonicalAttributes = (attributes: Readonly<Record<string, string>>) =>
  JSON.stringify(Object.fromEntries(Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))))

/** The totals a set of responses adds to the rollups, each list in one sorted order (see the top of the file). */
export function rollupTotals(items: readonly MeasureItem[], responses: readonly RolledResponse[]): RollupTotals {
  const dimensions = new Map(items.filter(countsInDimension).map((item) => [item.key, item.dimension]))
  const answerTotals = new Map<string, RollupTotals['answers'][number]>()
  const dimensionTotals = new Map<string, RollupTotals['dimensions'][number]>()
  const responseTotals = new Map<string, RollupTotals['responses'][number]>()
  const profileTotals = new Map<string, RollupTotals['profiles'][number]>()

  for (const response of responses) {
    const unit = response.unitId ?? NO_UNIT
    const attributes = canonicalAttributes(response.attributes)
    const profileKey = `${response.side}|${unit}|${attributes}`
    const vector = measureVector(items, response.answers)
    const profile = profileTotals.get(profileKey)
    if (profile) vector.forEach((count, i) => { profile.counts[i]! += count })
    else profileTotals.set(profileKey, { side: response.side, unit, attributes, counts: vector })
    const perDimension = new Map<string, number[]>()
    for (const [item, value] of Object.entries(response.answers)) {
      if (value === null) continue
      const key = `${response.side}|${unit}|${item}|${value}`
      const entry = answerTotals.get(key) ?? { side: response.side, unit, item, value, count: 0 }
      entry.count++
      answerTotals.set(key, entry)
      const dimension = dimensions.get(item)
      if (dimension) perDimension.set(dimension, [...(perDimension.get(dimension) ?? []), value])
    }
    for (const [dimension, values] of perDimension) {
      const mean = dimensionMean(values)!
      const key = `${response.side}|${unit}|${dimension}`
      const entry = dimensionTotals.get(key) ?? { side: response.side, unit, dimension, respondents: 0, agree: 0, meanSum: 0 }
      entry.respondents++
      if (agreesOnDimension(values)) entry.agree++
      entry.meanSum += mean
      dimensionTotals.set(key, entry)
    }
    const key = `${response.side}|${unit}`
    const entry = responseTotals.get(key) ?? { side: response.side, unit, respondents: 0 }
    entry.respondents++
    responseTotals.set(key, entry)
  }

  const sorted = <T>(map: Map<string, T>) => [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v)
  return { answers: sorted(answerTotals), dimensions: sorted(dimensionTotals), responses: sorted(responseTotals), profiles: sorted(profileTotals) }
}

/** Adds the conflicting row's counts to the new ones, entry by entry (one entry per measure). */
export const ADD_COUNTS = sql<number[]>`(select array_agg(a + b order by i) from unnest(profile_rollups.counts, excluded.counts) with ordinality as t(a, b, i))`

/**
 * Adds responses of one wave to its rollups: `db` is the transaction that stores them (or folds them),
 * `step` the staff release step they join at (0 for customers).
 */
export async function addToRollups(db: Db, organizationId: string, waveId: string, responses: readonly RolledResponse[], step = 0): Promise<void> {
  if (responses.length === 0) return
  await addTotals(db, organizationId, waveId, rollupTotals(await measureItems(db, waveId), responses), step, 1)
}

const CHUNK = 5000

/**
 * Adds totals to a wave's rollups (sign 1) or takes them out (−1). Taken out, a total that comes to
 * nothing is removed, so the tables hold what a fresh count would.
 */
export async function addTotals(db: Db, organizationId: string, waveId: string, totals: RollupTotals, step: number, sign: 1 | -1): Promise<void> {
  const key = { organization_id: organizationId, wave_id: waveId }
  const { answers, dimensions } = totals
  for (let start = 0; start < answers.length; start += CHUNK) {
    await db.insertInto('answer_rollups')
      .values(answers.slice(start, start + CHUNK).map((a) => ({ ...key, side: a.side, unit_key: a.unit, item_key: a.item, value: a.value, count: sign * a.count })))
      .onConflict((oc) => oc.columns(['organization_id', 'wave_id', 'side', 'unit_key', 'item_key', 'value'])
        .doUpdateSet({ count: sql`answer_rollups.count + excluded.count` }))
      .execute()
  }
  if (dimensions.length > 0) {
    await db.insertInto('dimension_rollups')
      .values(dimensions.map((d) => ({ ...key, side: d.side, unit_key: d.unit, dimension: d.dimension, respondents: sign * d.respondents, agree: sign * d.agree, mean_sum: sign * d.meanSum })))
      .onConflict((oc) => oc.columns(['organization_id', 'wave_id', 'side', 'unit_key', 'dimension']).doUpdateSet({
        respondents: sql`dimension_rollups.respondents + excluded.respondents`,
        agree: sql`dimension_rollups.agree + excluded.agree`,
        mean_sum: sql`dimension_rollups.mean_sum + excluded.mean_sum`,
      }))
      .execute()
  }
  if (totals.responses.length > 0) {
    await db.insertInto('response_rollups')
      .values(totals.responses.map((r) => ({ ...key, side: r.side, unit_key: r.unit, respondents: sign * r.respondents })))
      .onConflict((oc) => oc.columns(['organization_id', 'wave_id', 'side', 'unit_key']).doUpdateSet({ respondents: sql`response_rollups.respondents + excluded.respondents` }))
      .execute()
  }
  await addProfiles(db, organizationId, waveId, totals.profiles, step, sign)
  if (sign === 1) return
  const wave = sql`organization_id = ${organizationId}::uuid and wave_id = ${waveId}::uuid`
  await sql`delete from answer_rollups where ${wave} and count = 0`.execute(db)
  await sql`delete from dimension_rollups where ${wave} and respondents = 0`.execute(db)
  await sql`delete from response_rollups where ${wave} and respondents = 0`.execute(db)
}

/** Adds profile counts (sign 1) or takes them out (−1, removing profiles left with no respondent). */
export async function addProfiles(db: Db, organizationId: string, waveId: string, profiles: RollupTotals['profiles'], step: number, sign: 1 | -1): Promise<void> {
  for (let start = 0; start < profiles.length; start += CHUNK) {
    await db.insertInto('profile_rollups')
      .values(profiles.slice(start, start + CHUNK).map((p) => ({
        organization_id: organizationId, wave_id: waveId, side: p.side, unit_key: p.unit, attributes: p.attributes, step, counts: p.counts.map((c) => sign * c),
      })))
      .onConflict((oc) => oc.columns(['organization_id', 'wave_id', 'side', 'unit_key', 'attributes', 'step']).doUpdateSet({ counts: ADD_COUNTS }))
      .execute()
  }
  if (sign === -1 && profiles.length > 0) {
    await sql`delete from profile_rollups where organization_id = ${organizationId}::uuid and wave_id = ${waveId}::uuid and counts[1] = 0`.execute(db)
  }
}

/** What readers need of a queued row to count it (tailResponses turns it into a RolledResponse). */
export const TAIL_COLUMNS = sql`r.unit_id, r.attributes, r.answer_values, r.not_applicable`

/**
 * The fold's tail of a wave: its queued rows (`r`) not yet in the rollups, to select TAIL_COLUMNS from;
 * within one organization when the caller knows it.
 */
export const tailOf = (waveId: string, organizationId: string | null = null) => organizationId === null
  ? sql`fold_queue q join responses r on r.id = q.response_id where q.wave_id = ${waveId}::uuid`
  : sql`fold_queue q join responses r on r.organization_id = q.organization_id and r.id = q.response_id
      where q.organization_id = ${organizationId}::uuid and q.wave_id = ${waveId}::uuid`

export interface TailRow {
  unit_id: string | null
  attributes: Record<string, string>
  answer_values: Array<number | null>
  not_applicable: number[] | null
}

/** The tail's rows as responses the rollups would count (customers: staff never queue). */
export async function tailResponses(db: Db, waveId: string, rows: readonly TailRow[]): Promise<RolledResponse[]> {
  if (rows.length === 0) return []
  const items = await measureItems(db, waveId)
  return rows.map((row) => ({
    side: 'customer', unitId: row.unit_id, attributes: row.attributes, answers: answersFromVector(items, row.answer_values, row.not_applicable ?? []),
  }))
}

/**
 * Which of these responses are still queued, locking their queue entries until the end of the caller's
 * transaction: a fold then passes them by, so whether each is in the rollups stays true while the
 * caller (erasure) changes them. A fold that took one first is waited for, and then it is folded.
 */
export async function lockQueued(trx: Db, organizationId: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set()
  const rows = await trx.selectFrom('fold_queue').select('response_id')
    .where('organization_id', '=', organizationId).where('response_id', 'in', ids).forUpdate().execute()
  return new Set(rows.map((row) => row.response_id))
}

/**
 * One fold: takes up to `limit` forms off the queue and adds them to the rollups, in one transaction,
 * so every reader sees each form exactly once, queued or folded. Entries another transaction holds
 * (another instance folding, an erasure) are passed by. Returns how many forms it folded.
 */
export async function foldRollups(db: Db, limit = 5000): Promise<number> {
  const { rows: waiting } = await sql<{ waiting: boolean }>`select exists (select 1 from fold_queue) as waiting`.execute(db)
  if (!waiting[0]?.waiting) return 0
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<TailRow & { organization_id: string; wave_id: string }>`
      with taken as (
        select organization_id, wave_id, response_id from fold_queue limit ${limit} for update skip locked
      ), gone as (
        delete from fold_queue q using taken t
        where q.organization_id = t.organization_id and q.wave_id = t.wave_id and q.response_id = t.response_id
        returning q.response_id
      )
      select r.organization_id, r.wave_id, ${TAIL_COLUMNS} from gone join responses r on r.id = gone.response_id
      order by r.wave_id`.execute(trx)
    const byWave = new Map<string, { organizationId: string; rows: TailRow[] }>()
    for (const row of rows) {
      const wave = byWave.get(row.wave_id) ?? byWave.set(row.wave_id, { organizationId: row.organization_id, rows: [] }).get(row.wave_id)!
      wave.rows.push(row)
    }
    for (const [waveId, wave] of byWave) await addToRollups(trx, wave.organizationId, waveId, await tailResponses(trx, waveId, wave.rows))
    return rows.length
  })
}

/** Folds until the queue is empty, but for entries held elsewhere (tests, the bench). */
export async function foldAll(db: Db): Promise<number> {
  let total = 0
  for (let folded = await foldRollups(db); folded > 0; folded = await foldRollups(db)) total += folded
  return total
}
