// What one respondent adds to the figures of their group, as a vector of counts: the respondent
// themselves, each item they answered, each dimension they have an opinion on, and each prediction
// they gave (staff of a wave that asks for predictions; domain/predictions.ts). The staff release
// (release.ts) decides on these vectors summed per profile (unit × attributes); the profile rollups
// store them, and the release steps compute them for answers still waiting in the pool.
import { countsInDimension, dimensionSlots } from './report.js'
import type { DimensionMeasure } from './release.js'
import { predictionKey } from './predictions.js'
import type { Scale } from './types.js'

export interface MeasureItem {
  key: string
  dimension: string
  headline: boolean
  /** Its scale: only 1–5 items count in a dimension (domain/report.ts countsInDimension). */
  scale: Scale
  /** Whether the wave's staff predict customers' answers to this item (a measure of its own). */
  predicted?: boolean
}

/** Answers by item key; a missing key and null ("not applicable") both mean no answer. */
export type MeasuredAnswers = Readonly<Record<string, number | null | undefined>>

/**
 * The name of each measure, in vector order: respondents, the items in order, the dimensions, then the
 * predicted items' predictions (`predict:<key>`). Predictions come last, so a wave without them has
 * exactly the measures it had before they existed.
 */
export function measureKeys(items: readonly MeasureItem[]): string[] {
  return ['respondents', ...items.map((item) => item.key), ...dimensionSlots(items).map((key) => `dimension:${key}`),
    ...items.filter((item) => item.predicted).map((item) => predictionKey(item.key))]
}

/**
 * Each dimension's measure with the measures of its items (indices into measureKeys): a dimension's
 * figures are means of each respondent's own answers, so the release shows them only where they are
 * sums over the same people as its items' (domain/release.ts).
 */
export function dimensionMeasures(items: readonly MeasureItem[]): DimensionMeasure[] {
  const keys = measureKeys(items)
  return dimensionSlots(items).map((dimension) => ({
    measure: keys.indexOf(`dimension:${dimension}`),
    items: items.flatMap((item, i) => (countsInDimension(item) && item.dimension === dimension ? [i + 1] : [])),
  }))
}

/**
 * One respondent's counts, in the order of measureKeys: 1 (the respondent), then 1 or 0 per item
 * (answered with a value or not), then 1 or 0 per dimension slot (at least one value on an item that
 * counts in that dimension, which is when the respondent counts in the dimension's n), then 1 or 0 per
 * predicted item (a prediction given).
 */
export function measureVector(items: readonly MeasureItem[], answers: MeasuredAnswers): number[] {
  const answered = (key: string) => Object.hasOwn(answers, key) && answers[key] !== null && answers[key] !== undefined
  const opinions = new Set(items.filter((item) => countsInDimension(item) && answered(item.key)).map((item) => item.dimension))
  return [1, ...items.map((item) => (answered(item.key) ? 1 : 0)), ...dimensionSlots(items).map((key) => (opinions.has(key) ? 1 : 0)),
    ...items.filter((item) => item.predicted).map((item) => (answered(predictionKey(item.key)) ? 1 : 0))]
}

/**
 * A customer's answers as one array in the order of the items (null where there is no answer, or the
 * answer is "not applicable": see notApplicablePositions): how a customer response stores them.
 */
export function answerVector(items: readonly MeasureItem[], answers: MeasuredAnswers): Array<number | null> {
  return items.map((item) => answers[item.key] ?? null)
}

/**
 * The positions (from 1, as SQL arrays count) of the items answered "not applicable": an answer vector
 * holds null both for those and for items left out, and only these count as answers.
 */
export function notApplicablePositions(items: readonly MeasureItem[], answers: MeasuredAnswers): number[] {
  return items.flatMap((item, i) => (answers[item.key] === null ? [i + 1] : []))
}

/** A customer's answers back from its vector and its "not applicable" positions: the inverse of the two above. */
export function answersFromVector(items: readonly MeasureItem[], vector: ReadonlyArray<number | null>, notApplicable: readonly number[]): Record<string, number | null> {
  const answers: Record<string, number | null> = {}
  items.forEach((item, i) => { if (vector[i] !== null && vector[i] !== undefined) answers[item.key] = vector[i]! })
  for (const position of notApplicable) if (items[position - 1]) answers[items[position - 1]!.key] = null
  return answers
}
