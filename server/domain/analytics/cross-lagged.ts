// Cross-lagged regressions across two waves (design §4, linkage): does a unit's staff climate now
// go with its customers' outcome next wave, beyond what the customers' outcome now predicts — and
// the reverse? Two OLS fits with an intercept over units, and percentile intervals from a bootstrap
// that resamples units with replacement.
import { randomIndex, seededRandom } from './random.js'
import type { CrossLagged, Interval } from './types.js'

/** One unit in both waves: staff climate and customer outcome (shares) at t (0) and t + 1 (1). */
export interface CrossLagUnit {
  staff0: number
  customer0: number
  staff1: number
  customer1: number
}

/** How many draws the bootstrap may spend per replicate before it gives up (see crossLagged). */
const ATTEMPTS_PER_REPLICATE = 20
/**
 * A design is singular when the determinant of its centred cross-products is this small relative to
 * their diagonal (1 − r² of the two predictors below 1e-10): one predictor is (almost) the other.
 */
const SINGULAR = 1e-10

/**
 * The coefficient of b in y ~ 1 + a + b, by the centred normal equations; null when the design is
 * singular (a and b collinear, or either constant).
 */
function secondCoefficient(a: readonly number[], b: readonly number[], y: readonly number[]): number | null {
  const n = a.length
  // Checked exactly first: rounding in a constant's mean would otherwise leave a spurious spread.
  if (a.every((v) => v === a[0]) || b.every((v) => v === b[0])) return null
  const mean = (v: readonly number[]) => v.reduce((s, x) => s + x, 0) / n
  const ma = mean(a)
  const mb = mean(b)
  const my = mean(y)
  let saa = 0
  let sbb = 0
  let sab = 0
  let say = 0
  let sby = 0
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma
    const db = b[i]! - mb
    const dy = y[i]! - my
    saa += da * da
    sbb += db * db
    sab += da * db
    say += da * dy
    sby += db * dy
  }
  const det = saa * sbb - sab * sab
  if (!(saa > 0 && sbb > 0) || !(det > SINGULAR * saa * sbb)) return null
  return (saa * sby - sab * say) / det
}

/** Both lagged coefficients from one set of units; null when the design is singular. */
function coefficients(units: readonly CrossLagUnit[]): { staffLeads: number; customersLead: number } | null {
  const staff0 = units.map((u) => u.staff0)
  const customer0 = units.map((u) => u.customer0)
  // customers(t+1) ~ customers(t) + staff(t): the coefficient of staff(t).
  const staffLeads = secondCoefficient(customer0, staff0, units.map((u) => u.customer1))
  // staff(t+1) ~ staff(t) + customers(t): the coefficient of customers(t). Same predictors, same singularity.
  const customersLead = secondCoefficient(staff0, customer0, units.map((u) => u.staff1))
  return staffLeads === null || customersLead === null ? null : { staffLeads, customersLead }
}

/** The q-quantile of sorted values, interpolating linearly between order statistics (R's type 7). */
function quantileOfSorted(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q
  const below = Math.floor(position)
  const above = Math.min(sorted.length - 1, below + 1)
  return sorted[below]! + (position - below) * (sorted[above]! - sorted[below]!)
}

function percentileInterval(values: number[]): Interval {
  const sorted = [...values].sort((a, b) => a - b)
  return [quantileOfSorted(sorted, 0.025), quantileOfSorted(sorted, 0.975)]
}

const excludesZero = ([lower, upper]: Interval) => lower > 0 || upper < 0

/**
 * Both lagged coefficients with 95% percentile bootstrap intervals over units. A replicate whose
 * resample is singular (e.g. it drew only two distinct units) is redrawn, so every interval rests on
 * exactly `replicates` fits and no replicate is NaN; the bootstrap is thereby conditioned on fittable
 * resamples. Null when the units themselves cannot be fitted (fewer than 3, or collinear predictors),
 * or when resamples keep failing (more than 20 draws per replicate on average), which only a
 * near-collinear design does. `leads` names a side only when its interval excludes 0 and the other's
 * does not.
 */
export function crossLagged(
  units: readonly CrossLagUnit[],
  options: { seed: number; replicates: number },
): Pick<CrossLagged, 'staffLeads' | 'customersLead' | 'leads'> | null {
  if (units.length < 3 || !(options.replicates >= 1)) return null
  const estimate = coefficients(units)
  if (!estimate) return null
  const random = seededRandom(options.seed)
  const staffDraws: number[] = []
  const customerDraws: number[] = []
  let attempts = 0
  while (staffDraws.length < options.replicates) {
    if (++attempts > ATTEMPTS_PER_REPLICATE * options.replicates) return null
    const resample = units.map(() => units[randomIndex(random, units.length)]!)
    const fit = coefficients(resample)
    if (!fit) continue
    staffDraws.push(fit.staffLeads)
    customerDraws.push(fit.customersLead)
  }
  const staffLeads = { estimate: estimate.staffLeads, ci95: percentileInterval(staffDraws) }
  const customersLead = { estimate: estimate.customersLead, ci95: percentileInterval(customerDraws) }
  const staffClear = excludesZero(staffLeads.ci95)
  const customersClear = excludesZero(customersLead.ci95)
  const leads = staffClear && !customersClear ? 'staff' : customersClear && !staffClear ? 'customers' : 'unclear'
  return { staffLeads, customersLead, leads }
}
