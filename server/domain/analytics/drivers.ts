// Key drivers of the customer headline (design §4): Johnson's relative weights of the other items on
// the headline, from pairwise-complete correlations of respondent rows, with percentile bootstrap
// intervals over respondents.
//
// Choices this module makes, stated where the report states its method:
// - Respondents without an outcome are dropped, and so are those who answered no predictor. A
//   respondent who skipped some predictors still counts in every pair they answered.
// - Each column is centred and scaled over its answers first, so the sums stay accurate; the
//   correlations do not depend on it.
// - An item every respondent answered alike correlates 0 with everything and gets weight 0. An
//   outcome everyone answered alike leaves nothing to explain: the analysis is unavailable.
// - Where R² is 0 (no item correlates with the outcome) the weights ε_j / R² are reported as 0.
// - Up to FULL_BOOTSTRAP_LIMIT respondents, every replicate resamples all respondents. Above it, the
//   bag of little bootstraps (Kleiner, Talwalkar, Sarkar & Jordan 2014): s subsets of b = n^γ
//   respondents (at least LITTLE_BOOTSTRAPS.smallest) drawn without replacement, each resampled
//   r times with n draws (multinomial counts), s × r = B replicates in all. Each subset's percentile interval is taken relative to that
//   subset's own estimate, and the averaged offsets are placed around the full-sample estimate:
//   the subsets' estimates scatter by about 1/√b, more than the interval is wide, so averaging the
//   intervals themselves would centre them on noise. Bounds are clipped to the statistic's range.
import { PairwiseSums, groupByPattern, type PatternBlocks } from './pairwise.js'
import { ANALYTICS_SEED, BOOTSTRAP_REPLICATES, randomIndex, seededRandom } from './random.js'
import { relativeWeights } from './relative-weights.js'
import { multinomialCounts, percentileInterval } from './resample.js'
import type { DriverWeight, Drivers, Interval, Unavailable } from './types.js'

export { relativeWeights } from './relative-weights.js'

/** The fewest respondents key drivers accept: ten per predictor, and never fewer than 100. */
export function driverMinimum(predictors: number): number {
  return Math.max(10 * predictors, 100)
}

/**
 * The bag of little bootstraps: s subsets of b = n^γ respondents, but never fewer than `smallest`
 * (n^0.6 is only 158 at n = 4,600, thin for a dozen correlations). A replicate costs about
 * b × (q + q(q+1)/2) multiply-adds, so b = 1,000 keeps 1,000 replicates near 90 million.
 */
export const LITTLE_BOOTSTRAPS = { subsets: 10, exponent: 0.6, smallest: 1_000 } as const
/**
 * Up to this many respondents, each replicate resamples them all; above, the bag of little
 * bootstraps. The same as the smallest subset, so up to n = 100,000 no n costs more than 1,000
 * replicates of 1,000 respondents.
 */
export const FULL_BOOTSTRAP_LIMIT = LITTLE_BOOTSTRAPS.smallest

export interface DriverRows {
  /** The outcome item's key (the headline). */
  outcome: string
  predictors: ReadonlyArray<{ key: string; dimension: string }>
  /** Row-major, n × (1 + p): column 0 the outcome, then the predictors in order; NaN = no answer. */
  values: Float64Array
  n: number
}

type DriverResult = Omit<Drivers, 'scope'>

