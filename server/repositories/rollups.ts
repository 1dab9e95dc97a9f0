// Keeping the rollups current: called inside the transaction that stores responses, so totals and
// raw answers can never disagree. Rows are upserted in one sorted order — answers, dimensions,
// responses, profiles, each sorted by key — so two transactions that touch the same totals lock
// them in the same order and cannot deadlock.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import { NO_UNIT } from '../../db/schema.js'
import type { Side } from '../domain/types.js'
import { measureVector, type MeasureItem } from '../domain/measures.js'
import type { Answers } from '../domain/responses.js'
import { countsInDimension } from '../domain/report.js'
import { agreesOnDimension, dimensionMean } from '../domain/statistics.js'
import { LocalCache } from '../local-cache.js'
import { waveItems } from './instruments.js'
import { waveHoldsAnswers } from './waves.js'

export const SLOTS = 16

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
const canonicalAttributes = (attributes: Readonly<Record<string, string>>) =>
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

/** One of the slots a transaction adds its totals to (see the top of the file). */
export const randomSlot = () => Math.floor(Math.random() * SLOTS)

/**
 * Adds responses of one wave to its rollups. `db` must be the transaction that stores them; `step` is
 * the staff release step they join at (0 for customers).
 */
export async function addToRollups(db: Db, waveId: string, responses: readonly RolledResponse[], step = 0): Promise<void> {
  if (responses.length === 0) return
  const totals = rollupTotals(await measureItems(db, waveId), responses)
  const slot = randomSlot()
  const { answers, dimensions: dims } = totals
  for (let start = 0; start < answers.length; start += 5000) {
    await db.insertInto('answer_rollups')
      .values(answers.slice(start, start + 5000).map((a) => ({ wave_id: waveId, side: a.side, unit_key: a.unit, item_key: a.item, value: a.value, slot, count: a.count })))
      .onConflict((oc) => oc.columns(['wave_id', 'side', 'unit_key', 'item_key', 'value', 'slot'])
        .doUpdateSet({ count: sql`answer_rollups.count + excluded.count` }))
      .execute()
  }
  if (dims.length > 0) {
    await db.insertInto('dimension_rollups')
      .values(dims.map((d) => ({ wave_id: waveId, side: d.side, unit_key: d.unit, dimension: d.dimension, slot, respondents: d.respondents, agree: d.agree, mean_sum: d.meanSum })))
      .onConflict((oc) => oc.columns(['wave_id', 'side', 'unit_key', 'dimension', 'slot']).doUpdateSet({
        respondents: sql`dimension_rollups.respondents + excluded.respondents`,
        agree: sql`dimension_rollups.agree + excluded.agree`,
        mean_sum: sql`dimension_rollups.mean_sum + excluded.mean_sum`,
      }))
      .execute()
  }
  await db.insertInto('response_rollups')
    .values(totals.responses.map((r) => ({ wave_id: waveId, side: r.side, unit_key: r.unit, slot, respondents: r.respondents })))
    .onConflict((oc) => oc.columns(['wave_id', 'side', 'unit_key', 'slot']).doUpdateSet({ respondents: sql`response_rollups.respondents + excluded.respondents` }))
    .execute()
  const { profiles } = totals
  for (let start = 0; start < profiles.length; start += 5000) {
    await db.insertInto('profile_rollups')
      .values(profiles.slice(start, start + 5000).map((p) => ({ wave_id: waveId, side: p.side, unit_key: p.unit, attributes: p.attributes, step, slot, counts: p.counts })))
      .onConflict((oc) => oc.columns(['wave_id', 'side', 'unit_key', 'attributes', 'step', 'slot']).doUpdateSet({ counts: ADD_COUNTS }))
      .execute()
  }
}
