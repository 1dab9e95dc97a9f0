// The overview of the waves list (the landing page after sign-in) and of the API's wave objects: per
// wave, its respondents per side, its headline gap and that gap's change since the previous wave of
// the same instrument. Every figure comes through the wave's own release (release.ts), exactly as the
// report reads it: staff counts are the released ones (answers waiting for a release step are not in
// them), a hidden side is hidden here too, and the earlier wave of a change obeys its own release.
// A unit manager sees nothing of the whole wave: their figures are those of their first unit, one
// released group, never a sum of their units.
import type { Db } from '../../db/connect.js'
import { SIDES, type Side } from '../domain/types.js'
import type { GroupStatus } from '../domain/release.js'
import { buildReport, isSuppressed, type ItemResult, type Share } from '../domain/report.js'
import type { GapChangeStats } from '../domain/statistics.js'
import { LocalCache } from '../local-cache.js'
import { fromRollups } from '../repositories/reports.js'
import { earlierWaves, type Wave } from '../repositories/waves.js'
import { reportItems } from './report.js'
import { changes, pointsOf } from './trend.js'
import { groupOf, shows, waveRelease } from './release.js'
import { reportScope, type Reader, type ReportScope } from './report-scope.js'

type Organization = { id: string; name: string; minGroupSize: number }
type WaveRef = Pick<Wave, 'id' | 'name' | 'instrumentKey'>

/** A side's respondents as the release lets them be shown: the count (0: no answers), or hidden. */
export type ShownCount = { shown: true; n: number } | { shown: false }

/** The change of the headline gap since the previous wave of the same instrument (MOVER interval). */
export interface HeadlineChange extends GapChangeStats {
  since: { id: string; name: string }
  /** BH over the items compared, exactly as the report's trend has it (services/trend.ts changes). */
  qValue: number
  /** q < 0.05: the list and the report's summary give the same verdict. */
  significant: boolean
  /** The earlier wave's gap, in points (shown in its own row, under its own release). */
  before: number
}

export interface WaveFigures {
  wave: { id: string; name: string }
  /** The group the figures are of: null for the whole wave, else a unit manager's unit. */
  unit: { id: string; name: string } | null
  responses: Record<Side, ShownCount>
  /** The headline exactly as the report of the same group has it (shares, gap with its BH q). */
  headline: ItemResult
  /** Every item, for the change's BH family (the same as the trend's). */
  items: ItemResult[]
}

export interface WaveOverview extends WaveFigures {
  /** The previous wave of the same instrument, if there is one (whether or not a change can be read). */
  previous: { id: string; name: string } | null
  change: HeadlineChange | null
}

/** Whose figures a reader sees in an overview: the whole wave, one unit of theirs, or none at all. */
export type OverviewGroup = { unit: null } | { unit: { id: string; name: string } } | null

export function overviewGroup(scope: ReportScope): OverviewGroup {
  if (scope.whole) return { unit: null }
  const [first] = scope.units
  return first ? { unit: { id: first.id, name: first.name } } : null
}

function shownCount(status: GroupStatus): ShownCount {
  if (status.shown) return { shown: true, n: status.n }
  return status.reason === 'no_answers' ? { shown: true, n: 0 } : { shown: false }
}

const figuresKept = new LocalCache<string, WaveFigures>({ max: 500 })

/**
 * One wave's figures for a group (the whole wave or one unit): the respondents from the release, the
 * headline from the rollups of that group through the same buildReport as the report, so that its gap
 * and q-value (Benjamini–Hochberg over the wave's items) are the report's. No analytics are computed.
 */
export async function waveFigures(db: Db, organization: Organization, wave: WaveRef, unit: { id: string; name: string } | null): Promise<WaveFigures> {
  const unitId = unit?.id ?? null
  const release = await waveRelease(db, organization.id, wave.id, organization.minGroupSize)
  // The same release version shows the same figures (release.ts), so they are kept under it: a list
  // read again costs the release's version checks only.
  const key = JSON.stringify([wave.id, wave.name, unit, organization.name, organization.minGroupSize, release.version])
  const kept = figuresKept.get(key)
  if (kept) return kept
  const items = await reportItems(db, wave.id, organization.name)
  const scales = new Map(items.map((item) => [item.key, item.scale]))
  const [staff, customer] = await Promise.all(SIDES.map((side) => fromRollups(db, organization.id, wave.id, side, unitId, scales)))
  const group = groupOf(unitId, {})
  const report = buildReport({
    items,
    sides: { staff: { ...staff!, shown: shows(release, 'staff', group) }, customer: { ...customer!, shown: shows(release, 'customer', group) } },
  })
  const responses = Object.fromEntries(SIDES.map((side) => [side, shownCount(release.sides[side].status(group))])) as Record<Side, ShownCount>
  const figures = { wave: { id: wave.id, name: wave.name }, unit, responses, headline: report.headline, items: report.items }
  figuresKept.set(key, figures)
  return figures
}

