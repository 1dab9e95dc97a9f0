// Counts for the gap report. Whole-wave and per-unit views read the rollups; a filter on respondents'
// attributes reads the raw answers of that side (the rollups do not hold attributes).
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import { NO_UNIT } from '../../db/schema.js'
import type { Scale, Side } from '../domain/types.js'
import type { ParentCounts, SideCounts } from '../domain/report.js'
import { DIMENSION_AGREE_MEAN, scaleIndex, scaleLength } from '../domain/scale.js'

export interface View {
  /** A unit id, or null for the whole wave. */
  unitId: string | null
  /** Attribute filters for this side (name → value); empty for none. */
  attributes: Record<string, string>
}

interface Counts {
  respondents: number
  distributions: Map<string, number[]>
  dimensions: Map<string, { n: number; agree: number; meanSum: number }>
}

function place(distributions: Map<string, number[]>, scales: ReadonlyMap<string, Scale>, item: string, value: number, count: number) {
  const scale = scales.get(item)
  if (!scale) return
  const index = scaleIndex(scale, value)
  if (index === null) return
  const row = distributions.get(item) ?? Array.from({ length: scaleLength(scale) }, () => 0)
  row[index]! += count
  distributions.set(item, row)
}

const emptyCounts = (): Counts => ({ respondents: 0, distributions: new Map(), dimensions: new Map() })

/**
 * The counts of one side from the rollups: for the whole wave, and with a unit also for that unit, in
 * the same three queries (each row counted for the whole side, and for the unit when it is the unit's).
 */
async function rolledUp(db: Db, waveId: string, side: Side, unitId: string | null, scales: ReadonlyMap<string, Scale>): Promise<{ whole: Counts; unit: Counts | null }> {
  const forUnit = (column: string) => unitId === null ? sql<number | null>`null` : sql<number | null>`sum(${sql.ref(column)}) filter (where unit_key = ${unitId}::uuid)`
  const [answers, dimensions, responses] = await Promise.all([
    db.selectFrom('answer_rollups')
      .select(['item_key', 'value', (eb) => eb.fn.sum<number>('count').as('count'), forUnit('count').as('unit_count')])
      .where('wave_id', '=', waveId).where('side', '=', side)
      .groupBy(['item_key', 'value']).execute(),
    db.selectFrom('dimension_rollups')
      .select([
        'dimension', (eb) => eb.fn.sum<number>('respondents').as('n'), (eb) => eb.fn.sum<number>('agree').as('agree'), (eb) => eb.fn.sum<number>('mean_sum').as('mean_sum'),
        forUnit('respondents').as('unit_n'), forUnit('agree').as('unit_agree'), forUnit('mean_sum').as('unit_mean_sum'),
      ])
      .where('wave_id', '=', waveId).where('side', '=', side)
      .groupBy('dimension').execute(),
    db.selectFrom('response_rollups')
      .select([(eb) => eb.fn.sum<number>('respondents').as('n'), forUnit('respondents').as('unit_n')])
      .where('wave_id', '=', waveId).where('side', '=', side)
      .executeTakeFirst(),
  ])
  const whole = emptyCounts()
  const unit = unitId === null ? null : emptyCounts()
  whole.respondents = Number(responses?.n ?? 0)
  if (unit) unit.respondents = Number(responses?.unit_n ?? 0)
  for (const row of answers) {
    place(whole.distributions, scales, row.item_key, row.value, Number(row.count))
    if (unit && row.unit_count !== null) place(unit.distributions, scales, row.item_key, row.value, Number(row.unit_count))
  }
  for (const d of dimensions) {
    whole.dimensions.set(d.dimension, { n: Number(d.n), agree: Number(d.agree), meanSum: Number(d.mean_sum) })
    if (unit && d.unit_n !== null) unit.dimensions.set(d.dimension, { n: Number(d.unit_n), agree: Number(d.unit_agree), meanSum: Number(d.unit_mean_sum) })
  }
  return { whole, unit }
}

/** The counts of one side from the rollups, for the whole wave or one unit. */
export async function fromRollups(db: Db, waveId: string, side: Side, unitId: string | null, scales: ReadonlyMap<string, Scale>): Promise<Counts> {
  const { whole, unit } = await rolledUp(db, waveId, side, unitId, scales)
  return unit ?? whole
}

