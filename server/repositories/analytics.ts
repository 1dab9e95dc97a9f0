// What the leadership analytics read beyond the report's counts: customers' answers as respondent rows
// for the key drivers, staff respondents' scores summed per unit for the one-way ANOVA, and per-unit
// counts under an attribute filter. Each query hands back as little as the analysis needs: answer
// patterns with how many customers gave them, and per unit only sums.
import { sql, type RawBuilder } from 'kysely'
import type { Db } from '../../db/connect.js'
import { NO_UNIT } from '../../db/schema.js'
import type { PredictionMode, Scale, Side } from '../domain/types.js'
import { agreeThreshold, scaleIndex, scaleLength } from '../domain/scale.js'
import { sideCountsPerUnit, type Counts, type View } from './reports.js'

/** Items per encoded column: 12 codes per item (no answer, 0 … 10), 12^14 < 2^53, so a float holds it exactly. */
const ITEMS_PER_CODE = 14
const BASE = 12

/** Respondents of one side of a wave in a view: a unit (or all), and the side's attribute filters. */
function respondentsOf(db: Db, waveId: string, side: Side, view: View) {
  return db.selectFrom('responses').select(['id', 'unit_id'])
    .where('wave_id', '=', waveId).where('side', '=', side)
    .$if(view.unitId !== null, (q) => q.where('unit_id', view.unitId === NO_UNIT ? 'is' : '=', view.unitId === NO_UNIT ? null : view.unitId))
    .$if(Object.keys(view.attributes).length > 0, (q) => q.where(sql<boolean>`attributes @> ${JSON.stringify(view.attributes)}::jsonb`))
}

/** An item's position in `keys` (0-based) as SQL, -1 for any other answer key (a prediction). */
const positionOf = (keys: readonly string[]): RawBuilder<number> =>
  sql<number>`(coalesce(array_position(${sql.val(keys)}::text[], answers.item_key), 0) - 1)`

export interface AnswerRows {
  /** Row-major respondents × keys; NaN where a respondent gave no answer. */
  values: Float64Array
  /** Respondents (rows). */
  n: number
}

/**
 * Every respondent's answers to `keys`, in that order, one row each (customers of a view for the key
 * drivers). The database sums each response's answers into a few integers (base 12 per item, 0 for
 * no answer) and counts identical patterns, so a row per pattern crosses the wire, not one per answer.
 */
export async function answerRows(db: Db, waveId: string, side: Side, view: View, keys: readonly string[]): Promise<AnswerRows> {
  const columns = Math.max(1, Math.ceil(keys.length / ITEMS_PER_CODE))
  const position = positionOf(keys)
  const codes = Array.from({ length: columns }, (_, c) => sql<number>`sum(case when ${position} / ${sql.lit(ITEMS_PER_CODE)} = ${sql.lit(c)} and answers.value is not null
    then (answers.value + 1)::float8 * power(${sql.lit(BASE)}::float8, ${position} % ${sql.lit(ITEMS_PER_CODE)}) else 0 end)`.as(`c${c}`))
  const names = codes.map((_, c) => sql.ref(`c${c}`))
  const { rows } = await sql<Record<string, number | string>>`
    select ${sql.join(names)}, count(*) as times from (
      select ${sql.join(codes)}
      from answers join (${respondentsOf(db, waveId, side, view)}) as r on r.id = answers.response_id
      where ${position} >= 0
      group by answers.response_id
    ) as per_response group by ${sql.join(names)}`.execute(db)
  const width = keys.length
  let n = 0
  for (const row of rows) n += Number(row.times)
  const values = new Float64Array(n * width)
  let at = 0
  for (const row of rows) {
    const first = at
    for (let c = 0; c < columns; c++) {
      let code = Number(row[`c${c}`])
      for (let j = c * ITEMS_PER_CODE; j < Math.min(width, (c + 1) * ITEMS_PER_CODE); j++) {
        const digit = code % BASE
        code = (code - digit) / BASE
        values[first + j] = digit === 0 ? Number.NaN : digit - 1
      }
    }
    at += width
    for (let times = Number(row.times); times > 1; times--) {
      values.copyWithin(at, first, first + width)
      at += width
    }
  }
  return { values, n }
}

