// The gap report of one wave for one set of filters, as the API returns it and the dashboard shows it.
import type { Db } from '../../db/connect.js'
import { SIDES, type PredictionMode, type Scale, type Side } from '../domain/types.js'
import { localize } from '../domain/instrument.js'
import { csvLine } from '../domain/csv.js'
import { buildReport, isSuppressed, type ReportFilters, type ReportItem, type Share, type SideCounts } from '../domain/report.js'
import { HttpError } from '../http-error.js'
import { findUnit } from '../domain/units.js'
import { waveItems } from '../repositories/instruments.js'
import { sideCounts } from '../repositories/reports.js'
import { listUnits } from '../repositories/units.js'
import { staffReleaseState } from '../repositories/staff-pool.js'
import { waveAnalytics } from './analytics.js'
import { unitGaps } from './unit-gaps.js'
import { waveTrend } from './trend.js'
import { groupOf, shows, waveRelease, type WaveRelease } from './release.js'
import { offersWithin, reportScope, unitWithinScope, type Reader, type ReportScope } from './report-scope.js'

/** The wave's items with their English texts, the organization's name filled in. */
export async function reportItems(db: Db, waveId: string, orgName: string): Promise<ReportItem[]> {
  const items = await waveItems(db, waveId)
  return items.map((item) => ({
    key: item.key, dimension: item.dimension, scale: item.scale, headline: item.headline,
    staffText: localize(item.staffText, 'en', orgName), customerText: localize(item.customerText, 'en', orgName),
  }))
}

/**
 * Turns the filters into a unit id and checks each attribute filter against the release: only values
 * whose group the release shows on their side can be chosen. The answer is the same for a value
 * nobody holds, one a few hold and one kept back, so the refusal says nothing about who answered.
 */
async function resolveFilters(db: Db, organization: { id: string; minGroupSize: number }, release: WaveRelease, filters: ReportFilters, scope: ReportScope) {
  let unit: { id: string; name: string } | null = null
  if (!scope.whole) {
    // A unit manager names one of their units, or is refused (report-scope.ts).
    unit = unitWithinScope(scope, filters.unit)
  } else if (filters.unit !== null) {
    const wanted = filters.unit
    const found = findUnit(await listUnits(db, organization.id), wanted)
    unit = found ? { id: found.id, name: found.name } : null
    if (!unit) throw new HttpError(400, 'unknown_filter', `There is no unit "${wanted}" in your organization.`)
  }
  for (const side of SIDES) {
    const offers = offersWithin(release, side, scope, unit?.id ?? null)
    for (const [name, value] of Object.entries(filters[side])) {
      if (!offers(name, value)) {
        throw new HttpError(400, 'unknown_filter', `"${name}" = "${value}" cannot be chosen: a ${side} attribute value can be filtered by only where its figures are shown (held by at least ${organization.minGroupSize} respondents, and not kept back to protect a smaller group).`)
      }
    }
  }
  return unit
}

/**
 * The gap report alone (headline, items, dimensions) under the filters: what the report table (CSV)
 * needs, without the heat map, the trend and the analytics that waveReport adds to it.
 */