/** The same counts straight from the raw answers; also what the rollups are checked against. */
export async function fromAnswers(db: Db, waveId: string, side: Side, view: View, scales: ReadonlyMap<string, Scale>): Promise<Counts> {
  const responses = db.selectFrom('responses').select('id')
    .where('wave_id', '=', waveId).where('side', '=', side)
    .$if(view.unitId !== null, (q) => q.where('unit_id', view.unitId === NO_UNIT ? 'is' : '=', view.unitId === NO_UNIT ? null : view.unitId))
    .$if(Object.keys(view.attributes).length > 0, (q) => q.where(sql<boolean>`attributes @> ${JSON.stringify(view.attributes)}::jsonb`))
  const [answers, dimensions, respondents] = await Promise.all([
    db.selectFrom('answers').select(['item_key', 'value', (eb) => eb.fn.countAll<number>().as('count')])
      .where('response_id', 'in', responses).where('value', 'is not', null)
      .groupBy(['item_key', 'value']).execute(),
    db.selectFrom((eb) => eb.selectFrom('answers')
      .innerJoin('waves', (join) => join.on('waves.id', '=', waveId))
      .innerJoin('items', (join) => join.onRef('items.instrument_id', '=', 'waves.instrument_id').onRef('items.key', '=', 'answers.item_key'))
      .select(['answers.response_id', 'items.dimension', (e) => e.fn.avg<number>('answers.value').as('mean')])
      .where('answers.response_id', 'in', responses).where('answers.value', 'is not', null).where('items.headline', '=', false)
      .groupBy(['answers.response_id', 'items.dimension']).as('per_respondent'))
      .select(['dimension', (eb) => eb.fn.countAll<number>().as('n'), sql<number>`sum(case when mean >= ${sql.lit(DIMENSION_AGREE_MEAN)} then 1 else 0 end)`.as('agree'), (eb) => eb.fn.sum<number>('mean').as('mean_sum')])
      .groupBy('dimension').execute(),
    db.selectFrom(responses.as('r')).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  const distributions = new Map<string, number[]>()
  for (const row of answers) place(distributions, scales, row.item_key, row.value!, Number(row.count))
  return {
    respondents: Number(respondents.n),
    distributions,
    dimensions: new Map(dimensions.map((d) => [d.dimension, { n: Number(d.n), agree: Number(d.agree), meanSum: Number(d.mean_sum) }])),
  }
}

function asParent(counts: Counts): ParentCounts {
  const answered = new Map<string, number>()
  for (const [item, distribution] of counts.distributions) answered.set(item, distribution.reduce((a, b) => a + b, 0))
  return { respondents: counts.respondents, answered, dimensions: new Map([...counts.dimensions].map(([k, v]) => [k, v.n])) }
}

/**
 * The counts of one side for a view, with the coarser views it must be checked against: the whole
 * side when a unit is chosen, and the unit (or whole side) when attributes narrow it further.
 */
export async function sideCounts(db: Db, waveId: string, side: Side, view: View, scales: ReadonlyMap<string, Scale>): Promise<SideCounts> {
  const filtered = Object.keys(view.attributes).length > 0
  const [rolled, answered] = await Promise.all([
    rolledUp(db, waveId, side, view.unitId, scales),
    filtered ? fromAnswers(db, waveId, side, view, scales) : null,
  ])
  const { whole, unit } = rolled
  if (answered) return { ...answered, parents: [whole, unit].filter((c): c is Counts => c !== null).map(asParent) }
  return unit ? { ...unit, parents: [asParent(whole)] } : { ...whole, parents: [] }
}

/**
 * The counts of one side for every unit at once, each with the whole side as its coarser view: what a
 * per-unit report needs, from one query per rollup table grouped by unit instead of a round per unit.
 */
export async function sideCountsPerUnit(db: Db, waveId: string, side: Side, scales: ReadonlyMap<string, Scale>): Promise<(unitId: string) => SideCounts> {
  const [answers, dimensions, responses] = await Promise.all([
    db.selectFrom('answer_rollups').select(['unit_key', 'item_key', 'value', (eb) => eb.fn.sum<number>('count').as('count')])
      .where('wave_id', '=', waveId).where('side', '=', side).groupBy(['unit_key', 'item_key', 'value']).execute(),
    db.selectFrom('dimension_rollups')
      .select(['unit_key', 'dimension', (eb) => eb.fn.sum<number>('respondents').as('n'), (eb) => eb.fn.sum<number>('agree').as('agree'), (eb) => eb.fn.sum<number>('mean_sum').as('mean_sum')])
      .where('wave_id', '=', waveId).where('side', '=', side).groupBy(['unit_key', 'dimension']).execute(),
    db.selectFrom('response_rollups').select(['unit_key', (eb) => eb.fn.sum<number>('respondents').as('n')])
      .where('wave_id', '=', waveId).where('side', '=', side).groupBy('unit_key').execute(),
  ])
  const whole = emptyCounts()
  const units = new Map<string, Counts>()
  const of = (unitKey: string) => units.get(unitKey) ?? units.set(unitKey, emptyCounts()).get(unitKey)!
  for (const row of responses) {
    of(row.unit_key).respondents += Number(row.n)
    whole.respondents += Number(row.n)
  }
  for (const row of answers) {
    for (const counts of [of(row.unit_key), whole]) place(counts.distributions, scales, row.item_key, row.value, Number(row.count))
  }
  for (const row of dimensions) {
    for (const counts of [of(row.unit_key), whole]) {
      const sum = counts.dimensions.get(row.dimension) ?? { n: 0, agree: 0, meanSum: 0 }
      counts.dimensions.set(row.dimension, { n: sum.n + Number(row.n), agree: sum.agree + Number(row.agree), meanSum: sum.meanSum + Number(row.mean_sum) })
    }
  }
  const parents = [asParent(whole)]
  return (unitId) => ({ ...(units.get(unitId) ?? emptyCounts()), parents })
}
