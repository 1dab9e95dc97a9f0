// The statistics of the gap report, computed from counts only: shares with Wilson intervals, gaps
// with Newcombe intervals, the pooled two-proportion z-test, Benjamini–Hochberg q-values, the
// classification of each item, means and distributions, wave-to-wave change and the sample-size
// planner. Pure functions, no I/O: every number a report shows comes from here.
import { agreeThreshold, DIMENSION_AGREE_MEAN, lowestValue } from './scale.js'
import type { Scale } from './types.js'

/** The 97.5th percentile of the standard normal distribution: a 95% two-sided interval. */
export const Z95 = 1.959963984540054
/** The 80th percentile of the standard normal distribution: 80% power. */
export const Z80 = 0.8416212335729143

export type Interval = [number, number]

// ---------------------------------------------------------------------------------------------
// The normal distribution, to double precision: a positive series for erf near zero and a
// continued fraction (modified Lentz) for the tail, which keeps small p-values accurate.

function erfSeries(x: number): number {
  // erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)); every term is positive.
  let term = x
  let sum = x
  for (let n = 1; n < 200; n++) {
    term *= (2 * x * x) / (2 * n + 1)
    sum += term
    if (term < sum * 1e-17) break
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum
}

function erfcContinuedFraction(x: number): number {
  // erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), for x > 0.
  const tiny = 1e-300
  let f = x
  let c = x
  let d = 0
  for (let k = 1; k < 500; k++) {
    const a = k / 2
    d = x + a * d
    d = Math.abs(d) < tiny ? tiny : d
    c = x + a / c
    c = Math.abs(c) < tiny ? tiny : c
    d = 1 / d
    const delta = c * d
    f *= delta
    if (Math.abs(delta - 1) < 1e-16) break
  }
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * f)
}

/** The complementary error function. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN
  if (x < 0) return 2 - erfc(-x)
  return x < 2.5 ? 1 - erfSeries(x) : erfcContinuedFraction(x)
}

/** P(Z > z) for a standard normal Z. */
export function normalUpperTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2)
}

// ---------------------------------------------------------------------------------------------
// Shares

/** Wilson score interval for k successes in n trials, no continuity correction. Null when n is 0. */
export function wilson(k: number, n: number, z = Z95): Interval | null {
  if (n <= 0) return null
  const p = k / n
  const z2 = z * z
  const denominator = 1 + z2 / n
  const centre = (p + z2 / (2 * n)) / denominator
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))
  // At 0 and n the interval touches the bound exactly; clamp rounding noise.
  return [k === 0 ? 0 : Math.max(0, centre - half), k === n ? 1 : Math.min(1, centre + half)]
}

export interface ShareStats {
  n: number
  agree: number
  share: number
  ci95: Interval
}

export function share(agree: number, n: number): ShareStats | null {
  const ci = wilson(agree, n)
  return ci ? { n, agree, share: agree / n, ci95: ci } : null
}

// ---------------------------------------------------------------------------------------------
// Gaps between two independent shares (staff − customer)

/**
 * Newcombe's hybrid score interval for p1 − p2 (Newcombe 1998, method 10), built from the two
 * Wilson intervals. Returned as proportions; the report multiplies by 100 for points.
 */
export function newcombe(k1: number, n1: number, k2: number, n2: number, z = Z95): Interval | null {
  const w1 = wilson(k1, n1, z)
  const w2 = wilson(k2, n2, z)
  if (!w1 || !w2) return null
  const p1 = k1 / n1
  const p2 = k2 / n2
  const d = p1 - p2
  const lower = d - Math.sqrt((p1 - w1[0]) ** 2 + (w2[1] - p2) ** 2)
  const upper = d + Math.sqrt((w1[1] - p1) ** 2 + (p2 - w2[0]) ** 2)
  return [lower, upper]
}

/**
 * Two-sided two-proportion z-test with pooled variance, no continuity correction. When both groups
 * are all-agree or all-disagree there is no variance and no evidence of a difference: p = 1.
 */
export function twoProportionPValue(k1: number, n1: number, k2: number, n2: number): number | null {
  if (n1 <= 0 || n2 <= 0) return null
  const pooled = (k1 + k2) / (n1 + n2)
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
  if (se === 0) return 1
  const z = (k1 / n1 - k2 / n2) / se
  return Math.min(1, 2 * normalUpperTail(Math.abs(z)))
}

/**
 * Benjamini–Hochberg adjusted p-values (q-values), in the order given. Nulls (items without both
 * sides) are left out of the family and stay null.
 */
export function benjaminiHochberg(pValues: ReadonlyArray<number | null>): Array<number | null> {
  const present = pValues.map((p, index) => ({ p, index })).filter((e): e is { p: number; index: number } => e.p !== null)
  const m = present.length
  const sorted = [...present].sort((a, b) => a.p - b.p)
  const q: Array<number | null> = pValues.map(() => null)
  let running = 1
  for (let rank = m; rank >= 1; rank--) {
    const entry = sorted[rank - 1]!
    running = Math.min(running, (entry.p * m) / rank)
    q[entry.index] = Math.min(1, running)
  }
  return q
}

export interface GapStats {
  /** (staff share − customer share) × 100. */
  points: number
  /** Newcombe interval, in points. */
  ci95: Interval
  pValue: number
}

