// The leadership analytics of a report (design §4): key drivers, fix first, staff predictions and
// linkage across units, for the report's filters and reader, each computed only from groups the
// anonymity release shows (design §5), and kept per release: a second read of the same view under the
// same release is the same object, without a second bootstrap.
import type { Db } from '../../db/connect.js'
import type { Analytics, AnalysisScope, Drivers, FixFirst, Linkage, Prediction, Unavailable } from '../domain/analytics/types.js'
import { driverMinimum, keyDrivers } from '../domain/analytics/drivers.js'
import { fixFirst } from '../domain/analytics/fix-first.js'
import { ANALYTICS_SEED, BOOTSTRAP_REPLICATES } from '../domain/analytics/random.js'
import type { ItemResult } from '../domain/report.js'
import type { PredictionMode, Scale } from '../domain/types.js'
import { LocalCache } from '../local-cache.js'
import { customerAnswerRows, predictionMode } from '../repositories/analytics.js'
import { earlierWaves } from '../repositories/waves.js'
import { linkageFor, type UnitRef } from './analytics-linkage.js'
import { predictionFor } from './analytics-prediction.js'
import { groupOf, shows, waveRelease, type WaveRelease } from './release.js'
import type { ReportScope } from './report-scope.js'

/** What the analytics read of the report: its filters and its (already released) item results. */
export interface AnalyticsReport {
  filters: { unit: UnitRef | null; staff: Record<string, string>; customer: Record<string, string> }
  headline: ItemResult
  items: readonly ItemResult[]
  /** Each item's scale. */
  scales: ReadonlyMap<string, Scale>
}

type Organization = { id: string; name: string; minGroupSize: number }
/** The wave; its prediction mode when the caller has it (a loaded wave does), else it is read. */
type WaveRef = { id: string; name: string; instrumentKey: string; predictions?: PredictionMode }

const analyses = new LocalCache<string, Promise<Analytics>>({ max: 500 })
// Driver weights per customer group, apart: the same group under several staff filters (and every
// unit's whole-wave fallback) shares one bootstrap.
const driverResults = new LocalCache<string, Promise<Omit<Drivers, 'scope'> | Unavailable>>({ max: 500 })

// What is kept is kept per database read (the primary, the read replica): a report takes only what was
// read where it reads, so a report on the primary never waits on, or fails with, a reading of the
// replica still under way (plugins/reads.ts: one request reads one server).
const sources = new WeakMap<Db, number>()
let nextSource = 0
function sourceOf(db: Db): number {
  let source = sources.get(db)
  if (source === undefined) sources.set(db, (source = nextSource++))
  return source
}

export const isUnavailable = (result: object): result is Unavailable => 'code' in result

const sorted = (filter: Record<string, string>) => Object.entries(filter).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))

function analysisScope(unit: UnitRef | null, staff: Record<string, string>, customer: Record<string, string>, note: string | null = null, wholeWave = false): AnalysisScope {
  return { unit, staff: { ...staff }, customer: { ...customer }, wholeWave, note }
}

/** The key drivers of one customer group, when the release shows the group and all its items. */
function driversOf(db: Db, organizationId: string, waveId: string, release: WaveRelease, items: readonly ItemResult[], unit: UnitRef | null, customer: Record<string, string>) {
  const key = JSON.stringify([sourceOf(db), waveId, release.version, release.sides.customer.minGroupSize, unit?.id ?? null, sorted(customer)])
  const kept = driverResults.get(key)
  if (kept) return kept
  const loading = (async (): Promise<Omit<Drivers, 'scope'> | Unavailable> => {
    const group = groupOf(unit?.id ?? null, customer)
    const shown = shows(release, 'customer', group)
    const where = unit ? `${unit.name}'s customers` : 'these customers'
    if (!shown('respondents') || !items.every((item) => shown(item.key))) {
      return { code: 'suppressed', message: `Key drivers need every customer answer of a group the anonymity rules show, and ${where} are not shown in full.` }
    }
    const headline = items.find((item) => item.headline) ?? items[0]!
    const predictors = items.filter((item) => item !== headline).map((item) => ({ key: item.key, dimension: item.dimension }))
    const minimum = driverMinimum(predictors.length)
    const status = release.sides.customer.status(group)
    if (status.shown && status.n < minimum) {
      return { code: 'not_enough_answers', message: `Key drivers need at least ${minimum} customers (ten per item, and never fewer than 100); ${where} number ${status.n}.` }
    }
    const rows = await customerAnswerRows(db, organizationId, waveId, { unitId: unit?.id ?? null, attributes: customer }, [headline.key, ...predictors.map((p) => p.key)])
    return keyDrivers({ outcome: headline.key, predictors, values: rows.values, n: rows.n }, { seed: ANALYTICS_SEED, replicates: BOOTSTRAP_REPLICATES })
  })()
  driverResults.set(key, loading)
  loading.catch(() => driverResults.delete(key))
  return loading
}

