// What the wave dashboard shows, gathered in one place: the report for the chosen filters, the gap
// of every unit on every item, respondents per side and unit, the comments that may be shown, the
// sample-size planner and the change since the previous wave of the same instrument.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import { NO_UNIT } from '../../db/schema.js'
import type { Side } from '../domain/types.js'
import { commentsShown, tooSmall } from '../domain/anonymity.js'
import { isSuppressed, type ReportFilters, type Share } from '../domain/report.js'
import { change, sampleSizePerSide, summarize, wilson, type ChangeStats } from '../domain/statistics.js'
import { fromRollups } from '../repositories/reports.js'
import { reportItems, unitReports, waveReport } from './report.js'

type Organization = { id: string; name: string; minGroupSize: number }
type WaveRef = { id: string; name: string; templateKey: string; createdAt: Date }

const PLANNED_GAP_POINTS = 10

async function respondentsPerUnit(db: Db, waveId: string) {
  const rows = await db.selectFrom('response_rollups').select(['side', 'unit_key', (eb) => eb.fn.sum<number>('respondents').as('n')])
    .where('wave_id', '=', waveId).groupBy(['side', 'unit_key']).execute()
  return rows.map((row) => ({ side: row.side, unitKey: row.unit_key, n: Number(row.n) }))
}

async function attributeOptions(db: Db, waveId: string) {
  const rows = await db.selectFrom('responses')
    .select(['side', sql<string>`kv.key`.as('name'), sql<string>`kv.value`.as('value'), (eb) => eb.fn.countAll<number>().as('n')])
    .innerJoin(sql`jsonb_each_text(responses.attributes)`.as('kv'), (join) => join.onTrue())
    .where('wave_id', '=', waveId).groupBy(['side', sql`kv.key`, sql`kv.value`]).orderBy(sql`kv.key`).orderBy(sql`kv.value`).limit(400).execute()
  const options: Record<Side, Record<string, string[]>> = { staff: {}, customer: {} }
  for (const row of rows) (options[row.side][row.name] ??= []).push(row.value)
  return options
}

/** The most frequent comments first (identical ones counted once, with how many gave them). */
async function comments(db: Db, waveId: string, side: Side, unitId: string | null, attributes: Record<string, string>) {
  const rows = await db.selectFrom('responses').select(['comment', (eb) => eb.fn.countAll<number>().as('times')])
    .where('wave_id', '=', waveId).where('side', '=', side).where('comment', 'is not', null)
    .$if(unitId !== null, (q) => q.where('unit_id', '=', unitId))
    .$if(Object.keys(attributes).length > 0, (q) => q.where(sql<boolean>`attributes @> ${JSON.stringify(attributes)}::jsonb`))
    .groupBy('comment').orderBy('times', 'desc').orderBy('comment').limit(12).execute()
  return rows.map((row) => ({ comment: row.comment!, times: Number(row.times) }))
}

/** Each item's share on each side in the previous wave of the same template, and the change since. */
async function sincePrevious(db: Db, organizationId: string, minGroupSize: number, wave: WaveRef, current: Awaited<ReturnType<typeof waveReport>>) {
  // The same group in both waves: a unit filter applies to the earlier wave too; attribute filters
  // cannot (the rollups do not hold attributes), so the comparison is left out under them.
  if (Object.keys(current.filters.staff).length > 0 || Object.keys(current.filters.customer).length > 0) return null
  const unitId = current.filters.unit?.id ?? null
  const previous = await db.selectFrom('waves').innerJoin('instruments', 'instruments.id', 'waves.instrument_id')
    .select(['waves.id', 'waves.name'])
    .where('waves.organization_id', '=', organizationId).where('instruments.key', '=', wave.templateKey)
    .where('waves.created_at', '<', createdAtOf(db, wave.id)).orderBy('waves.created_at', 'desc').limit(1).executeTakeFirst()
  if (!previous) return null
  const items = await reportItems(db, previous.id, '')
  const scales = new Map(items.map((item) => [item.key, item.scale]))
  const [staff, customer] = await Promise.all([fromRollups(db, previous.id, 'staff', unitId, scales), fromRollups(db, previous.id, 'customer', unitId, scales)])
  const sides = { staff, customer }
  const byItem = new Map<string, Record<Side, ChangeStats | null>>()
  for (const item of current.items) {
    const entry: Record<Side, ChangeStats | null> = { staff: null, customer: null }
    for (const side of ['staff', 'customer'] as const) {
      const now: Share = item[side]
      const distribution = sides[side].distributions.get(item.key)
      const scale = scales.get(item.key)
      if (isSuppressed(now) || !distribution || !scale) continue
      const before = summarize(distribution, scale)
      if (tooSmall(before.n, minGroupSize)) continue
      entry[side] = change(now, before)
    }
    byItem.set(item.key, entry)
  }
  return { wave: previous, byItem }
}

