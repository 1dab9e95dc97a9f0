// Worked examples for linkage across units (server/domain/analytics/linkage.ts and the correlation and
// cross-lag modules it gathers), each worked by hand from the formulas of design §4.
import { describe, expect, it } from 'vitest'
import {
  averageRanks, crossLagged, disattenuated, fisherInterval, icc, iccGroup, linkage, pearson, spearman, unitsForPower,
} from '../../server/domain/analytics/linkage.js'
import type { LinkagePoint } from '../../server/domain/analytics/types.js'

const close = (actual: number, expected: number, digits = 10) => expect(actual).toBeCloseTo(expected, digits)

describe('correlations', () => {
  it('Pearson: a worked example, and null without spread', () => {
    // x = 1, 2, 3, 4; y = 2, 4, 5, 9: deviations (−1.5, −0.5, 0.5, 1.5) and (−3, −1, 0, 4);
    // Σxy = 4.5 + 0.5 + 0 + 6 = 11, Σx² = 5, Σy² = 26, r = 11/√130.
    close(pearson([1, 2, 3, 4], [2, 4, 5, 9])!, 11 / Math.sqrt(130))
    expect(pearson([0.1, 0.1, 0.1], [1, 2, 3])).toBeNull()
    expect(pearson([1], [1])).toBeNull()
    expect(() => pearson([1, 2], [1])).toThrow(RangeError)
  })

  it('Spearman gives tied values the mean of their ranks', () => {
    expect(averageRanks([1, 2, 2, 3, 4])).toEqual([1, 2.5, 2.5, 4, 5])
    expect(averageRanks([5, 1, 5, 5])).toEqual([3, 1, 3, 3])
    // Ranks (1, 2.5, 2.5, 4, 5) and (2, 1, 3.5, 3.5, 5), both of mean 3: Σxy = 2 + 1 − 0.25 + 0.5 + 4 = 7.25,
    // Σx² = Σy² = 9.5, ρ = 7.25/9.5 = 29/38.
    close(spearman([1, 2, 2, 3, 4], [2, 1, 3, 3, 5])!, 29 / 38)
    // A monotone but curved relation is a perfect rank correlation.
    close(spearman([1, 2, 3, 4, 5], [1, 8, 27, 64, 125])!, 1)
  })

  it('the Fisher interval: r = 0.5 from 28 units', () => {
    // SE = 1/√25 = 0.2; atanh 0.5 = 0.5493061; ± 1.959964 · 0.2 = ± 0.3919928 → tanh(0.1573133), tanh(0.9412989).
    const [lower, upper] = fisherInterval(0.5, 28)!
    close(lower, 0.15602836252908595)
    close(upper, 0.7358184794439376)
  })

  it('the Fisher interval at ±1 is the point, never NaN; it needs more than 3 units', () => {
    expect(fisherInterval(1, 10)).toEqual([1, 1])
    expect(fisherInterval(-1, 10)).toEqual([-1, -1])
    expect(fisherInterval(1 + 1e-16, 10)).toEqual([1, 1])
    expect(fisherInterval(0.3, 3)).toBeNull()
  })
})

describe('ICC(1) and ICC(2), from a one-way ANOVA with unequal units', () => {
  // Unit A scores 1, 2, 3; unit B 4, 6; unit C 3, 5, 7, 9. N = 9, J = 3, unit means 2, 5, 6, grand mean 40/9.
  // SSB = 3(22/9)² + 2(5/9)² + 4(14/9)² = 2286/81, MSB = 1143/81 = 127/9.
  // SSW = 2 + 2 + 20 = 24, MSW = 24/6 = 4.
  // k̄ = (9 − (9 + 4 + 16)/9)/2 = 26/9.
  // ICC(1) = (127/9 − 4)/(127/9 + (17/9) · 4) = 91/195 = 7/15; ICC(2) = (91/9)/(127/9) = 91/127.
  const groups = [iccGroup([1, 2, 3]), iccGroup([4, 6]), iccGroup([3, 5, 7, 9])]

  it('matches the hand computation', () => {
    expect(groups[2]).toEqual({ n: 4, sum: 24, sumSquares: 164 })
    const result = icc(groups)!
    close(result.icc1, 7 / 15)
    close(result.icc2, 91 / 127)
    expect(result.units).toBe(3)
    expect(result.respondents).toBe(9)
  })

  it('leaves out units without respondents', () => {
    const result = icc([...groups, { n: 0, sum: 0, sumSquares: 0 }])!
    close(result.icc1, 7 / 15)
    expect(result.units).toBe(3)
  })

  it('returns negative values as computed', () => {
    // Means 2 and 2.5 against wide spreads: MSB = 0.3 (SSB = 2(0.25)² · 2 + … ) below MSW.
    // A: 0, 4 (mean 2); B: 1, 4 (mean 2.5). Grand 2.25; SSB = 2 · 0.0625 · 2 = 0.25, MSB = 0.25;
    // SSW = 8 + 4.5 = 12.5, MSW = 12.5/2 = 6.25; k̄ = (4 − 8/4)/1 = 2.
    // ICC(1) = (0.25 − 6.25)/(0.25 + 6.25) = −12/13; ICC(2) = −6/0.25 = −24.
    const result = icc([iccGroup([0, 4]), iccGroup([1, 4])])!
    close(result.icc1, -12 / 13)
    close(result.icc2, -24)
  })

  it('is null with one unit, no respondents beyond the units, or no spread between units', () => {
    expect(icc([iccGroup([1, 2, 3])])).toBeNull()
    expect(icc([iccGroup([1]), iccGroup([2]), iccGroup([3])])).toBeNull()
    expect(icc([iccGroup([1, 3]), iccGroup([2, 2]), iccGroup([0, 4])])).toBeNull()
    // Customers: 3 of 10 and 6 of 20 agree, the same share.
    expect(icc([{ n: 10, sum: 3, sumSquares: 3 }, { n: 20, sum: 6, sumSquares: 6 }])).toBeNull()
  })

  it('is 1 when units differ and everyone inside a unit agrees', () => {
    const result = icc([iccGroup([1, 1, 1]), iccGroup([0, 0])])!
    expect(result.icc1).toBe(1)
    expect(result.icc2).toBe(1)
  })
})

