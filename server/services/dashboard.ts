// What the wave dashboard shows, gathered in one place: the report for the chosen filters, the gap
// of every unit on every item, respondents per side and unit, the comments that may be shown, the
// sample-size planner and the change since the previous wave of the same instrument.
import type { Db } from '../../db/connect.js'
import { NO_UNIT } from '../../db/schema.js'
import type { Side } from '../domain/types.js'
import { commentsShown, tooSmall } from '../domain/anonymity.js'
import { isSuppressed, type ReportFilters, type Share } from '../domain/report.js'
import { change, sampleSizePerSide, summarize, wilson, type ChangeStats } from '../domain/statistics.js'
import { fromRollups } from '../repositories/reports.js'
import { attributeValues, frequentComments, respondentsPerUnit } from '../repositories/respondents.js'
import { listUnits } from '../repositories/units.js'
import { earlierWaves } from '../repositories/waves.js'
import { reportItems, unitReports, waveReport } from './report.js'

type Organization = { id: string; name: string; minGroupSize: number }
type WaveRef = { id: string; name: string; instrumentKey: string }

const PLANNED_GAP_POINTS = 10

export type TrendShare = { share: number; ci95: [number, number]; n: number }

/** Each item's share on each side in the previous wave of the same instrument, and the change since. */
async function sincePrevious(db: Db, organizationId: string, minGroupSize: number, wave: WaveRef, current: Awaited<ReturnType<typeof waveReport>>) {
  // The same group in both waves: a unit filter applies to the earlier wave too; attribute filters
  // cannot (the rollups do not hold attributes), so the comparison is left out under them.
  if (Object.keys(current.filters.staff).length > 0 || Object.keys(current.filters.customer).length > 0) return null
  const unitId = current.filters.unit?.id ?? null
  const [previous] = await earlierWaves(db, organizationId, wave, { includeThis: false, limit: 1 })
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

/** Every wave of the same instrument up to this one, oldest first, with each item's share on each side. */
async function trend(db: Db, organizationId: string, minGroupSize: number, wave: WaveRef) {
  const waves = await earlierWaves(db, organizationId, wave, { includeThis: true, limit: 8 })
  const points = []
  for (const w of waves.reverse()) {
    const items = await reportItems(db, w.id, '')
    const scales = new Map(items.map((item) => [item.key, item.scale]))
    const [staff, customer] = await Promise.all([fromRollups(db, w.id, 'staff', null, scales), fromRollups(db, w.id, 'customer', null, scales)])
    const sides = { staff, customer }
    const shares = new Map<string, Record<Side, TrendShare | null>>()
    for (const item of items) {
      const entry: Record<Side, TrendShare | null> = { staff: null, customer: null }
      shares.set(item.key, entry)
      for (const side of ['staff', 'customer'] as const) {
        const distribution = sides[side].distributions.get(item.key)
        if (!distribution) continue
        const counted = summarize(distribution, item.scale)
        const ci = wilson(counted.agree, counted.n)
        if (ci && !tooSmall(counted.n, minGroupSize)) entry[side] = { share: counted.agree / counted.n, ci95: ci, n: counted.n }
      }
    }
    points.push({ wave: w, shares })
  }
  return points
}

export type WaveDashboard = Awaited<ReturnType<typeof waveDashboard>>

export async function waveDashboard(db: Db, organization: Organization, wave: WaveRef, filters: ReportFilters) {
  const report = await waveReport(db, organization, wave, filters)
  const units = (await listUnits(db, organization.id)).map(({ id, name }) => ({ id, name }))
  const counts = await respondentsPerUnit(db, wave.id)
  const min = organization.minGroupSize
  const total = (side: Side) => counts.filter((c) => c.side === side).reduce((a, c) => a + c.n, 0)
  // A unit's count is shown only from the minimum group size up (and when it is 0).
  const count = (n: number) => ({ n, shown: n === 0 || !tooSmall(n, min) })
  const perUnit = [...units, { id: NO_UNIT, name: 'No unit given' }].map((unit) => {
    const n = (side: Side) => counts.find((c) => c.side === side && c.unitKey === unit.id)?.n ?? 0
    return { unit, staff: count(n('staff')), customer: count(n('customer')) }
  }).filter((row) => row.unit.id !== NO_UNIT || row.staff.n + row.customer.n > 0)

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
    sideComments[side] = shown ? await frequentComments(db, wave.id, { side, unitId, attributes: filters[side] }) : null
  }

  const customerHeadline = report.headline.customer
  const expected = isSuppressed(customerHeadline) ? 0.5 : Math.min(0.9, Math.max(0.05, customerHeadline.share))
  return {
    report,
    units,
    respondents: { staff: total('staff'), customer: total('customer'), perUnit },
    heatmap,
    comments: sideComments,
    attributeOptions: await attributeValues(db, wave.id),
    planner: { gapPoints: PLANNED_GAP_POINTS, expectedShare: expected, perSide: sampleSizePerSide(expected, PLANNED_GAP_POINTS) },
    previous: await sincePrevious(db, organization.id, min, wave, report),
    trend: await trend(db, organization.id, min, wave),
  }
}
