// Counts for the gap report. Whole-wave and per-unit views read the rollups; a filter on respondents'
// attributes reads the raw answers of that side (the rollups do not hold attributes).
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import { NO_UNIT } from '../../db/schema.js'
import type { Scale, Side } from '../domain/types.js'
import { DIMENSION_AGREE_MEAN, DIMENSION_SCALE, scaleIndex, scaleLength } from '../domain/scale.js'
import { measureItems, rollupTotals, TAIL_COLUMNS, tailOf, tailResponses, type TailRow } from './rollups.js'

export interface View {
  /** A unit id, or null for the whole wave. */
  unitId: string | null
  /** Attribute filters for this side (name → value); empty for none. */
  attributes: Record<string, string>
}

export interface Counts {
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

interface RolledUp {
  answers: Array<{ unit_key: string; item_key: string; value: number; count: number }>
  dimensions: Array<{ unit_key: string; dimension: string; n: number; agree: number; mean_sum: number }>
  responses: Array<{ unit_key: string; n: number }>
}

/**
 * A side's rollup rows, for the whole wave or one unit, with the fold's tail counted in (rollups.ts):
 * one statement, so the rollups and the tail are read at one moment and every row is counted once.
 */
async function rolledUp(db: Db, organizationId: string, waveId: string, side: Side, unitId: string | null): Promise<RolledUp> {
  const unit = unitId === null ? sql`true` : sql`unit_key = ${unitId}::uuid`
  const tailUnit = unitId === null ? sql`true` : unitId === NO_UNIT ? sql`r.unit_id is null` : sql`r.unit_id = ${unitId}::uuid`
  const of = sql`organization_id = ${organizationId}::uuid and wave_id = ${waveId}::uuid and side = ${side}::text and ${unit}`
  const { rows: [row] } = await sql<RolledUp & { tail: TailRow[] }>`select
      (select coalesce(json_agg(a), '[]') from (select unit_key, item_key, value, count from answer_rollups where ${of}) a) as answers,
      (select coalesce(json_agg(d), '[]') from (select unit_key, dimension, respondents as n, agree, mean_sum from dimension_rollups where ${of}) d) as dimensions,
      (select coalesce(json_agg(r), '[]') from (select unit_key, respondents as n from response_rollups where ${of}) r) as responses,
      (select coalesce(json_agg(t), '[]') from (select ${TAIL_COLUMNS} from ${tailOf(waveId, organizationId)} and r.side = ${side}::text and ${tailUnit}) t) as tail`.execute(db)
  const { answers, dimensions, responses, tail } = row!
  if (tail.length === 0) return { answers, dimensions, responses }
  const totals = rollupTotals(await measureItems(db, waveId), await tailResponses(db, waveId, tail))
  return {
    answers: [...answers, ...totals.answers.map((a) => ({ unit_key: a.unit, item_key: a.item, value: a.value, count: a.count }))],
    dimensions: [...dimensions, ...totals.dimensions.map((d) => ({ unit_key: d.unit, dimension: d.dimension, n: d.respondents, agree: d.agree, mean_sum: d.meanSum }))],
    responses: [...responses, ...totals.responses.map((r) => ({ unit_key: r.unit, n: r.respondents }))],
  }
}

/** Adds rollup rows to counts, each row to every counts `into` gives for its unit. */
function addRolledUp(rolled: RolledUp, scales: ReadonlyMap<string, Scale>, into: (unitKey: string) => Counts[]): void {
  for (const row of rolled.responses) for (const counts of into(row.unit_key)) counts.respondents += Number(row.n)
  for (const row of rolled.answers) for (const counts of into(row.unit_key)) place(counts.distributions, scales, row.item_key, row.value, Number(row.count))
  for (const row of rolled.dimensions) {
    for (const counts of into(row.unit_key)) {
      const sum = counts.dimensions.get(row.dimension) ?? { n: 0, agree: 0, meanSum: 0 }
      counts.dimensions.set(row.dimension, { n: sum.n + Number(row.n), agree: sum.agree + Number(row.agree), meanSum: sum.meanSum + Number(row.mean_sum) })
    }
  }
}

/** The counts of one side from the rollups, for the whole wave or one unit. */
export async function fromRollups(db: Db, organizationId: string, waveId: string, side: Side, unitId: string | null, scales: ReadonlyMap<string, Scale>): Promise<Counts> {
  const counts = emptyCounts()
  addRolledUp(await rolledUp(db, organizationId, waveId, side, unitId), scales, () => [counts])
  return counts
}

/** The same counts straight from the raw answers; also what the rollups are checked against. */
export async function fromAnswers(db: Db, organizationId: string, waveId: string, side: Side, view: View, scales: ReadonlyMap<string, Scale>): Promise<Counts> {
  const responses = db.selectFrom('responses').select('id')
    .where('organization_id', '=', organizationId).where('wave_id', '=', waveId).where('side', '=', side)
    .$if(view.unitId !== null, (q) => q.where('unit_id', view.unitId === NO_UNIT ? 'is' : '=', view.unitId === NO_UNIT ? null : view.unitId))
    .$if(Object.keys(view.attributes).length > 0, (q) => q.where(sql<boolean>`attributes @> ${JSON.stringify(view.attributes)}::jsonb`))
  const [answers, dimensions, respondents] = await Promise.all([
    db.selectFrom('answers').select(['item_key', 'value', (eb) => eb.fn.countAll<number>().as('count')])
      .where('organization_id', '=', organizationId).where('response_id', 'in', responses).where('value', 'is not', null)
      .groupBy(['item_key', 'value']).execute(),
    db.selectFrom((eb) => eb.selectFrom('answers')
      .innerJoin('waves', (join) => join.on('waves.organization_id', '=', organizationId).on('waves.id', '=', waveId))
      .innerJoin('items', (join) => join.onRef('items.instrument_id', '=', 'waves.instrument_id').onRef('items.key', '=', 'answers.item_key'))
      .select(['answers.response_id', 'items.dimension', (e) => e.fn.avg<number>('answers.value').as('mean')])
      .where('answers.organization_id', '=', organizationId).where('answers.response_id', 'in', responses).where('answers.value', 'is not', null).where('items.headline', '=', false).where('items.scale', '=', DIMENSION_SCALE)
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

/** The counts of one side for a view: from the rollups without attribute filters, from the answers with them. */
export async function sideCounts(db: Db, organizationId: string, waveId: string, side: Side, view: View, scales: ReadonlyMap<string, Scale>): Promise<Counts> {
  if (Object.keys(view.attributes).length > 0) return fromAnswers(db, organizationId, waveId, side, view, scales)
  return fromRollups(db, organizationId, waveId, side, view.unitId, scales)
}

/**
 * The counts of one side for every unit at once: what a per-unit report needs, from one read of the
 * rollups instead of a round per unit.
 */
export async function sideCountsPerUnit(db: Db, organizationId: string, waveId: string, side: Side, scales: ReadonlyMap<string, Scale>): Promise<(unitId: string) => Counts> {
  const units = new Map<string, Counts>()
  const of = (unitKey: string) => units.get(unitKey) ?? units.set(unitKey, emptyCounts()).get(unitKey)!
  addRolledUp(await rolledUp(db, organizationId, waveId, side, null), scales, (unitKey) => [of(unitKey)])
  return (unitId) => units.get(unitId) ?? emptyCounts()
}

/**
 * The counts of one side for every unit at once under attribute filters, straight from the answers
 * (the rollups do not hold attributes): one query per kind of count, grouped by unit, instead of a
 * round of fromAnswers per unit. Answers without a unit are kept under NO_UNIT, as in the rollups.
 */
export async function sideCountsPerUnitFromAnswers(db: Db, organizationId: string, waveId: string, side: Side, attributes: Record<string, string>, scales: ReadonlyMap<string, Scale>): Promise<(unitId: string) => Counts> {
  const responses = db.selectFrom('responses').select(['id', sql<string>`coalesce(unit_id::text, ${NO_UNIT})`.as('unit_key')])
    .where('organization_id', '=', organizationId).where('wave_id', '=', waveId).where('side', '=', side)
    .$if(Object.keys(attributes).length > 0, (q) => q.where(sql<boolean>`attributes @> ${JSON.stringify(attributes)}::jsonb`))
  const [answers, dimensions, respondents] = await Promise.all([
    db.selectFrom('answers').innerJoin(responses.as('r'), 'r.id', 'answers.response_id').where('answers.organization_id', '=', organizationId)
      .select(['r.unit_key', 'answers.item_key', 'answers.value', (eb) => eb.fn.countAll<number>().as('count')])
      .where('answers.value', 'is not', null)
      .groupBy(['r.unit_key', 'answers.item_key', 'answers.value']).execute(),
    db.selectFrom((eb) => eb.selectFrom('answers')
      .innerJoin(responses.as('r'), 'r.id', 'answers.response_id').where('answers.organization_id', '=', organizationId)
      .innerJoin('waves', (join) => join.on('waves.organization_id', '=', organizationId).on('waves.id', '=', waveId))
      .innerJoin('items', (join) => join.onRef('items.instrument_id', '=', 'waves.instrument_id').onRef('items.key', '=', 'answers.item_key'))
      .select(['r.unit_key', 'answers.response_id', 'items.dimension', (e) => e.fn.avg<number>('answers.value').as('mean')])
      .where('answers.value', 'is not', null).where('items.headline', '=', false).where('items.scale', '=', DIMENSION_SCALE)
      .groupBy(['r.unit_key', 'answers.response_id', 'items.dimension']).as('per_respondent'))
      .select(['unit_key', 'dimension', (eb) => eb.fn.countAll<number>().as('n'), sql<number>`sum(case when mean >= ${sql.lit(DIMENSION_AGREE_MEAN)} then 1 else 0 end)`.as('agree'), (eb) => eb.fn.sum<number>('mean').as('mean_sum')])
      .groupBy(['unit_key', 'dimension']).execute(),
    db.selectFrom(responses.as('r')).select(['unit_key', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('unit_key').execute(),
  ])
  const units = new Map<string, Counts>()
  const of = (unitKey: string) => units.get(unitKey) ?? units.set(unitKey, emptyCounts()).get(unitKey)!
  for (const row of respondents) of(row.unit_key).respondents += Number(row.n)
  for (const row of answers) place(of(row.unit_key).distributions, scales, row.item_key, row.value!, Number(row.count))
  for (const row of dimensions) of(row.unit_key).dimensions.set(row.dimension, { n: Number(row.n), agree: Number(row.agree), meanSum: Number(row.mean_sum) })
  return (unitId) => units.get(unitId) ?? emptyCounts()
}

/** Every unit's counts of one side: from the rollups without attribute filters, from the answers with them. */
export async function countsPerUnit(db: Db, organizationId: string, waveId: string, side: Side, attributes: Record<string, string>, scales: ReadonlyMap<string, Scale>): Promise<(unitId: string) => Counts> {
  if (Object.keys(attributes).length > 0) return sideCountsPerUnitFromAnswers(db, organizationId, waveId, side, attributes, scales)
  return sideCountsPerUnit(db, organizationId, waveId, side, scales)
}
