// Turns the report's leadership analytics (drivers, fix first, prediction, linkage) into what
// views/partials/analytics.eta prints: plain sentences first, the statistics beside them, every number
// formatted through server/format.ts, charts as JSON for a data-chart attribute. An analysis that is
// null shows its reason from `unavailable`, never a blank or a zero.
import type { AnalysisScope, Analytics, Drivers, FixFirst, Quadrant } from '../domain/analytics/types.js'
import { answersFilter, answersOther, type BlockScope } from './block-scope.js'
import * as f from '../format.js'
import { scopeText, type ScatterSpec, type WeightsSpec } from './analytics-shared.js'
import { presentLinkage } from './analytics-linkage.js'
import { presentPrediction } from './analytics-prediction.js'

type Name = keyof Analytics['unavailable']

/** Why an analysis is missing, in the words the report gives (a fallback only if the report forgot). */
export const unavailableText = (analytics: Analytics, name: Name) =>
  analytics.unavailable[name]?.message ?? 'This analysis is not available for this report.'

const QUADRANTS: Record<Quadrant, string> = {
  fix_first: 'Fix first: matters more, customers less satisfied',
  keep_up: 'Keep it up: matters more, customers satisfied',
  low_priority: 'Low priority: matters less, customers less satisfied',
  possible_overkill: 'Possible overkill: matters less, customers satisfied',
}
export const quadrantText = (quadrant: Quadrant) => QUADRANTS[quadrant]

/** "+41 pts (95%: +30 to +52)" */
const gapText = (points: number | null, ci95: [number, number] | null) =>
  points === null ? 'hidden' : `${f.points(points)}${ci95 ? ` (95%: ${f.pointsRange(ci95)})` : ''}`
/** "24% (95%: 18–30%)" */
const weightText = (weight: number, ci95: [number, number]) => `${f.percent(weight)} (95%: ${f.percentRange(ci95)})`

function presentFixFirst(fixFirst: FixFirst) {
  return {
    scope: scopeText(fixFirst.scope),
    top: fixFirst.top.map((item) => ({
      label: f.itemLabel(item.key),
      sentence: item.sentence,
      gap: gapText(item.gapPoints, item.gapCi95),
      weight: weightText(item.weight, item.weightCi95),
    })),
    rows: fixFirst.items.map((item) => ({
      rank: f.count(item.rank),
      label: f.itemLabel(item.key),
      customerText: item.customerText,
      index: f.decimal(item.index, 3),
      weight: f.percent(item.weight),
      weightRange: f.percentRange(item.weightCi95),
      gap: item.gapPoints === null ? 'hidden' : f.points(item.gapPoints),
      gapRange: item.gapCi95 ? f.pointsRange(item.gapCi95) : null,
      customerShare: item.customerShare === null ? 'hidden' : f.percent(item.customerShare),
      quadrant: quadrantText(item.quadrant),
    })),
  }
}

/** The importance–performance scatter: items with a shown customer share, split at the cuts. */
function quadrantChart(fixFirst: FixFirst): string {
  const spec: ScatterSpec = {
    kind: 'scatter',
    axes: { x: 'Customers who agree', y: 'Weight in the verdict' },
    points: fixFirst.items.flatMap((item) => (item.customerShare === null ? [] : [{ label: f.itemLabel(item.key), x: item.customerShare, y: item.weight }])),
    cuts: { x: fixFirst.cuts.customerShare, y: fixFirst.cuts.weight },
    quadrants: ['Fix first', 'Keep it up', 'Low priority', 'Possible overkill'],
  }
  return JSON.stringify(spec)
}

function presentDrivers(drivers: Drivers) {
  const { bootstrap } = drivers.method
  const spec: WeightsSpec = {
    kind: 'weights',
    labels: drivers.weights.map((w) => f.itemLabel(w.key)),
    weights: drivers.weights.map((w) => [w.weight, w.weightCi95[0], w.weightCi95[1]]),
  }
  return {
    scope: scopeText(drivers.scope),
    outcome: f.itemLabel(drivers.outcome),
    explained: `These items explain ${f.percent(drivers.r2)} of the differences in customers' overall verdict (95%: ${f.percentRange(drivers.r2Ci95)}).`,
    strongest: drivers.weights[0]
      ? `The strongest driver is ${f.itemLabel(drivers.weights[0].key)}: ${f.percent(drivers.weights[0].weight)} of what the items explain.`
      : null,
    method: `${f.count(drivers.n)} customers (at least ${f.count(drivers.minimum)} needed) · Johnson's relative weights from pairwise correlations (customers who skipped an item count for the others) · 95% intervals from ${f.count(bootstrap.replicates)} bootstrap replicates${bootstrap.scheme === 'bag_of_little_bootstraps' ? ' (bag of little bootstraps)' : ' over respondents'}, seed ${bootstrap.seed}.`,
    chart: JSON.stringify(spec),
    rows: drivers.weights.map((w) => ({
      rank: f.count(w.rank),
      label: f.itemLabel(w.key),
      dimension: f.dimension(w.dimension),
      weight: f.percent(w.weight),
      weightRange: f.percentRange(w.weightCi95),
      correlation: f.decimal(w.correlation),
    })),
  }
}

/**
 * An analysis as the template takes it: its view, or the sentence saying why it is missing for this
 * filter, and what it answers (block-scope.ts): the filter, or the whole wave where the analysis fell
 * back to it (its scope says so, and why).
 */
type Block<T> = { view: T; unavailable: null; scope: BlockScope } | { view: null; unavailable: string; scope: BlockScope }
const block = <A extends { scope: AnalysisScope }, T>(analytics: Analytics, name: Name, value: A | null, present: (value: A) => T): Block<T> =>
  value === null
    ? { view: null, unavailable: unavailableText(analytics, name), scope: answersFilter }
    : { view: present(value), unavailable: null, scope: value.scope.wholeWave ? answersOther(scopeText(value.scope)) : answersFilter }

export function presentAnalytics(analytics: Analytics) {
  return {
    fixFirst: block(analytics, 'fixFirst', analytics.fixFirst, presentFixFirst),
    drivers: block(analytics, 'drivers', analytics.drivers, presentDrivers),
    /** The importance–performance quadrant needs the fix-first items (customer shares and weights). */
    quadrant: block(analytics, 'fixFirst', analytics.fixFirst, (fixFirst) => ({
      chart: quadrantChart(fixFirst),
      cuts: `Split at the mean weight (${f.percent(fixFirst.cuts.weight)}) and the mean customer share (${f.percent(fixFirst.cuts.customerShare)}).`,
    })),
    prediction: block(analytics, 'prediction', analytics.prediction, presentPrediction),
    linkage: block(analytics, 'linkage', analytics.linkage, presentLinkage),
  }
}

export type AnalyticsView = ReturnType<typeof presentAnalytics>