export function gap(staff: { agree: number; n: number }, customer: { agree: number; n: number }): GapStats | null {
  const ci = newcombe(staff.agree, staff.n, customer.agree, customer.n)
  const pValue = twoProportionPValue(staff.agree, staff.n, customer.agree, customer.n)
  if (!ci || pValue === null) return null
  return { points: (staff.agree / staff.n - customer.agree / customer.n) * 100, ci95: [ci[0] * 100, ci[1] * 100], pValue }
}

export type Classification = 'blind_spot' | 'hidden_strength' | 'shared_strength' | 'shared_weakness' | 'aligned' | 'insufficient_data'

export const STRONG_SHARE = 0.7
export const WEAK_SHARE = 0.5
export const SIGNIFICANCE = 0.05

/** Where an item stands, per the report's rules. Needs both sides' shares; a significant gap decides first. */
export function classify(staffShare: number | null, customerShare: number | null, gapPoints: number | null, qValue: number | null): Classification {
  if (staffShare === null || customerShare === null || gapPoints === null) return 'insufficient_data'
  if (qValue !== null && qValue < SIGNIFICANCE) {
    if (gapPoints > 0) return 'blind_spot'
    if (gapPoints < 0) return 'hidden_strength'
  }
  if (staffShare >= STRONG_SHARE && customerShare >= STRONG_SHARE) return 'shared_strength'
  if (staffShare < WEAK_SHARE && customerShare < WEAK_SHARE) return 'shared_weakness'
  return 'aligned'
}

// ---------------------------------------------------------------------------------------------
// Distributions, agreement and means

/** Counts per scale point (index 0 = the lowest value), n, agree and mean; nulls are not counted. */
export function summarize(distribution: readonly number[], scale: Scale) {
  const lowest = lowestValue(scale)
  const threshold = agreeThreshold(scale)
  let n = 0
  let agree = 0
  let sum = 0
  distribution.forEach((count, index) => {
    const value = lowest + index
    n += count
    sum += count * value
    if (value >= threshold) agree += count
  })
  return { n, agree, mean: n > 0 ? sum / n : null }
}

/** The mean of a respondent's answered items in one dimension; null when they answered none. */
export function dimensionMean(values: ReadonlyArray<number | null>): number | null {
  const answered = values.filter((v): v is number => v !== null)
  if (answered.length === 0) return null
  return answered.reduce((a, b) => a + b, 0) / answered.length
}

/**
 * A respondent agrees on a dimension when the mean of their answered items in it is at least
 * DIMENSION_AGREE_MEAN (4.0); null when they answered none of its items. The rollups count with this;
 * the SQL that counts raw answers uses the same constant and is tested against it.
 */
export function agreesOnDimension(values: ReadonlyArray<number | null>): boolean | null {
  const mean = dimensionMean(values)
  return mean === null ? null : mean >= DIMENSION_AGREE_MEAN
}

// ---------------------------------------------------------------------------------------------
// Change between waves, and planning

export interface GapChangeStats {
  /** This wave's gap minus the earlier wave's, in points: negative when the gap narrowed. */
  points: number
  /** MOVER interval (Zou & Donner 2008) from the four Wilson intervals, in points. */
  ci95: Interval
  /** Two-sided Wald z-test of the four independent shares; BH over the cells compared is the caller's. */
  pValue: number
}

type Counted = { agree: number; n: number }

/**
 * Change of the gap between two waves: (staff − customers now) − (staff − customers before), four
 * independent shares. The interval combines each share's Wilson interval by MOVER: the lower limit
 * takes each term's distance towards its own lower side (the upper side for a subtracted share).
 */
export function gapChange(now: { staff: Counted; customer: Counted }, before: { staff: Counted; customer: Counted }): GapChangeStats | null {
  const terms: Array<[sign: 1 | -1, counted: Counted]> = [[1, now.staff], [-1, now.customer], [-1, before.staff], [1, before.customer]]
  let estimate = 0
  let below = 0
  let above = 0
  let variance = 0
  for (const [sign, { agree, n }] of terms) {
    const ci = wilson(agree, n)
    if (!ci) return null
    const p = agree / n
    estimate += sign * p
    const [down, up] = sign === 1 ? [p - ci[0], ci[1] - p] : [ci[1] - p, p - ci[0]]
    below += down ** 2
    above += up ** 2
    variance += (p * (1 - p)) / n
  }
  const se = Math.sqrt(variance)
  // No variance at all (every share 0 or 1): evidence only if the gap moved.
  const pValue = se === 0 ? (Math.abs(estimate) < 1e-12 ? 1 : 0) : Math.min(1, 2 * normalUpperTail(Math.abs(estimate) / se))
  return { points: estimate * 100, ci95: [(estimate - Math.sqrt(below)) * 100, (estimate + Math.sqrt(above)) * 100], pValue }
}

/**
 * Respondents needed on each side to detect a gap of `gapPoints` with 80% power at α = 0.05
 * (two-sided), when the lower of the two shares is expected to be `expectedShare`.
 */
export function sampleSizePerSide(expectedShare: number, gapPoints: number, zAlpha = Z95, zBeta = Z80): number | null {
  const p2 = expectedShare
  const p1 = expectedShare + gapPoints / 100
  if (!(gapPoints > 0) || p2 < 0 || p1 > 1) return null
  const mean = (p1 + p2) / 2
  const numerator = zAlpha * Math.sqrt(2 * mean * (1 - mean)) + zBeta * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
  return Math.ceil((numerator * numerator) / ((p1 - p2) ** 2))
}
