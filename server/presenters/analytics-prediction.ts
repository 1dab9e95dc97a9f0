// "Do staff know their customers?": the headline read three ways (staff say, staff predict customers
// say, customers say), the prediction error in words with its interval, and the per-unit table.
import type { PredictedShare, Prediction, PredictionItem, SimpleShare, UnitPrediction } from '../domain/analytics/types.js'
import * as f from '../format.js'
import { scopeText } from './analytics-shared.js'

const shareFact = (share: SimpleShare | PredictedShare | null) =>
  share ? `${f.percent(share.share)} (95%: ${f.percentRange(share.ci95)}, n = ${f.count(share.n)})` : 'hidden'

/** Points as a whole number without sign: the sentence carries the direction. */
const size = (points: number) => Math.abs(points).toFixed(0)
const pointWord = (points: number) => (size(points) === '1' ? 'point' : 'points')

/**
 * How far staff's prediction is from customers, in words: "they overestimate by 48 points (95%: 41 to 55)".
 * An interval on one side of zero is given in the sentence's direction; one across zero keeps its signs.
 */
export function errorSentence(error: { points: number; ci95: [number, number] }): string {
  const [lo, hi] = error.ci95
  if (lo <= 0 && hi >= 0) {
    const range = f.pointsRange(error.ci95)
    if (size(error.points) === '0') return `they are about right (95%: ${range} points)`
    const verb = error.points > 0 ? 'overestimate' : 'underestimate'
    return `they ${verb} by ${size(error.points)} ${pointWord(error.points)}, but that could be chance (95%: ${range})`
  }
  if (error.points > 0) return `they overestimate by ${size(error.points)} ${pointWord(error.points)} (95%: ${size(lo)} to ${size(hi)})`
  return `they underestimate by ${size(error.points)} ${pointWord(error.points)} (95%: ${size(hi)} to ${size(lo)})`
}

/** The headline in one sentence: "Staff expect 62% of customers to agree; 14% do: they overestimate by 48 points (95%: 41 to 55)." */
export function headlineSentence(item: PredictionItem): string {
  const { predicted, customer, error } = item
  if (!predicted) return 'Staff predictions for this group are hidden, so they cannot be compared with customers.'
  if (!customer || !error) return `Staff expect ${f.percent(predicted.share)} of customers to agree; customers' own answers are hidden here, so the two cannot be compared.`
  return `Staff expect ${f.percent(predicted.share)} of customers to agree; ${f.percent(customer.share)} do: ${errorSentence(error)}.`
}

/** Which unit's staff know their customers best (lowest mean absolute error) and which are the most optimistic. */
export function unitsSentence(units: readonly UnitPrediction[]): string {
  if (units.length === 0) return 'No unit has its staff predictions and its customers\' answers both shown, so units cannot be compared.'
  const best = units.reduce((a, b) => (b.meanAbsoluteError < a.meanAbsoluteError ? b : a))
  const optimistic = units.reduce((a, b) => (b.optimismBias > a.optimismBias ? b : a))
  const knows = `Staff in ${best.unit.name} know their customers best (off by ${size(best.meanAbsoluteError)} ${pointWord(best.meanAbsoluteError)} on average)`
  if (units.length === 1) return `${knows}; it is the only unit that can be compared.`
  if (optimistic.optimismBias <= 0) return `${knows}; no unit's staff overestimate their customers on average.`
  return `${knows}; staff in ${optimistic.unit.name} are the most optimistic (they overestimate by ${size(optimistic.optimismBias)} ${pointWord(optimistic.optimismBias)} on average).`
}

export function presentPrediction(prediction: Prediction) {
  const { headline } = prediction
  const units = [...prediction.units].sort((a, b) => b.optimismBias - a.optimismBias)
  return {
    scope: scopeText(prediction.scope),
    item: f.itemLabel(headline.key),
    sentence: headlineSentence(headline),
    threeWays: [
      { label: 'Staff say', text: shareFact(headline.staff) },
      { label: 'Staff predict customers say', text: shareFact(headline.predicted) },
      { label: 'Customers say', text: shareFact(headline.customer) },
    ],
    /** Every predicted item, when the wave asks staff to predict each one. */
    items: prediction.mode !== 'all' ? null : prediction.items.map((item) => ({
      label: f.itemLabel(item.key),
      staff: item.staff ? f.percent(item.staff.share) : 'hidden',
      predicted: item.predicted ? f.percent(item.predicted.share) : 'hidden',
      customer: item.customer ? f.percent(item.customer.share) : 'hidden',
      error: item.error ? f.points(item.error.points) : '—',
      errorRange: item.error ? f.pointsRange(item.error.ci95) : null,
    })),
    unitsSentence: unitsSentence(units),
    units: units.map((unit) => ({
      unit: unit.unit.name,
      items: f.count(unit.items),
      optimismBias: f.points(unit.optimismBias),
      meanAbsoluteError: `${size(unit.meanAbsoluteError)} pts`,
      tracking: unit.tracking === null ? '—' : f.decimal(unit.tracking),
    })),
    /** Tracking needs three items or more; in headline mode it is never there. */
    trackingNote: units.some((unit) => unit.tracking === null) ? 'Tracking (r) needs at least three predicted items with some spread; — marks a unit without.' : null,
  }
}
