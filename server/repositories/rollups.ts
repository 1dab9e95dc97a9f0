// Keeping the rollups current: called inside the transaction that stores responses, so totals and
// raw answers can never disagree. Rows are upserted in one sorted order, so two transactions that
// touch the same totals lock them in the same order and cannot deadlock.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import { NO_UNIT } from '../../db/schema.js'
import type { Side } from '../domain/types.js'
import type { Answers } from '../domain/responses.js'
import { agreesOnDimension, dimensionMean } from '../domain/statistics.js'
import { LocalCache } from '../local-cache.js'

export const SLOTS = 16

/** Item key → dimension, per wave. A wave's instrument never changes, so this never goes stale. */
const dimensionsByWave = new LocalCache<string, Map<string, string>>()

export function itemDimensions(db: Db, waveId: string): Promise<Map<string, string>> {
  return dimensionsByWave.getOrLoad(waveId, async () => {
    const rows = await db.selectFrom('items').innerJoin('waves', 'waves.instrument_id', 'items.instrument_id')
      .select(['items.key', 'items.dimension', 'items.headline']).where('waves.id', '=', waveId).execute()
    return new Map(rows.filter((row) => !row.headline).map((row) => [row.key, row.dimension]))
  })
}

export interface RolledResponse {
  side: Side
  unitId: string | null
  answers: Answers
}

export interface RollupTotals {
  answers: Array<{ side: Side; unit: string; item: string; value: number; count: number }>
  dimensions: Array<{ side: Side; unit: string; dimension: string; respondents: number; agree: number; meanSum: number }>
  responses: Array<{ side: Side; unit: string; respondents: number }>
}

/** The totals a set of responses adds to the rollups, each list in one sorted order (see the top of the file). */
export function rollupTotals(dimensions: ReadonlyMap<string, string>, responses: readonly RolledResponse[]): RollupTotals {
  const answerTotals = new Map<string, RollupTotals['answers'][number]>()
  const dimensionTotals = new Map<string, RollupTotals['dimensions'][number]>()
  const responseTotals = new Map<string, RollupTotals['responses'][number]>()

  for (const response of responses) {
    const unit = response.unitId ?? NO_UNIT
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
  return { answers: sorted(answerTotals), dimensions: sorted(dimensionTotals), responses: sorted(responseTotals) }
}

/** One of the slots a transaction adds its totals to (see the top of the file). */
export const randomSlot = () => Math.floor(Math.random() * SLOTS)

/** Adds responses of one wave to its rollups. `db` must be the transaction that stores them. */
export async function addToRollups(db: Db, waveId: string, responses: readonly RolledResponse[]): Promise<void> {
  if (responses.length === 0) return
  const totals = rollupTotals(await itemDimensions(db, waveId), responses)
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
}