/**
 * A wave's creation time as the database holds it (PostgreSQL keeps microseconds that a JavaScript
 * Date would round away), for comparing waves by when they were made.
 */
const createdAtOf = (db: Db, waveId: string) => db.selectFrom('waves as w').select('w.created_at').where('w.id', '=', waveId)

/** Every wave of the same template up to this one, oldest first, with each item's share on each side. */
async function trend(db: Db, organizationId: string, minGroupSize: number, wave: WaveRef) {
  const waves = await db.selectFrom('waves').innerJoin('instruments', 'instruments.id', 'waves.instrument_id')
    .select(['waves.id', 'waves.name'])
    .where('waves.organization_id', '=', organizationId).where('instruments.key', '=', wave.templateKey)
    .where('waves.created_at', '<=', createdAtOf(db, wave.id)).orderBy('waves.created_at', 'desc').limit(8).execute()
  const points = []
  for (const w of waves.reverse()) {
    const items = await reportItems(db, w.id, '')
    const scales = new Map(items.map((item) => [item.key, item.scale]))
    const [staff, customer] = await Promise.all([fromRollups(db, w.id, 'staff', null, scales), fromRollups(db, w.id, 'customer', null, scales)])
    const sides = { staff, customer }
    const shares: Record<string, Record<Side, { share: number; ci95: [number, number]; n: number } | null>> = {}
    for (const item of items) {
      shares[item.key] = { staff: null, customer: null }
      for (const side of ['staff', 'customer'] as const) {
        const distribution = sides[side].distributions.get(item.key)
        if (!distribution) continue
        const counted = summarize(distribution, item.scale)
        const ci = wilson(counted.agree, counted.n)
        if (ci && !tooSmall(counted.n, minGroupSize)) shares[item.key]![side] = { share: counted.agree / counted.n, ci95: ci, n: counted.n }
      }
    }
    points.push({ wave: w, shares })
  }
  return points
}

export async function waveDashboard(db: Db, organization: Organization, wave: WaveRef, filters: ReportFilters) {
  const report = await waveReport(db, organization, wave, filters)
  const units = await db.selectFrom('units').select(['id', 'name']).where('organization_id', '=', organization.id).orderBy('name').execute()
  const counts = await respondentsPerUnit(db, wave.id)
  const min = organization.minGroupSize
  const total = (side: Side) => counts.filter((c) => c.side === side).reduce((a, c) => a + c.n, 0)
  const perUnit = [...units, { id: NO_UNIT, name: 'No unit given' }].map((unit) => {
    const n = (side: Side) => counts.find((c) => c.side === side && c.unitKey === unit.id)?.n ?? 0
    return { unit, staff: n('staff'), customer: n('customer') }
  }).filter((row) => row.unit.id !== NO_UNIT || row.staff + row.customer > 0)

  const perUnitReports = await unitReports(db, organization, wave.id, units.map((unit) => unit.id))
  const heatmap = units.map((unit) => ({
    unit,
    items: perUnitReports.get(unit.id)!.items.map((item) => ({ key: item.key, gap: item.gap, classification: item.classification })),
  }))

  const unitId = report.filters.unit?.id ?? null
  const sideComments = {} as Record<Side, Array<{ comment: string; times: number }> | null>
  for (const side of ['staff', 'customer'] as const) {
    const headline = report.headline[side]
    const shown = !isSuppressed(headline) && commentsShown(true, headline.n, min)
    sideComments[side] = shown ? await comments(db, wave.id, side, unitId, filters[side]) : null
  }

  const customerHeadline = report.headline.customer
  const expected = isSuppressed(customerHeadline) ? 0.5 : Math.min(0.9, Math.max(0.05, customerHeadline.share))
  return {
    report,
    units,
    respondents: { staff: total('staff'), customer: total('customer'), perUnit, shown: (n: number) => !tooSmall(n, min) },
    heatmap,
    comments: sideComments,
    attributeOptions: await attributeOptions(db, wave.id),
    planner: { gapPoints: PLANNED_GAP_POINTS, expectedShare: expected, perSide: sampleSizePerSide(expected, PLANNED_GAP_POINTS) },
    previous: await sincePrevious(db, organization.id, min, wave, report),
    trend: await trend(db, organization.id, min, wave),
  }
}
