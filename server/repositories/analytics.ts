// What the leadership analytics read beyond the report's counts: customers' answers as respondent rows
// for the key drivers, staff respondents' scores summed per unit for the one-way ANOVA, and per-unit
// counts under an attribute filter. Each query hands back as little as the analysis needs: answer
// patterns with how many customers gave them, and per unit only sums.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import { NO_UNIT } from '../../db/schema.js'
import type { PredictionMode, Scale, Side } from '../domain/types.js'
import { agreeThreshold, scaleIndex, scaleLength } from '../domain/scale.js'
import { sideCountsPerUnit, type Counts, type View } from './reports.js'
import { measureItems } from './rollups.js'

/** Respondents of one side of a wave in a view: a unit (or all), and the side's attribute filters. */
function respondentsOf(db: Db, organizationId: string, waveId: string, side: Side, view: View) {
  return db.selectFrom('responses').select(['id', 'unit_id', 'answer_values'])
    .where('organization_id', '=', organizationId).where('wave_id', '=', waveId).where('side', '=', side)
    .$if(view.unitId !== null, (q) => q.where('unit_id', view.unitId === NO_UNIT ? 'is' : '=', view.unitId === NO_UNIT ? null : view.unitId))
    .$if(Object.keys(view.attributes).length > 0, (q) => q.where(sql<boolean>`attributes @> ${JSON.stringify(view.attributes)}::jsonb`))
}

export interface AnswerRows {
  /** Row-major respondents × keys; NaN where a respondent gave no answer. */
  values: Float64Array
  /** Respondents (rows). */
  n: number
}

/**
 * Every customer's answers to `keys` (items of the wave), in that order, one row each: the customers of
 * a view for the key drivers. Read from the answer array each customer response carries (0015), all
 * of them in one text ("4,5,,3;2,…": rows split by ';', cells by ',', empty for no answer), which
 * crosses the wire and parses several times faster than 100,000 rows of arrays.
 */
export async function customerAnswerRows(db: Db, organizationId: string, waveId: string, view: View, keys: readonly string[]): Promise<AnswerRows> {
  const items = await measureItems(db, waveId)
  const positions = keys.map((key) => items.findIndex((item) => item.key === key))
  if (positions.some((p) => p < 0)) throw new Error('a key is not an item of the wave')
  const row = await db.selectFrom(respondentsOf(db, organizationId, waveId, 'customer', view).as('r'))
    .select([sql<string | null>`string_agg(array_to_string(r.answer_values, ',', ''), ';' order by r.id)`.as('text'), (eb) => eb.fn.countAll<number>().as('n')])
    .executeTakeFirstOrThrow()
  const n = Number(row.n)
  const width = keys.length
  const values = new Float64Array(n * width)
  const cells = new Float64Array(items.length)
  const text = row.text ?? ''
  let r = 0
  let cell = 0
  let value = Number.NaN
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 59
    if (code >= 48 && code <= 57) value = (Number.isNaN(value) ? 0 : value * 10) + (code - 48)
    else {
      if (cell < cells.length) cells[cell] = value
      cell++
      value = Number.NaN
      if (code === 59) {
        // ';' ends a respondent: their cells, in the order of `keys`.
        for (let j = 0; j < width; j++) values[r * width + j] = cells[positions[j]!]!
        r++
        cell = 0
      }
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
 * Only respondents who answered `among` (one of the items) are scored, so that each unit's n is that
 * item's n, a count the release shows, and never the count of the few who answered nothing (or every
 * item "not applicable"). Only these sums leave the database.
 */
export async function scoreSumsPerUnit(db: Db, organizationId: string, waveId: string, side: Side, attributes: Record<string, string>, items: ReadonlyArray<{ key: string; scale: Scale }>,
  among: string): Promise<Map<string, ScoreSums>> {
  if (items.length === 0) return new Map()
  const threshold = sql<number>`case answers.item_key ${sql.join(items.map((item) => sql`when ${item.key} then ${sql.lit(agreeThreshold(item.scale))}`), sql` `)} end`
  const { rows } = await sql<{ unit_key: string; n: string | number; sum: string | number; sum_squares: string | number }>`
    select unit_key, count(*) as n, sum(score) as sum, sum(score * score) as sum_squares from (
      select coalesce(r.unit_id, ${NO_UNIT}::uuid)::text as unit_key,
        count(*) filter (where answers.value >= ${threshold})::float8 / count(*) as score
      from answers join (${respondentsOf(db, organizationId, waveId, side, { unitId: null, attributes })}) as r on r.id = answers.response_id
      where answers.organization_id = ${organizationId}::uuid and answers.value is not null and answers.item_key in (${sql.join(items.map((item) => item.key))})
      group by answers.response_id, r.unit_id
      having count(*) filter (where answers.item_key = ${among}) > 0
    ) as scores group by unit_key`.execute(db)
  return new Map(rows.map((row) => [row.unit_key, { n: Number(row.n), sum: Number(row.sum), sumSquares: Number(row.sum_squares) }]))
}

/**
 * The counts of one side for every unit under an attribute filter (without one: from the rollups,
 * reports.ts sideCountsPerUnit). Respondents and item distributions only; no dimensions.
 */
export async function countsPerUnit(db: Db, organizationId: string, waveId: string, side: Side, attributes: Record<string, string>, scales: ReadonlyMap<string, Scale>): Promise<(unitId: string) => Counts> {
  if (Object.keys(attributes).length === 0) return sideCountsPerUnit(db, organizationId, waveId, side, scales)
  const respondents = respondentsOf(db, organizationId, waveId, side, { unitId: null, attributes })
  const [answers, people] = await Promise.all([
    db.selectFrom('answers').innerJoin(respondents.as('r'), 'r.id', 'answers.response_id').where('answers.organization_id', '=', organizationId)
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
