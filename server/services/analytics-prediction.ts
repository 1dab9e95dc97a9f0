// Staff predict the customer (design §4): the report's items read three ways (staff say, staff predict
// customers say, customers say) under the report's filters, and per unit the optimism bias, error and
// tracking of the staff's predictions. A prediction is shown only where the release shows the staff
// group for that prediction's measure, and a unit × item pair is used only where both of its groups are.
import type { Db } from '../../db/connect.js'
import { NO_UNIT } from '../../db/schema.js'
import { predictedShare, predictionError, simpleShare, unitPrediction } from '../domain/analytics/prediction.js'
import type { Prediction, PredictionItem, UnitPrediction } from '../domain/analytics/types.js'
import { predictedItems, predictionKey } from '../domain/predictions.js'
import { isSuppressed, type ItemResult, type Share } from '../domain/report.js'
import { summarize } from '../domain/statistics.js'
import type { PredictionMode, Scale } from '../domain/types.js'
import { countsPerUnit } from '../repositories/analytics.js'
import { sideCounts } from '../repositories/reports.js'
import { listUnits } from '../repositories/units.js'
import type { AnalyticsReport } from './analytics.js'
import { groupOf, shows, type WaveRelease } from './release.js'
import type { ReportScope } from './report-scope.js'

const PREDICTION_SCALE: Scale = 'likelihood11'

const released = (share: Share) => (isSuppressed(share) ? null : simpleShare(share.agree, share.n))

/** The items the wave's staff predict, the headline first. */
function predicted(report: AnalyticsReport, mode: Exclude<PredictionMode, 'off'>): ItemResult[] {
  return predictedItems(mode, report.items).sort((a, b) => Number(b.headline) - Number(a.headline))
}

/** The units whose predictions a reader may see: the report's unit, or every unit in the reader's scope. */
async function unitsInView(db: Db, organizationId: string, report: AnalyticsReport, scope: ReportScope) {
  if (report.filters.unit) return [report.filters.unit]
  if (!scope.whole) return [...scope.units]
  return (await listUnits(db, organizationId)).map(({ id, name }) => ({ id, name }))
}

export async function predictionFor(db: Db, organization: { id: string }, waveId: string, report: AnalyticsReport, release: WaveRelease, scope: ReportScope,
  mode: Exclude<PredictionMode, 'off'>): Promise<Omit<Prediction, 'scope'>> {
  const { unit, staff, customer } = report.filters
  const items = predicted(report, mode)
  const scales = new Map<string, Scale>(items.map((item) => [predictionKey(item.key), PREDICTION_SCALE]))
  const units = await unitsInView(db, organization.id, report, scope)
  const [counts, staffPerUnit, customerPerUnit] = await Promise.all([
    sideCounts(db, organization.id, waveId, 'staff', { unitId: unit?.id ?? null, attributes: staff }, scales),
    units.length > 0 ? countsPerUnit(db, organization.id, waveId, 'staff', staff, scales) : null,
    units.length > 0 ? countsPerUnit(db, organization.id, waveId, 'customer', customer, report.scales) : null,
  ])

  const staffShown = shows(release, 'staff', groupOf(unit?.id ?? null, staff))
  const three = (item: ItemResult): PredictionItem => {
    const distribution = counts.distributions.get(predictionKey(item.key))
    const guess = distribution && staffShown('respondents') && staffShown(predictionKey(item.key)) ? predictedShare(distribution) : null
    const actual = isSuppressed(item.customer) ? null : item.customer
    return {
      key: item.key,
      staff: released(item.staff),
      predicted: guess,
      customer: released(item.customer),
      error: guess && actual ? predictionError(guess, { agree: actual.agree, n: actual.n }) : null,
    }
  }
  const rows = items.map(three)

  const perUnit: UnitPrediction[] = []
  for (const { id, name } of units) {
    if (id === NO_UNIT || !staffPerUnit || !customerPerUnit) continue
    const staffOf = shows(release, 'staff', groupOf(id, staff))
    const customerOf = shows(release, 'customer', groupOf(id, customer))
    if (!staffOf('respondents') || !customerOf('respondents')) continue
    const pairs = items.flatMap((item) => {
      const key = predictionKey(item.key)
      const distribution = staffPerUnit(id).distributions.get(key)
      const answers = customerPerUnit(id).distributions.get(item.key)
      if (!distribution || !answers || !staffOf(key) || !customerOf(item.key)) return []
      const guess = predictedShare(distribution)
      const counted = summarize(answers, report.scales.get(item.key)!)
      return guess && counted.n > 0 ? [{ predicted: guess.share, actual: counted.agree / counted.n }] : []
    })
    const result = unitPrediction(pairs)
    if (result) perUnit.push({ unit: { id, name }, ...result })
  }
  perUnit.sort((a, b) => b.optimismBias - a.optimismBias || (a.unit.name < b.unit.name ? -1 : 1))
  return { mode, headline: rows[0]!, items: rows, units: perUnit }
}