/** Fix first from the report's own gaps and the driver weights of a scope. */
function fixFirstOf(drivers: Omit<Drivers, 'scope'>, report: AnalyticsReport, scope: AnalysisScope): FixFirst {
  const byKey = new Map(report.items.map((item) => [item.key, item]))
  const share = (s: ItemResult['staff']) => ('suppressed' in s ? null : s.share)
  const items = drivers.weights.map((weight) => {
    const item = byKey.get(weight.key)!
    return {
      key: item.key, dimension: item.dimension, customerText: item.customerText,
      gap: item.gap ? { points: item.gap.points, ci95: item.gap.ci95 } : null,
      staffShare: share(item.staff), customerShare: share(item.customer),
    }
  })
  return { ...fixFirst(drivers, items), scope }
}

async function computeAnalytics(db: Db, organization: Organization, wave: WaveRef, report: AnalyticsReport, release: WaveRelease, scope: ReportScope,
  mode: Awaited<ReturnType<typeof predictionMode>>, previous: { wave: { id: string; name: string }; release: WaveRelease } | null): Promise<Analytics> {
  const { unit, staff, customer } = report.filters
  const unavailable: Analytics['unavailable'] = {}
  const reportScope = analysisScope(unit, staff, customer)

  let drivers: Drivers | null = null
  let fix: FixFirst | null = null
  const own = await driversOf(db, organization.id, wave.id, release, report.items, unit, customer)
  if (isUnavailable(own)) {
    unavailable.drivers = own
    if (unit !== null && scope.whole) {
      // A reader of the whole wave may see the whole wave's weights beside this unit's gaps, said plainly.
      const whole = await driversOf(db, organization.id, wave.id, release, report.items, null, {})
      if (!isUnavailable(whole)) {
        fix = fixFirstOf(whole, report, analysisScope(unit, staff, customer,
          `The driver weights are the whole wave's, because ${unit.name}'s customers are too few for weights of their own; the gaps are ${unit.name}'s.`, true))
      }
    }
    if (!fix) unavailable.fixFirst = { code: 'no_drivers', message: `Fix first needs driver weights: ${own.message}` }
  } else {
    drivers = { ...own, scope: analysisScope(unit, {}, customer) }
    fix = fixFirstOf(own, report, reportScope)
  }

  let prediction: Prediction | null = null
  if (mode === 'off') {
    unavailable.prediction = { code: 'no_predictions', message: 'This wave does not ask staff to predict what customers say.' }
  } else {
    prediction = { ...await predictionFor(db, organization, wave.id, report, release, scope, mode), scope: reportScope }
  }

  let linkage: Linkage | null = null
  if (unit !== null) {
    unavailable.linkage = { code: 'not_for_one_unit', message: 'Linkage compares units with each other, so it has no answer inside one unit: read it without a unit filter.' }
  } else {
    const result = await linkageFor(db, organization, wave.id, release, report.filters, previous)
    if (isUnavailable(result)) unavailable.linkage = result
    else linkage = { ...result, scope: reportScope }
  }
  return { drivers, fixFirst: fix, prediction, linkage, unavailable }
}

/**
 * The analytics of a report, for its filters and reader. Kept under the wave's release version (and
 * the earlier wave's, which the cross-lag reads), the group size, the filters and the reader's units:
 * the same view under the same release reads the kept result.
 */
export async function waveAnalytics(db: Db, organization: Organization, wave: WaveRef, report: AnalyticsReport, release: WaveRelease, scope: ReportScope): Promise<Analytics> {
  const [mode, [earlier]] = await Promise.all([wave.predictions ?? predictionMode(db, wave.id), earlierWaves(db, organization.id, wave, { includeThis: false, limit: 1 })])
  const previous = earlier ? { wave: { id: earlier.id, name: earlier.name }, release: await waveRelease(db, organization.id, earlier.id, organization.minGroupSize) } : null
  const key = JSON.stringify([
    sourceOf(db), wave.id, release.version, organization.minGroupSize, organization.name, mode, previous?.wave.id ?? null, previous?.release.version ?? null,
    report.filters.unit?.id ?? null, sorted(report.filters.staff), sorted(report.filters.customer),
    scope.whole ? 'whole' : scope.units.map((u) => u.id).sort(),
  ])
  const kept = analyses.get(key)
  if (kept) return kept
  const loading = computeAnalytics(db, organization, wave, report, release, scope, mode, previous)
  analyses.set(key, loading)
  loading.catch(() => analyses.delete(key))
  return loading
}
