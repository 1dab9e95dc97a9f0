// Staff predict the customer (design §4; SERVQUAL's gap 1): staff answer "out of 10 of our customers,
// how many would agree", and the report sets that against what customers said. Computed from counts
// only: the distribution of the 0 … 10 answers, and the customers' agree of n.
import quantile from '@stdlib/stats-base-dists-t-quantile'
import { PREDICTION_MAX, PREDICTION_MIN } from '../predictions.js'
import { wilson } from '../statistics.js'
import { pearson } from './correlation.js'
import type { Interval, PredictedShare, SimpleShare, UnitPrediction } from './types.js'

const POINTS = PREDICTION_MAX - PREDICTION_MIN + 1

/** A share with its Wilson interval; null without respondents. */
export function simpleShare(agree: number, n: number): SimpleShare | null {
  const ci95 = wilson(agree, n)
  return ci95 ? { n, share: agree / n, ci95 } : null
}

/**
 * The staff's predicted customer share from how many staff answered 0, 1, … 10: q̄ = mean of k/10,
 * the sample standard deviation (n − 1), and the t-interval q̄ ± t(0.975, n − 1) · sd/√n clipped to
 * [0, 1]. Null with fewer than two staff: one answer has no spread to estimate (n − 1 = 0) and the t
 * distribution no degrees of freedom. When every staff member gives the same answer the sd is 0 and
 * the interval is that point: the t-interval measures the spread of the staff's guesses, nothing else.
 */
export function predictedShare(distribution: readonly number[]): PredictedShare | null {
  if (distribution.length !== POINTS) {
    throw new RangeError(`A prediction distribution has ${POINTS} counts (${PREDICTION_MIN} … ${PREDICTION_MAX}), not ${distribution.length}.`)
  }
  // In whole answers k first: Σk and Σk² are integers, so n·Σk² − (Σk)² is exact and the sd of
  // identical answers is exactly 0.
  const answer = (index: number) => PREDICTION_MIN + index
  const n = distribution.reduce((a, b) => a + b, 0)
  if (n < 2) return null
  const sum = distribution.reduce((total, count, index) => total + count * answer(index), 0)
  const sumSquares = distribution.reduce((total, count, index) => total + count * answer(index) ** 2, 0)
  const share = sum / n / PREDICTION_MAX
  const sd = Math.sqrt((n * sumSquares - sum * sum) / (n * (n - 1))) / PREDICTION_MAX
  const half = quantile(0.975, n - 1) * sd / Math.sqrt(n)
  return {
    n,
    share,
    sd,
    ci95: [Math.max(0, share - half), Math.min(1, share + half)],
    distribution: [...distribution],
  }
}

/**
 * The prediction error e = q̄ − p in points, with the MOVER interval (Zou & Donner 2008) from the
 * predicted share's t-interval (l₁, u₁) and the customers' Wilson interval (l₂, u₂):
 * L = e − √((q̄ − l₁)² + (u₂ − p)²), U = e + √((u₁ − q̄)² + (p − l₂)²). Null without customers.
 */
export function predictionError(
  predicted: PredictedShare,
  customer: { agree: number; n: number },
): { points: number; ci95: Interval } | null {
  const customerCi = wilson(customer.agree, customer.n)
  if (!customerCi) return null
  const q = predicted.share
  const [l1, u1] = predicted.ci95
  const p = customer.agree / customer.n
  const [l2, u2] = customerCi
  const e = q - p
  const lower = e - Math.sqrt((q - l1) ** 2 + (u2 - p) ** 2)
  const upper = e + Math.sqrt((u1 - q) ** 2 + (p - l2) ** 2)
  return { points: e * 100, ci95: [lower * 100, upper * 100] }
}

/**
 * One unit's predictions over its items, each a predicted and an actual customer share: the optimism
 * bias (mean of predicted − actual) and the mean absolute error, both in points, and the tracking
 * (Pearson r of predicted against actual over the items: do staff know which items customers rate
 * higher?). Tracking is null with fewer than 3 items or no spread on a side. Null without items.
 */
export function unitPrediction(pairs: ReadonlyArray<{ predicted: number; actual: number }>): Omit<UnitPrediction, 'unit'> | null {
  if (pairs.length === 0) return null
  const errors = pairs.map(({ predicted, actual }) => predicted - actual)
  const meanOf = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length
  return {
    items: pairs.length,
    optimismBias: meanOf(errors) * 100,
    meanAbsoluteError: meanOf(errors.map(Math.abs)) * 100,
    tracking: pairs.length < 3 ? null : pearson(pairs.map((p) => p.predicted), pairs.map((p) => p.actual)),
  }
}
