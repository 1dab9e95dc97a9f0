// What the wave dashboard shows, gathered in one place: the report for the chosen filters (with its
// heat map, `report.units`, from services/unit-gaps.ts, and its trend, `report.trend`, from
// services/trend.ts), respondents per side and unit of the groups the attribute filters choose, the
// comments that may be shown, the sample-size planner and the wave's action plans.
import type { Db } from '../../db/connect.js'
import { NO_UNIT } from '../../db/schema.js'
import { SIDES, type Side } from '../domain/types.js'
import type { GroupStatus } from '../domain/release.js'
import { smallestShownGroup } from '../domain/anonymity.js'
import { isSuppressed, type ReportFilters } from '../domain/report.js'
import { sampleSizePerSide } from '../domain/statistics.js'
import { frequentComments } from '../repositories/respondents.js'
import { plansToShow } from './action-plans.js'
import { waveReport } from './report.js'
import { waveAlerts } from './alerts.js'
import { groupOf, shows, waveRelease } from './release.js'
import { firstUnit, offeredWithin, reportScope, type Reader } from './report-scope.js'

type Organization = { id: string; name: string; minGroupSize: number }
type WaveRef = { id: string; name: string; instrumentKey: string }

const PLANNED_GAP_POINTS = 10

/** A count of respondents as the release lets it be shown: the number, or why it is hidden. */
export type ShownCount = { shown: true; n: number } | { shown: false; reason: 'too_few' | 'protects_smaller' }

function shownCount(status: GroupStatus): ShownCount {
  if (status.shown) return status
  if (status.reason === 'no_answers') return { shown: true, n: 0 }
  return { shown: false, reason: status.reason === 'protects_smaller' ? 'protects_smaller' : 'too_few' }
}

export type WaveDashboard = Awaited<ReturnType<typeof waveDashboard>>

/**
 * The dashboard for a reader. A unit manager's shows their units only: it opens on their first unit,
 * the unit picker, heat map and respondent rows hold only their units, and nothing of the whole wave
 * is in it (no totals,  no count of staff answers waiting across the wave).
 */
export async function waveDashboard(db: Db, organization: Organization, wave: WaveRef, asked: ReportFilters, reader: Reader) {
  const min = organization.minGroupSize
  const scope = await reportScope(db, reader)
  const filters = scope.whole || asked.unit !== null ? asked : { ...asked, unit: firstUnit(scope).id }
  const release = await waveRelease(db, organization.id, wave.id, min)
  const report = await waveReport(db, organization, wave, filters, reader, release)
  // The reader's units, as the heat map's rows list them (services/unit-gaps.ts): one list, one query.
  const units = report.units.map(({ id, name }) => ({ id, name }))
  // Respondents per unit and in total, of the groups the attribute filters pick on each side.
  const count = (side: Side, unit: string | null) => shownCount(release.sides[side].status(groupOf(unit, report.filters[side])))
  const unitRows = scope.whole ? [...units, { id: NO_UNIT, name: 'No unit given' }] : units
  const perUnit = unitRows.map((unit) => ({ unit, staff: count('staff', unit.id), customer: count('customer', unit.id) }))
    .filter((row) => row.unit.id !== NO_UNIT || !(row.staff.shown && row.staff.n === 0 && row.customer.shown && row.customer.n === 0))

  // Comments follow the release of the group the page is filtered to.
  const unitId = report.filters.unit?.id ?? null
  const sideComments = {} as Record<Side, Array<{ comment: string; times: number }> | null>
  for (const side of SIDES) {
    const shown = shows(release, side, groupOf(unitId, report.filters[side]))('respondents')
    sideComments[side] = shown ? await frequentComments(db, organization.id, wave.id, { side, unitId, attributes: report.filters[side] }) : null
  }

  // Why the filtered group's figures are hidden, if they are; for the whole side, how many more
  // answers it needs (the whole side's count is no secret once the invitation counter shows it).
  const filtered = (side: Side) => unitId !== null || Object.keys(report.filters[side]).length > 0
  const group = Object.fromEntries(SIDES.map((side) => {
    const status = shownCount(release.sides[side].status(groupOf(unitId, report.filters[side])))
    // Staff answers waiting for a release step count towards the first one.
    const waiting = side === 'staff' ? report.release.staffWaiting ?? 0 : 0
    const have = release.sides[side].respondents(groupOf(null, {}))
    const needed = scope.whole && !filtered(side) && have < smallestShownGroup(min) ? Math.max(1, smallestShownGroup(min) - have - waiting) : null
    return [side, { ...status, needed }]
  })) as Record<Side, ShownCount & { needed: number | null }>

  const customerHeadline = report.headline.customer
  const expected = isSuppressed(customerHeadline) ? 0.5 : Math.min(0.9, Math.max(0.05, customerHeadline.share))
  // A unit manager's "all" is the unit they are looking at: the whole wave's counts are not theirs.
  const totalOf = scope.whole ? null : unitId
  // Alerts are about whole units: the unit filter narrows them, attribute filters do not.
  const alerts = await waveAlerts(db, organization, wave, reader, report.filters.unit?.id ?? null)
  // Every plan of the wave the reader may see: the heat map marks each one's cell, the plans block lists the filtered unit's.
  const plans = await plansToShow(db, organization, reader, { waveId: wave.id })
  return {
    report,
    alerts,
    /** Whether the reader sees the whole wave (false: a unit manager, their units only). */
    whole: scope.whole,
    units,
    respondents: { staff: count('staff', totalOf), customer: count('customer', totalOf), perUnit },
    group,
    comments: sideComments,
    attributeOptions: { staff: offeredWithin(release, 'staff', scope, unitId), customer: offeredWithin(release, 'customer', scope, unitId) },
    plans,
    planner: { gapPoints: PLANNED_GAP_POINTS, expectedShare: expected, perSide: sampleSizePerSide(expected, PLANNED_GAP_POINTS) },
  }
}
