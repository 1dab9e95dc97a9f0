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
 * Both lagged coefficients from one set of units, by the centred normal equations of the two fits,
 * which share their predictors (staff(t), customers(t)) and so their determinant:
 * customers(t+1) ~ customers(t) + staff(t), the coefficient of staff(t); and
 * staff(t+1) ~ staff(t) + customers(t), the coefficient of customers(t).
 * Null when the design is singular (a predictor constant, or the two collinear).
 */
function coefficients(units: readonly CrossLagUnit[]): { staffLeads: number; customersLead: number } | null {
  // Checked exactly first: rounding in a constant's mean would otherwise leave a spurious spread.
  const first = units[0]!
  if (units.every((u) => u.staff0 === first.staff0) || units.every((u) => u.customer0 === first.customer0)) return null
  const n = units.length
  let ms = 0
  let mc = 0
  let ms1 = 0
  let mc1 = 0
  for (const u of units) {
    ms += u.staff0
    mc += u.customer0
    ms1 += u.staff1
    mc1 += u.customer1
  }
  ms /= n
  mc /= n
  ms1 /= n
  mc1 /= n
  let sss = 0
  let scc = 0
  let ssc = 0
  let sStaffToCustomer1 = 0
  let sCustomerToCustomer1 = 0
  let sStaffToStaff1 = 0
  let sCustomerToStaff1 = 0
  for (const u of units) {
    const ds = u.staff0 - ms
    const dc = u.customer0 - mc
    const ds1 = u.staff1 - ms1
    const dc1 = u.customer1 - mc1
    sss += ds * ds
    scc += dc * dc
    ssc += ds * dc
    sStaffToCustomer1 += ds * dc1
    sCustomerToCustomer1 += dc * dc1
    sStaffToStaff1 += ds * ds1
    sCustomerToStaff1 += dc * ds1
  }
  const det = sss * scc - ssc * ssc
  if (!(sss > 0 && scc > 0) || !(det > SINGULAR * sss * scc)) return null
  return {
    staffLeads: (scc * sStaffToCustomer1 - ssc * sCustomerToCustomer1) / det,
    customersLead: (sss * sCustomerToStaff1 - ssc * sStaffToStaff1) / det,
  }
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