/**
 * The headline gap's change from `before` to `now` (the same group), by the trend's own rule: the gap
 * change of every item with all four shares shown, BH over them, so that the list's verdict is the
 * one the report's summary gives.
 */
export function headlineChange(now: WaveFigures, before: WaveFigures | null): HeadlineChange | null {
  if (!before || before.headline.key !== now.headline.key || !before.headline.gap) return null
  const keys = now.items.map((item) => item.key)
  const change = changes(keys, pointsOf(before.wave, before.items), pointsOf(now.wave, now.items)).find((c) => c.key === now.headline.key)?.change
  if (!change) return null
  return { ...change, since: before.wave, before: before.headline.gap.points }
}

/** At most this many waves are read at once (each is a handful of queries). */
const AT_ONCE = 4

async function inBatches<T, R>(list: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = []
  for (let start = 0; start < list.length; start += AT_ONCE) out.push(...await Promise.all(list.slice(start, start + AT_ONCE).map(work)))
  return out
}

/**
 * The overview of each of these waves (the organization's, newest first) for a reader, in the same
 * order; null for every wave when the reader may see no figures (a unit manager without units). The
 * previous wave of each is the next older one of the same instrument in the list, so that every
 * wave is read once. A page of the list (`page: true`) may not hold it: the oldest wave of each
 * instrument on the page then has its previous one looked up, as for a single wave.
 */
export async function wavesOverview(
  db: Db, organization: Organization, waves: readonly Wave[], reader: Reader, options: { page?: boolean } = {},
): Promise<{ group: OverviewGroup; overviews: Array<WaveOverview | null> }> {
  const group = overviewGroup(await reportScope(db, reader))
  if (!group) return { group, overviews: waves.map(() => null) }
  const figures = await inBatches(waves, (wave) => waveFigures(db, organization, wave, group.unit))
  // As earlierWaves reads it: created strictly before, the same instrument key, the latest of those.
  const previousIn = waves.map((wave, i) => waves.findIndex((other, k) => k > i && other.instrumentKey === wave.instrumentKey && other.createdAt < wave.createdAt))
  const outside = await inBatches(waves.map((wave, i) => ({ wave, i })), async ({ wave, i }) => {
    if (!options.page || previousIn[i]! >= 0) return null
    const [earlier] = await earlierWaves(db, organization.id, wave, { includeThis: false, limit: 1 })
    return earlier ? waveFigures(db, organization, { ...earlier, instrumentKey: wave.instrumentKey }, group.unit) : null
  })
  const overviews = waves.map((_wave, i) => {
    const j = previousIn[i]!
    const before = j >= 0 ? figures[j]! : outside[i]!
    return { ...figures[i]!, previous: before?.wave ?? null, change: headlineChange(figures[i]!, before) }
  })
  return { group, overviews }
}

/** The overview of one wave for a reader (null: no figures for them), its previous wave read for the change. */
export async function oneWaveOverview(db: Db, organization: Organization, wave: WaveRef, reader: Reader): Promise<WaveOverview | null> {
  const group = overviewGroup(await reportScope(db, reader))
  if (!group) return null
  const [[earlier], now] = await Promise.all([earlierWaves(db, organization.id, wave, { includeThis: false, limit: 1 }), waveFigures(db, organization, wave, group.unit)])
  const before = earlier ? await waveFigures(db, organization, { ...earlier, instrumentKey: wave.instrumentKey }, group.unit) : null
  return { ...now, previous: earlier ? { id: earlier.id, name: earlier.name } : null, change: headlineChange(now, before) }
}

const share = (value: Share) => (isSuppressed(value) ? null : value.share)

/** The overview as the API's wave objects carry it (server/routes/api/overview-schemas.ts). */
export function overviewJson(overview: WaveOverview | null) {
  if (!overview) return null
  const { headline, change } = overview
  return {
    unit: overview.unit,
    responses: { staff: overview.responses.staff.shown ? overview.responses.staff.n : null, customer: overview.responses.customer.shown ? overview.responses.customer.n : null },
    headline: {
      key: headline.key,
      staff: share(headline.staff),
      customer: share(headline.customer),
      gap: headline.gap ? { points: headline.gap.points, ci95: headline.gap.ci95, significant: headline.gap.significant } : null,
    },
    change: change ? { since: change.since, points: change.points, ci95: change.ci95, pValue: change.pValue, significant: change.significant } : null,
  }
}
