// The measures a release decides on, per group: its respondents, each item's answered count and each
// dimension's count of respondents with an opinion, in one fixed order per wave.
import type { Answers } from './responses.js'
import { dimensionKeys } from './report.js'

interface MeasuredItem { key: string; dimension: string; headline: boolean }

export function measureKeys(items: readonly MeasuredItem[]): string[] {
  return ['respondents', ...items.map((item) => item.key), ...dimensionKeys(items).map((d) => `dimension:${d}`)]
}

export function measureVector(items: readonly MeasuredItem[], answers: Answers): number[] {
  const answered = (key: string) => Object.hasOwn(answers, key) && answers[key] !== null && answers[key] !== undefined
  return [
    1,
    ...items.map((item) => (answered(item.key) ? 1 : 0)),
    ...dimensionKeys(items).map((d) => (items.some((item) => !item.headline && item.dimension === d && answered(item.key)) ? 1 : 0)),
  ]
}
