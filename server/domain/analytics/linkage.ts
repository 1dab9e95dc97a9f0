// Linkage across units (design §4): do units whose staff feel better about the service also have
// happier customers? Computed over units with both sides released, from unit-level shares and the
// per-unit sums of respondent scores.
//
// What the numbers are:
// - A unit's staff climate is the share of its staff answers that agree, pooled over every staff item
//   (agreeing answers / answered items, all staff of the unit together). Its customer outcome is the
//   headline's customer share.
// - For the ICC, a staff respondent's score is the share of the items they answered that they agree
//   with; a customer's score is 1 when they agree with the headline (its top values: 4–5, or 9–10 on 0–10), else 0, so a unit's
//   customer sum and sum of squares are both its agree count.
import { Z80, Z95 } from '../statistics.js'
import { fisherInterval, pearson, spearman } from './correlation.js'
import { crossLagged, type CrossLagUnit } from './cross-lagged.js'
import { ANALYTICS_SEED, BOOTSTRAP_REPLICATES } from './random.js'
import type { Icc, Linkage, LinkagePoint, Unavailable } from './types.js'

export { averageRanks, fisherInterval, pearson, spearman } from './correlation.js'
export { crossLagged, type CrossLagUnit } from './cross-lagged.js'

/** Linkage correlates units: below this many, a correlation (and its Fisher interval) says too little. */
export const MIN_LINKAGE_UNITS = 5

/** One unit's respondent scores, summed: count, Σ score and Σ score². */
export interface IccGroup {
  n: number
  sum: number
  sumSquares: number
}

/** The sums of one unit's respondent scores. */
export function iccGroup(scores: readonly number[]): IccGroup {
  return { n: scores.length, sum: scores.reduce((a, b) => a + b, 0), sumSquares: scores.reduce((a, b) => a + b * b, 0) }
}

/**
 * ICC(1) and ICC(2) from the one-way ANOVA of respondent scores on units (Bliese 2000):
 * MSB = SSB/(J − 1), MSW = SSW/(N − J), k̄ = (N − Σn_j²/N)/(J − 1),
 * ICC(1) = (MSB − MSW)/(MSB + (k̄ − 1)·MSW), ICC(2) = (MSB − MSW)/MSB.
 * Units without respondents are left out. Null with fewer than 2 units, no more respondents than
 * units (no within-unit variance to estimate), or no spread between units (MSB = 0, up to rounding).
 * Negative values (units differ less than chance would make them) are returned as computed.
 */
export function icc(groups: readonly IccGroup[]): Icc | null {
  const present = groups.filter((g) => g.n > 0)
  const units = present.length
  const respondents = present.reduce((a, g) => a + g.n, 0)
  if (units < 2 || respondents <= units) return null
  const grandMean = present.reduce((a, g) => a + g.sum, 0) / respondents
  // Centred forms: each term is ≥ 0, so no cancellation can make a sum of squares negative.
  const ssb = present.reduce((a, g) => a + g.n * (g.sum / g.n - grandMean) ** 2, 0)
  const ssw = present.reduce((a, g) => a + Math.max(0, g.sumSquares - (g.sum * g.sum) / g.n), 0)
  // Unit means that agree up to rounding are no spread between units.
  if (!(ssb > 1e-12 * (ssb + ssw))) return null
  const msb = ssb / (units - 1)
  const msw = ssw / (respondents - units)
  const kBar = (respondents - present.reduce((a, g) => a + g.n * g.n, 0) / respondents) / (units - 1)
  return {
    icc1: (msb - msw) / (msb + (kBar - 1) * msw),
    icc2: (msb - msw) / msb,
    units,
    respondents,
  }
}

/**
 * The correlation corrected for the unreliability of the unit means: r / √(rel₁ · rel₂), capped at
 * ±1 (sampling error can push it past). Null when a reliability is missing or not positive.
 */
export function disattenuated(r: number, rel1: number | null | undefined, rel2: number | null | undefined): number | null {
  if (rel1 === null || rel1 === undefined || rel2 === null || rel2 === undefined) return null
  if (!(rel1 > 0) || !(rel2 > 0)) return null
  return Math.max(-1, Math.min(1, r / Math.sqrt(rel1 * rel2)))
}