describe('disattenuation and power', () => {
  it('divides by the root of the reliabilities, capped at ±1', () => {
    close(disattenuated(0.4, 0.64, 0.81)!, 0.4 / 0.72)
    expect(disattenuated(0.9, 0.5, 0.5)).toBe(1)
    expect(disattenuated(-0.9, 0.5, 0.5)).toBe(-1)
    expect(disattenuated(0.4, 0, 0.8)).toBeNull()
    expect(disattenuated(0.4, 0.8, -0.2)).toBeNull()
    expect(disattenuated(0.4, null, 0.8)).toBeNull()
  })

  it('needs 85 units for ρ = 0.3 and 30 for 0.5', () => {
    // ((1.959964 + 0.841621)/atanh 0.3)² + 3 = (2.801585/0.3095196)² + 3 = 84.93 → 85.
    expect(unitsForPower(0.3)).toBe(85)
    expect(unitsForPower(-0.3)).toBe(85)
    // (2.801585/0.5493061)² + 3 = 29.01 → 30.
    expect(unitsForPower(0.5)).toBe(30)
    expect(unitsForPower(0)).toBeNull()
    expect(unitsForPower(1)).toBe(4)
    expect(unitsForPower(-1)).toBe(4)
  })
})

describe('cross-lagged regressions', () => {
  // Customers next wave = 0.1 + 0.5 · customers now + 0.3 · staff now; staff next wave = 0.2 + 0.6 · staff now
  // (customers now have no part), plus noise on staff that is (to 4 decimals) orthogonal to both
  // predictors and the intercept, so the staff fit is not exact and the customers' coefficient is ≈ 0.
  const noise = [0.0232, -0.0222, -0.034, 0.0406, 0.0173, 0.0319, -0.0259, -0.0309]
  const units = [
    [0.5, 0.4], [0.6, 0.7], [0.7, 0.5], [0.8, 0.8], [0.55, 0.3], [0.65, 0.6], [0.9, 0.7], [0.45, 0.5],
  ].map(([staff0, customer0], i) => ({
    staff0: staff0!,
    customer0: customer0!,
    customer1: 0.1 + 0.5 * customer0! + 0.3 * staff0!,
    staff1: 0.2 + 0.6 * staff0! + noise[i]!,
  }))

  it('recovers the coefficients and says staff lead', () => {
    const result = crossLagged(units, { seed: 7, replicates: 400 })!
    close(result.staffLeads.estimate, 0.3)
    // The noiseless fit is exact in every resample, so the interval is the coefficient itself.
    close(result.staffLeads.ci95[0], 0.3)
    close(result.staffLeads.ci95[1], 0.3)
    // The rounded noise leaves a coefficient of −0.000249 (NumPy lstsq on the same eight units).
    close(result.customersLead.estimate, -0.000248901903, 6)
    expect(result.customersLead.ci95[0]).toBeLessThan(0)
    expect(result.customersLead.ci95[1]).toBeGreaterThan(0)
    expect(result.leads).toBe('staff')
  })

  it('says customers lead when the roles are swapped, and unclear when both intervals exclude 0', () => {
    const swapped = units.map((u) => ({ staff0: u.customer0, customer0: u.staff0, staff1: u.customer1, customer1: u.staff1 }))
    const reverse = crossLagged(swapped, { seed: 7, replicates: 400 })!
    close(reverse.customersLead.estimate, 0.3)
    expect(reverse.leads).toBe('customers')
    // Staff next wave also follows customers now (0.4), exactly: both intervals are points away from 0.
    const both = units.map((u) => ({ ...u, staff1: 0.2 + 0.6 * u.staff0 + 0.4 * u.customer0 }))
    const mutual = crossLagged(both, { seed: 7, replicates: 400 })!
    close(mutual.customersLead.ci95[0], 0.4)
    expect(mutual.leads).toBe('unclear')
  })

  it('is null when the two predictors are collinear', () => {
    const collinear = units.map((u) => ({ ...u, customer0: 2 * u.staff0 - 0.5 }))
    expect(crossLagged(collinear, { seed: 1, replicates: 100 })).toBeNull()
  })
})

