// The report's `units`: one heat-map row per unit in the reader's scope, each the unit's own gap report
// under the report's attribute filters (never the unit filter: the rows compare units), and the
// headline gap's change since the previous wave of the same instrument. Every figure comes through
// the wave's release for the unit's group on that side; the earlier wave obeys its own release.
import type { Db } from '../../db/connect.js'
import { SIDES, type Scale, type Side } from '../domain/types.js'
import { buildReport, isSuppressed, type ReportItem, type SideCounts } from '../domain/report.js'
import type { GapChange, UnitRow } from '../domain/report-parts.js'
import { benjaminiHochberg, gapChange, SIGNIFICANCE, summarize, type GapChangeStats } from '../domain/statistics.js'
import { waveItems } from '../repositories/instruments.js'
import { countsPerUnit, type Counts } from '../repositories/reports.js'
import { listUnits } from '../repositories/units.js'
import { earlierWaves } from '../repositories/waves.js'
import { groupOf, shows, waveRelease, type WaveRelease } from './release.js'
import type { ReportScope } from './report-scope.js'

type AttributeFilters = Record<Side, Record<string, string>>
type Counted = { agree: number; n: number }

/** The units a reader's heat map lists: every unit of the organization, or a unit manager's own. */
async function unitsInScope(db: Db, organizationId: string, scope: ReportScope) {
  if (!scope.whole) return [...scope.units]
  return (await listUnits(db, organizationId)).map(({ id, name }) => ({ id, name }))
}

/** A side's counts for every unit under the side's attribute filter, both sides at once. */
async function perUnit(db: Db, organizationId: string, waveId: string, filters: AttributeFilters, scales: ReadonlyMap<string, Scale>) {
  const [staff, customer] = await Promise.all(SIDES.map((side) => countsPerUnit(db, organizationId, waveId, side, filters[side], scales)))
  return { staff: staff!, customer: customer! } as Record<Side, (unitId: string) => Counts>
}

/** The respondents of a unit's group as the release shows them: null when it hides them. */
function respondentsOf(release: WaveRelease, side: Side, unitId: string, attributes: Record<string, string>): number | null {
  const status = release.sides[side].status(groupOf(unitId, attributes))
  if (status.shown) return status.n
  return status.reason === 'no_answers' ? 0 : null
}

/** The headline's agree and n of one side of a unit in the earlier wave, where its own release shows them. */
function earlierHeadline(counts: Counts, release: WaveRelease, side: Side, unitId: string, attributes: Record<string, string>, key: string, scale: Scale): Counted | null {
  const shown = shows(release, side, groupOf(unitId, attributes))
  const distribution = counts.distributions.get(key)
  if (!distribution || !shown('respondents') || !shown(key)) return null
  const { agree, n } = summarize(distribution, scale)
  return n === 0 ? null : { agree, n }
}

/**
 * The heat map's rows for a wave: per unit in the reader's scope, its report under `filters` (each
 * side's attribute filter; the unit filter does not narrow the rows), its respondents per side and
 * the change of its headline gap since the previous wave of the same instrument, BH over the units
 * compared. `items` and `release` are this wave's, as the report already holds them.
 */
export async function unitGaps(
  db: Db,
  organization: { id: string; minGroupSize: number },
  wave: { id: string; instrumentKey: string },
  filters: AttributeFilters,
  scope: ReportScope,
  release: WaveRelease,
  items: readonly ReportItem[],
): Promise<UnitRow[]> {
  const units = await unitsInScope(db, organization.id, scope)
  if (units.length === 0) return []
  const scales = new Map<string, Scale>(items.map((item) => [item.key, item.scale]))
  const counts = await perUnit(db, organization.id, wave.id, filters, scales)
  const side = (unitId: string, which: Side): SideCounts => ({ ...counts[which](unitId), shown: shows(release, which, groupOf(unitId, filters[which])) })
  const rows = units.map((unit) => {
    const report = buildReport({ items, sides: { staff: side(unit.id, 'staff'), customer: side(unit.id, 'customer') } })
    return { unit, report }
  })

  // The previous wave of the same instrument, under its own release and the same attribute filters.
  const changes = new Map<string, GapChangeStats>()
  const [previous] = await earlierWaves(db, organization.id, wave, { includeThis: false, limit: 1 })
  const headline = items.find((item) => item.headline) ?? items[0]
  if (previous && headline) {
    const earlierItems = await waveItems(db, previous.id)
    const earlierScale = earlierItems.find((item) => item.key === headline.key)?.scale
    if (earlierScale) {
      const [earlierRelease, before] = await Promise.all([
        waveRelease(db, organization.id, previous.id, organization.minGroupSize),
        perUnit(db, organization.id, previous.id, filters, new Map(earlierItems.map((item) => [item.key, item.scale]))),
      ])
      for (const { unit, report } of rows) {
        const now = report.headline
        if (isSuppressed(now.staff) || isSuppressed(now.customer)) continue
        const then = Object.fromEntries(SIDES.map((s) => [s, earlierHeadline(before[s](unit.id), earlierRelease, s, unit.id, filters[s], headline.key, earlierScale)])) as Record<Side, Counted | null>
        if (!then.staff || !then.customer) continue
        const stats = gapChange({ staff: now.staff, customer: now.customer }, { staff: then.staff, customer: then.customer })
        if (stats) changes.set(unit.id, stats)
      }
    }
  }
  const compared = [...changes.keys()]
  const q = benjaminiHochberg(compared.map((id) => changes.get(id)!.pValue))
  const changeOf = new Map(compared.map((id, i): [string, GapChange] => {
    const stats = changes.get(id)!
    return [id, { points: stats.points, ci95: stats.ci95, pValue: stats.pValue, qValue: q[i]!, significant: q[i]! < SIGNIFICANCE }]
  }))

  return rows.map(({ unit, report }): UnitRow => {
    const stats = changeOf.get(unit.id)
    return {
      id: unit.id,
      name: unit.name,
      respondents: { staff: respondentsOf(release, 'staff', unit.id, filters.staff), customer: respondentsOf(release, 'customer', unit.id, filters.customer) },
      staff: report.headline.staff,
      customer: report.headline.customer,
      gap: report.headline.gap,
      classification: report.headline.classification,
      items: report.items.map((item) => ({ key: item.key, gap: item.gap, classification: item.classification })),
      change: stats && previous ? { ...stats, since: { id: previous.id, name: previous.name } } : null,
    }
  })
}