/**
 * Units needed to detect a correlation ρ with 80% power at α = 0.05 (two-sided), by the Fisher-z
 * approximation: J = ((z₀.₉₇₅ + z₀.₈₀) / atanh ρ)² + 3, rounded up. Null for ρ = 0 (no number of units
 * detects no effect). At |ρ| ≥ 1 the first term vanishes and the formula gives 3, but the Fisher
 * interval needs J − 3 > 0: the answer is then 4, the fewest units with a standard error.
 */
export function unitsForPower(rho: number): number | null {
  if (rho === 0 || Number.isNaN(rho)) return null
  if (Math.abs(rho) >= 1) return 4
  return Math.ceil(((Z95 + Z80) / Math.atanh(Math.abs(rho))) ** 2 + 3)
}

export interface LinkageInput {
  /** Units with both sides released, one point each. */
  points: readonly LinkagePoint[]
  /** Staff respondent scores per unit (same units as the points); null where the release withholds them. */
  staffIcc: readonly IccGroup[] | null
  /** Customer headline scores per unit (same units as the points). */
  customerIcc: readonly IccGroup[]
  /** The same instrument's earlier wave, for the cross-lag: its points, matched to these by unit id. */
  previous?: { from: { id: string; name: string }; points: readonly LinkagePoint[] } | null
  bootstrap?: { seed: number; replicates: number }
}

const unitsWord = (n: number) => `${n} ${n === 1 ? 'unit' : 'units'}`

/** Units in both waves, as the cross-lag reads them: the earlier wave's values at 0, these at 1. */
function matchWaves(current: readonly LinkagePoint[], previous: readonly LinkagePoint[]): CrossLagUnit[] {
  const before = new Map(previous.map((p) => [p.unit.id, p]))
  return current.flatMap((now) => {
    const then = before.get(now.unit.id)
    return then ? [{ staff0: then.staff, customer0: then.customer, staff1: now.staff, customer1: now.customer }] : []
  })
}

/**
 * Linkage over the released units: Pearson and Spearman r of staff climate against customer outcome
 * with Fisher intervals, each side's ICCs, the disattenuated r* = r / √(ICC2_staff · ICC2_customer),
 * the units 80% power needs for the observed r and, with an earlier wave sharing at least 5 units,
 * the cross-lagged coefficients. Unavailable with fewer than 5 units, when a side does not vary
 * across units, or when the customer ICC cannot be computed.
 */
export function linkage(input: LinkageInput): Omit<Linkage, 'scope'> | Unavailable {
  const points = [...input.points]
  const units = points.length
  if (units < MIN_LINKAGE_UNITS) {
    return {
      code: 'too_few_units',
      message: `Linkage compares units: ${unitsWord(units)} with both staff and customer results released, and it needs ${MIN_LINKAGE_UNITS}.`,
    }
  }
  const staff = points.map((p) => p.staff)
  const customer = points.map((p) => p.customer)
  const r = pearson(staff, customer)
  const rho = spearman(staff, customer)
  if (r === null || rho === null) {
    return {
      code: 'no_spread',
      message: `Every one of the ${units} units has the same ${staff.every((v) => v === staff[0]) ? 'staff climate' : 'customer outcome'}, so there is nothing to correlate.`,
    }
  }
  const customerIcc = icc(input.customerIcc)
  if (!customerIcc) {
    return { code: 'not_enough_answers', message: 'The customer answers do not vary within and between units enough to measure how reliable a unit\'s outcome is.' }
  }
  const staffIcc = input.staffIcc ? icc(input.staffIcc) : null
  const bootstrap = input.bootstrap ?? { seed: ANALYTICS_SEED, replicates: BOOTSTRAP_REPLICATES }
  let lagged: Linkage['crossLagged'] = null
  if (input.previous) {
    const matched = matchWaves(points, input.previous.points)
    const fit = matched.length >= MIN_LINKAGE_UNITS ? crossLagged(matched, bootstrap) : null
    if (fit) lagged = { from: input.previous.from, units: matched.length, ...fit, bootstrap: { ...bootstrap } }
  }
  return {
    units,
    points,
    pearson: { r, ci95: fisherInterval(r, units)! },
    spearman: { r: rho, ci95: fisherInterval(rho, units)! },
    icc: { staff: staffIcc, customer: customerIcc },
    disattenuated: staffIcc ? disattenuated(r, staffIcc.icc2, customerIcc.icc2) : null,
    unitsFor80Power: unitsForPower(r),
    crossLagged: lagged,
  }
}