export async function gapReport(
  db: Db,
  organization: { id: string; name: string; minGroupSize: number },
  wave: { id: string; name: string; instrumentKey: string; predictions?: PredictionMode },
  filters: ReportFilters,
  /** Who reads: a unit manager's report must name one of their units (report-scope.ts). */
  reader: Reader,
  given?: WaveRelease,
) {
  const scope = await reportScope(db, reader)
  const release = given ?? await waveRelease(db, organization.id, wave.id, organization.minGroupSize)
  const unit = await resolveFilters(db, organization, release, filters, scope)
  const items = await reportItems(db, wave.id, organization.name)
  const scales = new Map<string, Scale>(items.map((item) => [item.key, item.scale]))
  const counts = async (side: Side): Promise<SideCounts> => ({
    ...await sideCounts(db, organization.id, wave.id, side, { unitId: unit?.id ?? null, attributes: filters[side] }, scales),
    shown: shows(release, side, groupOf(unit?.id ?? null, filters[side])),
  })
  // Both sides at once: on PostgreSQL their queries run side by side on separate connections.
  const [staff, customer, state] = await Promise.all([counts('staff'), counts('customer'), staffReleaseState(db, organization.id, wave.id)])
  const report = buildReport({ items, sides: { staff, customer } })
  return {
    wave: { id: wave.id, name: wave.name },
    minGroupSize: organization.minGroupSize,
    // Staff figures as of their last release step, and how many staff answers wait for the next
    // (a count across the whole wave, so not for a reader scoped to their units).
    release: { at: state.releasedAt?.toISOString() ?? null, staffWaiting: scope.whole ? state.pending : null },
    filters: { unit, staff: filters.staff, customer: filters.customer },
    ...report,
    /** What waveReport builds on: not part of the answer. */
    context: { scope, release, items, scales },
  }
}

/** The whole report as the API returns it and the dashboard shows it: the gap report, the heat map's rows, the analytics and the trend. */
export async function waveReport(
  db: Db,
  organization: { id: string; name: string; minGroupSize: number },
  wave: { id: string; name: string; instrumentKey: string; predictions?: PredictionMode },
  filters: ReportFilters,
  reader: Reader,
  given?: WaveRelease,
) {
  const { context: { scope, release, items, scales }, ...report } = await gapReport(db, organization, wave, filters, reader, given)
  const [analytics, units, trend] = await Promise.all([
    waveAnalytics(db, organization, wave, { ...report, scales }, release, scope),
    // Every unit in the reader's scope under the same attribute filters, whatever the unit filter: the heat map compares units.
    unitGaps(db, organization, wave, { staff: filters.staff, customer: filters.customer }, scope, release, items),
    // The gap across the waves of the same instrument, under the same filters (services/trend.ts).
    waveTrend(db, organization, wave, report, scope),
  ])
  return { ...report, units, ...analytics, trend }
}

export type WaveReport = Awaited<ReturnType<typeof waveReport>>

/**
 * The report as a CSV table, one row per item and per dimension, for a spreadsheet: shares as
 * proportions, gaps in points, a suppressed side as empty cells marked "suppressed".
 */
export function reportCsv(report: Pick<WaveReport, 'wave' | 'items' | 'dimensions'>): { filename: string; body: string } {
  const share = (s: Share) => (isSuppressed(s) ? ['', '', '', 'suppressed'] : [s.n, s.share.toFixed(4), `[${s.ci95[0].toFixed(4)}, ${s.ci95[1].toFixed(4)}]`, s.mean?.toFixed(3) ?? ''])
  const rows = [
    csvLine(['kind', 'key', 'staff_n', 'staff_share', 'staff_ci95', 'staff_mean', 'customer_n', 'customer_share', 'customer_ci95', 'customer_mean', 'gap_points', 'gap_ci95', 'p_value', 'q_value', 'significant', 'classification']),
    ...[...report.items.map((x) => ['item', x] as const), ...report.dimensions.map((x) => ['dimension', x] as const)].map(([kind, x]) => csvLine([
      kind, x.key, ...share(x.staff), ...share(x.customer),
      x.gap?.points.toFixed(2) ?? '', x.gap ? `[${x.gap.ci95[0].toFixed(2)}, ${x.gap.ci95[1].toFixed(2)}]` : '',
      x.gap?.pValue ?? '', x.gap?.qValue ?? '', x.gap ? String(x.gap.significant) : '', x.classification,
    ])),
  ]
  // A byte-order mark, so that spreadsheet programs read the file as UTF-8.
  return { filename: `service-gap-${report.wave.name.replace(/[^A-Za-z0-9_-]+/g, '-')}-report.csv`, body: '\ufeff' + rows.join('') }
}
