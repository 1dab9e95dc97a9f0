// The trend of the gap across the waves of the same instrument, under the report's filters: for the
// headline and every item, each side's share (Wilson interval, n) and the gap (Newcombe interval) in
// each wave, each wave under its own anonymity release, and each item's gap change since the previous
// wave (statistics.ts gapChange, Benjamini–Hochberg over the items compared). What it shows of an
// earlier wave is exactly what that wave's own report would show under the same filters. Each point
// also says whether the item's wording or scale changed since the latest earlier wave that has it
// (wording-changes.ts itemRevisions, read from the waves' frozen instruments); across a new scale the
// line breaks: no gap change is measured there.
import type { Db } from '../../db/connect.js'
import { SIDES, type Scale, type Side } from '../domain/types.js'
import { buildReport, isSuppressed, type ItemResult, type SideCounts } from '../domain/report.js'
import type { GapChange, Trend, TrendFigures, TrendShare, WaveRef } from '../domain/report-parts.js'
import { benjaminiHochberg, gapChange, SIGNIFICANCE, type GapChangeStats } from '../domain/statistics.js'
import { sideCounts } from '../repositories/reports.js'
import { itemRevisions } from '../domain/wording-changes.js'
import { frozenInstrument } from '../repositories/instruments.js'
import { earlierWaves, waveInstrumentId } from '../repositories/waves.js'
import { reportItems } from './report.js'
import { groupOf, shows, waveRelease } from './release.js'
import { offersWithin, type ReportScope } from './report-scope.js'

/** At most this many waves, this one included. */
export const TREND_WAVES = 8

/** The filters as the report resolved them: the unit by id, attribute filters per side. */
export interface TrendFilters {
  unit: { id: string } | null
  staff: Record<string, string>
  customer: Record<string, string>
}

type Items = ReadonlyArray<Pick<ItemResult, 'key' | 'staff' | 'customer' | 'gap'>>

const trendShare = (share: ItemResult['staff']): TrendShare | null =>
  (isSuppressed(share) ? null : { share: share.share, agree: share.agree, n: share.n, ci95: share.ci95 })

export function pointsOf(wave: WaveRef, items: Items): Map<string, TrendFigures> {
  return new Map(items.map((item) => [item.key, {
    wave,
    staff: trendShare(item.staff),
    customer: trendShare(item.customer),
    gap: item.gap ? { points: item.gap.points, ci95: item.gap.ci95 } : null,
  }]))
}

/**
 * One earlier wave's items under the filters, as that wave's own report would give them: counts of the
 * same group (from the answers under attribute filters), shown only where that wave's release shows the
 * group for the item and its respondents. An attribute value that wave does not offer (unknown there,
 * or kept back) hides both sides' figures of that side, as its report would refuse the filter.
 */
async function earlierItems(db: Db, organizationId: string, waveId: string, minGroupSize: number, filters: TrendFilters, scope: ReportScope): Promise<Items> {
  const items = await reportItems(db, waveId, '')
  const scales = new Map<string, Scale>(items.map((item) => [item.key, item.scale]))
  const release = await waveRelease(db, organizationId, waveId, minGroupSize)
  const unitId = filters.unit?.id ?? null
  const counts = async (side: Side): Promise<SideCounts> => {
    const attributes = filters[side]
    const offers = offersWithin(release, side, scope, unitId)
    const offered = Object.entries(attributes).every(([name, value]) => offers(name, value))
    const shown = shows(release, side, groupOf(unitId, attributes))
    return { ...await sideCounts(db, organizationId, waveId, side, { unitId, attributes }, scales), shown: (measure) => offered && shown(measure) }
  }
  const [staff, customer] = await Promise.all(SIDES.map(counts))
  return buildReport({ items, sides: { staff: staff!, customer: customer! } }).items
}

const counted = (share: TrendShare | null) => (share ? { agree: share.agree, n: share.n } : null)

/**
 * Each item's gap change between two points, BH over the items that have all four shares (and are
 * comparable: an item whose scale changed between the two is not).
 */
export function changes(
  keys: readonly string[], before: ReadonlyMap<string, TrendFigures>, now: ReadonlyMap<string, TrendFigures>,
  comparable: (key: string) => boolean = () => true,
): Array<{ key: string; change: GapChange | null }> {
  const raw: Array<GapChangeStats | null> = keys.map((key) => {
    if (!comparable(key)) return null
    const [a, b] = [before.get(key), now.get(key)]
    const s0 = counted(a?.staff ?? null); const c0 = counted(a?.customer ?? null)
    const s1 = counted(b?.staff ?? null); const c1 = counted(b?.customer ?? null)
    return s0 && c0 && s1 && c1 ? gapChange({ staff: s1, customer: c1 }, { staff: s0, customer: c0 }) : null
  })
  const q = benjaminiHochberg(raw.map((c) => c?.pValue ?? null))
  return keys.map((key, i) => {
    const c = raw[i]
    return { key, change: c ? { ...c, qValue: q[i]!, significant: q[i]! < SIGNIFICANCE } : null }
  })
}

/**
 * The trend for a report: the waves of the same instrument up to and including this one (at most
 * TREND_WAVES, oldest first). This wave's points are the report's own figures; each earlier wave's
 * come from that wave under the same filters and its own release.
 */
export async function waveTrend(
  db: Db,
  organization: { id: string; minGroupSize: number },
  wave: { id: string; name: string; instrumentKey: string },
  report: { filters: TrendFilters; headline: { key: string }; items: Items },
  scope: ReportScope,
): Promise<Trend> {
  const found = (await earlierWaves(db, organization.id, wave, { includeThis: true, limit: TREND_WAVES })).reverse()
  // This wave is always the last, also should the clock have put another wave at the same instant.
  const self = found.find((w) => w.id === wave.id) ?? { id: wave.id, name: wave.name, instrumentId: (await waveInstrumentId(db, organization.id, wave.id))! }
  const runs = [...found.filter((w) => w.id !== wave.id).slice(-(TREND_WAVES - 1)), { ...self, name: wave.name }]
  const waves: WaveRef[] = runs.map(({ id, name }) => ({ id, name }))
  const perWave: Array<Map<string, TrendFigures>> = []
  for (const w of waves) {
    const items = w.id === wave.id ? report.items : await earlierItems(db, organization.id, w.id, organization.minGroupSize, report.filters, scope)
    perWave.push(pointsOf(w, items))
  }
  const keys = report.items.map((item) => item.key)
  // The instruments a wave ran are frozen, so their items are read from memory after the first time.
  const instruments = await Promise.all(runs.map((w) => frozenInstrument(db, w.instrumentId)))
  const revisions = itemRevisions(keys, instruments)
  const missing = (w: WaveRef): TrendFigures => ({ wave: w, staff: null, customer: null, gap: null })
  const previous = perWave.length >= 2 ? perWave[perWave.length - 2]! : null
  const last = waves.length - 1
  return {
    waves,
    headline: report.headline.key,
    items: keys.map((key) => ({ key, points: waves.map((w, i) => ({ ...(perWave[i]!.get(key) ?? missing(w)), ...revisions.get(key)![i]! })) })),
    change: previous ? {
      since: waves[last - 1]!,
      items: changes(keys, previous, perWave[last]!, (key) => !revisions.get(key)![last]!.scaleChanged),
    } : null,
  }
}