/** One unit's respondent scores: respondents with an answer, and the sum and sum of squares of their scores. */
export interface ScoreSums {
  n: number
  sum: number
  sumSquares: number
}

/**
 * Per unit, the scores of the side's respondents under an attribute filter: each respondent's share
 * of the answered items (of `items`) that they agree with, summed (and squared and summed) per unit.
 * Respondents who answered none of the items are left out. Only these sums leave the database.
 */
export async function scoreSumsPerUnit(db: Db, waveId: string, side: Side, attributes: Record<string, string>, items: ReadonlyArray<{ key: string; scale: Scale }>): Promise<Map<string, ScoreSums>> {
  if (items.length === 0) return new Map()
  const threshold = sql<number>`case answers.item_key ${sql.join(items.map((item) => sql`when ${item.key} then ${sql.lit(agreeThreshold(item.scale))}`), sql` `)} end`
  const { rows } = await sql<{ unit_key: string; n: string | number; sum: string | number; sum_squares: string | number }>`
    select unit_key, count(*) as n, sum(score) as sum, sum(score * score) as sum_squares from (
      select coalesce(r.unit_id, ${NO_UNIT}::uuid)::text as unit_key,
        count(*) filter (where answers.value >= ${threshold})::float8 / count(*) as score
      from answers join (${respondentsOf(db, waveId, side, { unitId: null, attributes })}) as r on r.id = answers.response_id
      where answers.value is not null and answers.item_key in (${sql.join(items.map((item) => item.key))})
      group by answers.response_id, r.unit_id
    ) as scores group by unit_key`.execute(db)
  return new Map(rows.map((row) => [row.unit_key, { n: Number(row.n), sum: Number(row.sum), sumSquares: Number(row.sum_squares) }]))
}

/**
 * The counts of one side for every unit under an attribute filter (without one: from the rollups,
 * reports.ts sideCountsPerUnit). Respondents and item distributions only; no dimensions.
 */
export async function countsPerUnit(db: Db, waveId: string, side: Side, attributes: Record<string, string>, scales: ReadonlyMap<string, Scale>): Promise<(unitId: string) => Counts> {
  if (Object.keys(attributes).length === 0) return sideCountsPerUnit(db, waveId, side, scales)
  const respondents = respondentsOf(db, waveId, side, { unitId: null, attributes })
  const [answers, people] = await Promise.all([
    db.selectFrom('answers').innerJoin(respondents.as('r'), 'r.id', 'answers.response_id')
      .select([sql<string>`coalesce(r.unit_id, ${NO_UNIT}::uuid)::text`.as('unit_key'), 'answers.item_key', 'answers.value', (eb) => eb.fn.countAll<number>().as('count')])
      .where('answers.value', 'is not', null).groupBy(['r.unit_id', 'answers.item_key', 'answers.value']).execute(),
    db.selectFrom(respondents.as('r')).select([sql<string>`coalesce(r.unit_id, ${NO_UNIT}::uuid)::text`.as('unit_key'), (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('r.unit_id').execute(),
  ])
  const units = new Map<string, Counts>()
  const of = (unitKey: string) => units.get(unitKey) ?? units.set(unitKey, { respondents: 0, distributions: new Map(), dimensions: new Map() }).get(unitKey)!
  for (const row of people) of(row.unit_key).respondents += Number(row.n)
  for (const row of answers) {
    const scale = scales.get(row.item_key)
    if (!scale || row.value === null) continue
    const index = scaleIndex(scale, row.value)
    if (index === null) continue
    const distribution = of(row.unit_key).distributions.get(row.item_key) ?? Array.from({ length: scaleLength(scale) }, () => 0)
    distribution[index]! += Number(row.count)
    of(row.unit_key).distributions.set(row.item_key, distribution)
  }
  return (unitId) => units.get(unitId) ?? { respondents: 0, distributions: new Map(), dimensions: new Map() }
}

/** Which items the wave's staff predict customers' answers for. */
export async function predictionMode(db: Db, waveId: string): Promise<PredictionMode> {
  const row = await db.selectFrom('waves').select('predictions').where('id', '=', waveId).executeTakeFirstOrThrow()
  return row.predictions
}