describe('linkage', () => {
  const point = (id: string, staff: number, customer: number): LinkagePoint => ({
    unit: { id, name: `Unit ${id}` }, staff, customer, staffN: 10, customerN: 20,
  })
  const points = [point('a', 0.5, 0.4), point('b', 0.6, 0.55), point('c', 0.7, 0.5), point('d', 0.8, 0.75), point('e', 0.9, 0.7)]
  const customerIcc = points.map((p) => ({ n: 20, sum: p.customer * 20, sumSquares: p.customer * 20 }))
  const staffIcc = [iccGroup([0.4, 0.6, 0.5]), iccGroup([0.6, 0.7, 0.5]), iccGroup([0.7, 0.8, 0.6]), iccGroup([0.8, 0.9, 0.7]), iccGroup([0.9, 1, 0.8])]

  it('correlates staff climate with customer outcome over the units', () => {
    const result = linkage({ points, staffIcc, customerIcc })
    if ('code' in result) throw new Error(result.message)
    const staff = points.map((p) => p.staff)
    const customer = points.map((p) => p.customer)
    expect(result.units).toBe(5)
    expect(result.points).toEqual(points)
    expect(result.pearson.r).toBe(pearson(staff, customer))
    expect(result.pearson.ci95).toEqual(fisherInterval(result.pearson.r, 5))
    // Staff ranks 1 … 5, customer ranks 1, 3, 2, 5, 4: Σd² = 0 + 1 + 1 + 1 + 1 = 4, ρ = 1 − 6·4/(5·24) = 0.8.
    close(result.spearman.r, 0.8)
    const staffReliability = icc(staffIcc)!.icc2
    const customerReliability = icc(customerIcc)!.icc2
    expect(result.icc.staff!.icc2).toBe(staffReliability)
    close(result.disattenuated!, Math.min(1, result.pearson.r / Math.sqrt(staffReliability * customerReliability)))
    expect(result.unitsFor80Power).toBe(unitsForPower(result.pearson.r))
    expect(result.crossLagged).toBeNull()
  })

  it('has no staff ICC or disattenuation when the staff groups are withheld', () => {
    const result = linkage({ points, staffIcc: null, customerIcc })
    if ('code' in result) throw new Error(result.message)
    expect(result.icc.staff).toBeNull()
    expect(result.disattenuated).toBeNull()
  })

  it('needs five units, and says how many there are', () => {
    const result = linkage({ points: points.slice(0, 4), staffIcc, customerIcc })
    expect(result).toEqual({ code: 'too_few_units', message: expect.stringContaining('4 units') })
    expect('message' in result && result.message).toContain('needs 5')
  })

  it('is unavailable when every unit has the same customer outcome', () => {
    const flat = points.map((p) => ({ ...p, customer: 0.6 }))
    const result = linkage({ points: flat, staffIcc, customerIcc })
    expect(result).toEqual({ code: 'no_spread', message: expect.stringContaining('customer outcome') })
  })

  it('adds the cross-lag with an earlier wave sharing five units, matched by unit id', () => {
    const earlier = [point('e', 0.85, 0.6), point('d', 0.7, 0.7), point('c', 0.72, 0.45), point('b', 0.5, 0.5), point('a', 0.55, 0.3)]
    const from = { id: 'w1', name: '2026-Q3' }
    const bootstrap = { seed: 11, replicates: 200 }
    const result = linkage({ points, staffIcc, customerIcc, previous: { from, points: earlier }, bootstrap })
    if ('code' in result) throw new Error(result.message)
    const byId = new Map(earlier.map((p) => [p.unit.id, p]))
    const expected = crossLagged(points.map((p) => ({
      staff0: byId.get(p.unit.id)!.staff, customer0: byId.get(p.unit.id)!.customer, staff1: p.staff, customer1: p.customer,
    })), bootstrap)!
    expect(result.crossLagged).toEqual({ from, units: 5, ...expected, bootstrap })
    // Four shared units are too few for the cross-lag; the rest of linkage stands.
    const fewer = linkage({ points, staffIcc, customerIcc, previous: { from, points: earlier.slice(0, 4) }, bootstrap })
    if ('code' in fewer) throw new Error(fewer.message)
    expect(fewer.crossLagged).toBeNull()
  })
})