export function keyDrivers(rows: DriverRows, options: { seed?: number; replicates?: number } = {}): DriverResult | Unavailable {
  const seed = options.seed ?? ANALYTICS_SEED
  const replicates = Math.max(1, Math.floor(options.replicates ?? BOOTSTRAP_REPLICATES))
  const p = rows.predictors.length
  const q = 1 + p
  if (rows.values.length !== rows.n * q) throw new RangeError(`keyDrivers needs ${rows.n} × ${q} values, got ${rows.values.length}`)

  const kept = answeringRows(rows.values, q, rows.n)
  const n = kept.length
  const minimum = driverMinimum(p)
  if (n < minimum) {
    return {
      code: 'not_enough_answers',
      message: `Key drivers need at least ${count(minimum)} customers who answered the headline and another item (10 per item, at least 100); there are ${count(n)}.`,
    }
  }
  const values = standardized(rows.values, q, kept)
  if (values === null) {
    return { code: 'not_enough_answers', message: 'Every customer gave the headline the same answer, so there is nothing for the drivers to explain.' }
  }

  const analysis = new Analysis(q)
  const all = groupByPattern(values, q, identity(n), n <= FULL_BOOTSTRAP_LIMIT)
  const estimate = analysis.statistics(all, null)
  const correlations = analysis.lastCorrelations.slice(1, q)
  const random = seededRandom(seed)
  const bootstrap = n <= FULL_BOOTSTRAP_LIMIT
    ? respondentsBootstrap(analysis, all, random, replicates)
    : littleBootstraps(analysis, values, q, n, estimate, random, replicates)

  const r2 = estimate[0]!
  const weights: DriverWeight[] = rows.predictors.map((predictor, j) => ({
    key: predictor.key,
    dimension: predictor.dimension,
    correlation: correlations[j]!,
    raw: estimate[1 + j]!,
    rawCi95: bootstrap.intervals[1 + j]!,
    weight: estimate[1 + p + j]!,
    weightCi95: bootstrap.intervals[1 + p + j]!,
    rank: 0,
  }))
  weights.sort((a, b) => b.weight - a.weight || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  weights.forEach((weight, index) => { weight.rank = index + 1 })

  return {
    outcome: rows.outcome,
    n,
    minimum,
    r2,
    r2Ci95: bootstrap.intervals[0]!,
    weights,
    method: {
      correlations: 'pairwise',
      bootstrap: { replicates: bootstrap.replicates, seed, scheme: bootstrap.scheme, confidence: 0.95, ...bootstrap.detail },
    },
  }
}

/** Rows with an outcome and at least one predictor answered. */
function answeringRows(values: Float64Array, q: number, n: number): Int32Array {
  const kept: number[] = []
  for (let i = 0; i < n; i++) {
    const base = i * q
    if (Number.isNaN(values[base]!)) continue
    for (let j = 1; j < q; j++) {
      if (!Number.isNaN(values[base + j]!)) {
        kept.push(i)
        break
      }
    }
  }
  return Int32Array.from(kept)
}

/** The kept rows with each column centred and scaled over its answers; null when the outcome has no spread. */
function standardized(values: Float64Array, q: number, kept: Int32Array): Float64Array | null {
  const n = kept.length
  const answers = new Float64Array(q)
  const means = new Float64Array(q)
  const squares = new Float64Array(q)
  for (let i = 0; i < n; i++) {
    const base = kept[i]! * q
    for (let j = 0; j < q; j++) {
      const value = values[base + j]!
      if (Number.isNaN(value)) continue
      // Welford's running mean and sum of squared deviations.
      const count = ++answers[j]!
      const delta = value - means[j]!
      means[j]! += delta / count
      squares[j]! += delta * (value - means[j]!)
    }
  }
  const scales = new Float64Array(q)
  for (let j = 0; j < q; j++) {
    const sd = Math.sqrt(squares[j]! / Math.max(1, answers[j]!))
    const spread = sd > 1e-12 * Math.max(1, Math.abs(means[j]!))
    if (j === 0 && !spread) return null
    scales[j] = spread ? 1 / sd : 0
  }
  const out = new Float64Array(n * q)
  for (let i = 0; i < n; i++) {
    const base = kept[i]! * q
    for (let j = 0; j < q; j++) out[i * q + j] = (values[base + j]! - means[j]!) * scales[j]!
  }
  return out
}

/** One replicate's statistics: [R², ε_1 … ε_p, w_1 … w_p]. */
class Analysis {
  readonly lastCorrelations: Float64Array
  private readonly sums: PairwiseSums
  private readonly matrix: Float64Array

  constructor(private readonly q: number) {
    this.sums = new PairwiseSums(q)
    this.matrix = new Float64Array(q * q)
    this.lastCorrelations = this.matrix
  }

  get width(): number {
    return 2 * this.q - 1
  }

  statistics(data: PatternBlocks, weights: Float64Array | null, out = new Float64Array(this.width)): Float64Array {
    const { q } = this
    this.sums.correlations(data, weights, this.matrix)
    const rows: number[][] = []
    for (let j = 0; j < q; j++) rows.push(Array.from(this.matrix.subarray(j * q, (j + 1) * q)))
    const { r2, raw } = relativeWeights(rows)
    out[0] = r2
    for (let j = 0; j < q - 1; j++) {
      out[1 + j] = raw[j]!
      out[q + j] = r2 > 0 ? raw[j]! / r2 : 0
    }
    return out
  }
}

interface Bootstrap {
  intervals: Interval[]
  replicates: number
  scheme: 'respondents' | 'bag_of_little_bootstraps'
  detail: { subsets?: number; subsetSize?: number }
}

function respondentsBootstrap(analysis: Analysis, all: PatternBlocks, random: () => number, replicates: number): Bootstrap {
  const width = analysis.width
  const draws = new Float64Array(replicates * width)
  const counts = new Float64Array(all.rows)
  const statistics = new Float64Array(width)
  for (let b = 0; b < replicates; b++) {
    analysis.statistics(all, multinomialCounts(random, all.rows, counts), statistics)
    for (let s = 0; s < width; s++) draws[s * replicates + b] = statistics[s]!
  }
  const intervals: Interval[] = []
  for (let s = 0; s < width; s++) intervals.push(percentileInterval(draws.subarray(s * replicates, (s + 1) * replicates)))
  return { intervals, replicates, scheme: 'respondents', detail: {} }
}

function littleBootstraps(
  analysis: Analysis, values: Float64Array, q: number, n: number, estimate: Float64Array, random: () => number, replicates: number,
): Bootstrap {
  const width = analysis.width
  const subsets = Math.min(LITTLE_BOOTSTRAPS.subsets, replicates)
  const perSubset = Math.max(1, Math.round(replicates / subsets))
  const size = Math.min(n, Math.max(LITTLE_BOOTSTRAPS.smallest, Math.ceil(n ** LITTLE_BOOTSTRAPS.exponent)))
  const order = identity(n)
  const lower = new Float64Array(width)
  const upper = new Float64Array(width)
  const draws = new Float64Array(perSubset * width)
  const counts = new Float64Array(size)
  const statistics = new Float64Array(width)
  for (let subset = 0; subset < subsets; subset++) {
    // A uniform subset without replacement: the first `size` places of a partial shuffle.
    for (let i = 0; i < size; i++) {
      const pick = i + randomIndex(random, n - i)
      const swap = order[i]!
      order[i] = order[pick]!
      order[pick] = swap
    }
    const blocks = groupByPattern(values, q, order.subarray(0, size), true)
    const centre = analysis.statistics(blocks, null)
    for (let b = 0; b < perSubset; b++) {
      analysis.statistics(blocks, multinomialCounts(random, n, counts), statistics)
      for (let s = 0; s < width; s++) draws[s * perSubset + b] = statistics[s]!
    }
    for (let s = 0; s < width; s++) {
      const [low, high] = percentileInterval(draws.subarray(s * perSubset, (s + 1) * perSubset))
      lower[s]! += (low - centre[s]!) / subsets
      upper[s]! += (high - centre[s]!) / subsets
    }
  }
  const intervals: Interval[] = []
  for (let s = 0; s < width; s++) {
    // R², the raw weights and the weights all lie in [0, 1].
    intervals.push([clip(estimate[s]! + lower[s]!), clip(estimate[s]! + upper[s]!)])
  }
  return { intervals, replicates: subsets * perSubset, scheme: 'bag_of_little_bootstraps', detail: { subsets, subsetSize: size } }
}

const clip = (value: number) => Math.max(0, Math.min(1, value))

function identity(n: number): Int32Array {
  const order = new Int32Array(n)
  for (let i = 0; i < n; i++) order[i] = i
  return order
}

const count = (value: number) => value.toLocaleString('en-US')
