// Correlations between two lists of numbers (design §4): Pearson's r, Spearman's rank correlation
// with average ranks for ties, and the Fisher-z interval. Linkage correlates units; the staff
// prediction's "tracking" correlates items. A correlation needs spread on both sides, so each
// returns null where a side is constant rather than dividing by zero.
import { Z95 } from '../statistics.js'
import type { Interval } from './types.js'

function sameLength(x: readonly number[], y: readonly number[]) {
  if (x.length !== y.length) throw new RangeError(`A correlation needs pairs: ${x.length} values against ${y.length}.`)
}

const isConstant = (values: readonly number[]) => values.every((v) => v === values[0])

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length

/**
 * Pearson's product-moment correlation; null with fewer than two pairs or when either side is
 * constant (checked exactly, so rounding in the mean cannot fake a spread). Clamped to [−1, 1]
 * against rounding.
 */
export function pearson(x: readonly number[], y: readonly number[]): number | null {
  sameLength(x, y)
  if (x.length < 2 || isConstant(x) || isConstant(y)) return null
  const mx = mean(x)
  const my = mean(y)
  let sxy = 0
  let sxx = 0
  let syy = 0
  x.forEach((xi, i) => {
    const dx = xi - mx
    const dy = y[i]! - my
    sxy += dx * dy
    sxx += dx * dx
    syy += dy * dy
  })
  if (sxx === 0 || syy === 0) return null
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)))
}

/** Ranks 1 … n, tied values sharing the mean of the ranks they span. */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value)
  const ranks = new Array<number>(values.length)
  let start = 0
  while (start < order.length) {
    let end = start
    while (end + 1 < order.length && order[end + 1]!.value === order[start]!.value) end++
    // Positions start … end (0-based) hold ranks start+1 … end+1; their mean:
    const rank = (start + end) / 2 + 1
    for (let k = start; k <= end; k++) ranks[order[k]!.index] = rank
    start = end + 1
  }
  return ranks
}

/** Spearman's rank correlation: Pearson's r of the average ranks. Null where Pearson's would be. */
export function spearman(x: readonly number[], y: readonly number[]): number | null {
  sameLength(x, y)
  return pearson(averageRanks(x), averageRanks(y))
}

/**
 * The 95% Fisher-z interval of a correlation from J pairs: tanh(atanh r ± z/√(J − 3)). Null with
 * J ≤ 3, where the standard error is undefined. At r = ±1 atanh is infinite and the interval is the
 * point itself.
 */
export function fisherInterval(r: number, units: number, z = Z95): Interval | null {
  if (!(units > 3) || Number.isNaN(r)) return null
  const bounded = Math.max(-1, Math.min(1, r))
  if (Math.abs(bounded) === 1) return [bounded, bounded]
  const centre = Math.atanh(bounded)
  const half = z / Math.sqrt(units - 3)
  return [Math.tanh(centre - half), Math.tanh(centre + half)]
}
