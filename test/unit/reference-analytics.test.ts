// The reference analytics (test/helpers/reference-*.ts) checked against tiny examples computed by
// hand and published tables, so that the route tests compare the product with something that is
// itself right.
import { describe, expect, it } from 'vitest'
import {
  crossLagged, drivers, fixFirst, gap, icc, linkage, pairwise, predicted, predictionError, relativeWeights, share, unitPredictions, type PostedRow,
} from '../helpers/reference-analytics.js'
import { bh, dimensionShare, itemShare, pooledPValue, reportedDimensions, type ReferenceRow } from '../helpers/reference-report.js'
import { averageRanks, jacobiEigen, mover, solve, spearman, tCdf, tQuantile, wilson } from '../helpers/reference-numerics.js'

const close = (actual: number, expected: number, digits = 12) => expect(actual).toBeCloseTo(expected, digits)

describe('reference numerics', () => {
  it('finds the eigenvalues 1 and 3 of [[2, 1], [1, 2]] and rebuilds a 4×4 matrix from its decomposition', () => {
    const { values } = jacobiEigen([[2, 1], [1, 2]])
    expect([...values].sort()).toEqual([expect.closeTo(1, 14), expect.closeTo(3, 14)])
    const a = [[4, 1, 0.5, 0.2], [1, 3, 0.3, 0.1], [0.5, 0.3, 2, 0.7], [0.2, 0.1, 0.7, 1]]
    const { values: l, vectors: v } = jacobiEigen(a)
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        let rebuilt = 0
        for (let k = 0; k < 4; k++) rebuilt += v[i]![k]! * l[k]! * v[j]![k]!
        close(rebuilt, a[i]![j]!, 13)
        close(v.reduce((s, row) => s + row[i]! * row[j]!, 0), i === j ? 1 : 0, 13)
      }
    }
  })

  it('solves a 3×3 system', () => {
    const x = solve([[0, 2, 1], [1, 1, 1], [2, 1, 3]], [7, 6, 13])
    x.forEach((value, i) => close(value, [1, 2, 3][i]!, 13))
  })

  it('gives the tabulated 97.5% quantiles of Student t', () => {
    const table: Array<[number, number]> = [[1, 12.706204736174694], [2, 4.302652729749462], [5, 2.5705818356363146], [10, 2.228138851986274], [30, 2.0422724563012378], [200, 1.9718962236339088]]
    for (const [nu, t] of table) close(tQuantile(0.975, nu), t, 11)
    close(tCdf(1.5, 7), 0.911350756505015, 13)
    close(tCdf(-1.5, 7), 1 - 0.911350756505015, 13)
  })

  it('gives the Wilson and Newcombe intervals of 80/100 against 8/100 (the report test’s figures)', () => {
    close(wilson(80, 100)[0], 0.711170834406841, 12)
    const staff = { n: 100, agree: 80, share: 0.8, ci95: wilson(80, 100) }
    const customers = { n: 100, agree: 8, share: 0.08, ci95: wilson(8, 100) }
    close(gap(staff, customers).ci95[0], 60.69160851430025, 9)
    // MOVER of two point estimates with symmetric intervals is the root sum of squares.
    const [lo, hi] = mover(0.5, [0.4, 0.6], 0.2, [0.1, 0.3])
    close(lo, 0.3 - Math.sqrt(0.02), 14)
    close(hi, 0.3 + Math.sqrt(0.02), 14)
  })

  it('ranks ties by their average rank', () => {
    expect(averageRanks([3, 1, 2, 2])).toEqual([4, 1, 2.5, 2.5])
    close(spearman([1, 2, 3, 4], [10, 30, 20, 40]), 0.8, 14)
  })
})

describe('reference key drivers', () => {
  it('gives Johnson’s weights of two predictors in closed form (r12 = .5, r1y = .6, r2y = .4: 43/150 and 13/150)', () => {
    // Λ* = [[a, b], [b, a]] with a, b = (√1.5 ± √0.5)/2; β* = Λ*⁻¹ r_xy; ε = Λ*² β*²; R² = (r1² + r2² − 2 r1 r2 r12)/(1 − r12²) = 0.28/0.75.
    const { raw, r2, r2FromSolve } = relativeWeights([[1, 0.5], [0.5, 1]], [0.6, 0.4])
    close(raw[0]!, 43 / 150, 14)
    close(raw[1]!, 13 / 150, 14)
    close(r2, 0.28 / 0.75, 14)
    close(r2FromSolve, 0.28 / 0.75, 14)
  })

  it('gives squared correlations for orthogonal predictors', () => {
    const { raw } = relativeWeights([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [0.5, -0.3, 0.1])
    raw.forEach((value, i) => close(value, [0.25, 0.09, 0.01][i]!, 14))
  })

  it('correlates pairwise: each pair over the rows answering both, with those rows’ own means', () => {
    const rows = [{ a: 1, b: 2 }, { a: 2, b: null }, { a: 3, b: 1 }, { a: null, b: 5 }, { a: 5, b: 4 }]
    // Complete pairs (1, 2), (3, 1), (5, 4): means 3 and 7/3; Σdxdy = 4, Σdx² = 8, Σdy² = 14/3.
    close(pairwise(rows, 'a', 'b'), 4 / Math.sqrt(8 * 14 / 3), 14)
  })

  it('takes customers with an outcome and a predictor, and its weights sum to 1', () => {
    const rows = [
      { y: 5, a: 5, b: 4 }, { y: 4, a: 4, b: 2 }, { y: 2, a: 1, b: 3 }, { y: 3, a: 2, b: 2 }, { y: 1, a: 2, b: 1 },
      { y: null, a: 5, b: 5 }, { y: 4, a: null, b: null }, { y: 5, a: 4, b: null },
    ]
    const result = drivers(rows, 'y', ['a', 'b'])
    expect(result.n).toBe(6)
    close(result.weights.reduce((s, w) => s + w.weight, 0), 1, 14)
    close(result.r2, result.r2FromSolve, 13)
    expect(result.weights[0]!.raw).toBeGreaterThan(result.weights[1]!.raw)
  })
})

describe('reference fix first, predictions and linkage', () => {
  const row = (side: 'staff' | 'customer', unit: string, answers: Record<string, number | null>, predictions?: Record<string, number>): PostedRow =>
    ({ side, unit, answers, predictions })

  it('indexes weight × staff over-rating, ranks ties by weight, and splits the quadrants at the means', () => {
    const weights = [{ key: 'a', correlation: 0, raw: 0, weight: 0.5 }, { key: 'b', correlation: 0, raw: 0, weight: 0.3 }, { key: 'c', correlation: 0, raw: 0, weight: 0.2 }]
    // Staff agree on a: 2/2, b: 1/2, c: 0/2. Customers on a: 1/2, b: 2/2, c: 1/2. Gaps 50, −50, −50 points.
    const staff = [row('staff', 'u', { a: 5, b: 4, c: 1 }), row('staff', 'u', { a: 4, b: 2, c: 3 })]
    const customers = [row('customer', 'u', { a: 5, b: 5, c: 5 }), row('customer', 'u', { a: 3, b: 4, c: 1 })]
    const result = fixFirst(weights, staff, customers)
    expect(result.items.map((i) => [i.key, i.index, i.rank, i.quadrant])).toEqual([
      ['a', 0.25, 1, 'fix_first'], ['b', 0, 2, 'possible_overkill'], ['c', 0, 3, 'low_priority'],
    ])
    expect(result.top).toEqual(['a'])
    close(result.cuts.weight, 1 / 3, 14)
    close(result.cuts.customerShare, 2 / 3, 14)
  })

  it('reads predictions 5, 6, 7 of 10 as 0.6 ± t(2)·0.1/√3 and the error against 1 of 2 customers', () => {
    const staff = [5, 6, 7].map((k) => row('staff', 'u', {}, { y: k }))
    const q = predicted(staff, 'y')!
    close(q.share, 0.6, 14)
    close(q.sd, 0.1, 14)
    close(q.ci95[1] - 0.6, 4.302652729749462 * 0.1 / Math.sqrt(3), 11)
    expect(q.distribution).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0])
    const p = share([row('customer', 'u', { y: 5 }), row('customer', 'u', { y: 1 })], 'y')!
    const e = predictionError(q, p)
    close(e.points, 10, 12)
    close(e.ci95[0], 10 - 100 * Math.sqrt((0.6 - q.ci95[0]) ** 2 + (p.ci95[1] - 0.5) ** 2), 11)
  })

  it('gives each unit its bias, mean absolute error and tracking over items', () => {
    // Unit u: predicted 0.8, 0.5, 0.2 against actual 0.5, 0.5, 0 → errors 30, 0, 20.
    const rows = [
      row('staff', 'u', {}, { a: 8, b: 5, c: 2 }), row('staff', 'u', {}, { a: 8, b: 5, c: 2 }),
      row('customer', 'u', { a: 5, b: 5, c: 1 }), row('customer', 'u', { a: 1, b: 1, c: 1 }),
    ]
    const [u] = unitPredictions(rows, ['a', 'b', 'c'])
    expect(u).toMatchObject({ unit: 'u', items: 3 })
    close(u!.optimismBias, 50 / 3, 12)
    close(u!.meanAbsoluteError, 50 / 3, 12)
    close(u!.tracking!, 0.8660254037844386, 12) // Pearson of (0.8, 0.5, 0.2) and (0.5, 0.5, 0)
  })

  it('computes ICC(1) and ICC(2) by one-way ANOVA, for equal and unequal groups', () => {
    // [1,2,3] and [4,5,6]: MSB = 13.5, MSW = 1, k̄ = 3 → ICC1 = 12.5/15.5, ICC2 = 12.5/13.5.
    const equal = icc([[1, 2, 3], [4, 5, 6]])
    close(equal.icc1, 12.5 / 15.5, 14)
    close(equal.icc2, 12.5 / 13.5, 14)
    // [1,2] and [3,4,8]: SSB = 14.7, SSW = 14.5 (MSW = 14.5/3), k̄ = (5 − 13/5)/1 = 2.4.
    const unequal = icc([[1, 2], [3, 4, 8]])
    close(unequal.icc1, (14.7 - 14.5 / 3) / (14.7 + 1.4 * 14.5 / 3), 14)
    close(unequal.icc2, (14.7 - 14.5 / 3) / 14.7, 14)
    expect(unequal).toMatchObject({ units: 2, respondents: 5 })
  })

  it('links staff climate to the customer headline across units, scoring each staff respondent over the items they answered', () => {
    const units = ['a', 'b', 'c', 'd', 'e']
    const rows = units.flatMap((unit, u) => [
      row('staff', unit, { x: u >= 1 ? 5 : 1, y: u >= 2 ? 5 : 1 }), row('staff', unit, { x: u >= 3 ? 5 : 1, y: u === 4 ? null : 2 }),
      row('customer', unit, { x: u >= 2 ? 5 : 2 }), row('customer', unit, { x: u >= 4 ? 4 : 3 }), row('customer', unit, { x: null }),
    ])
    const result = linkage(rows, ['x', 'y'], 'x')
    expect(result.points.map((p) => [p.staff, p.customer, p.staffN, p.customerN])).toEqual([
      [0, 0, 2, 2], [0.25, 0, 2, 2], [0.5, 0.5, 2, 2], [0.75, 0.5, 2, 2], [1, 1, 2, 2],
    ])
    close(result.pearson.r, pearson5(), 14)
    // Unit e's second staff respondent answered only x (1 of 1 agreed): scores 1, 1 there; a … d as by hand.
    expect(result.icc.staff).toMatchObject({ units: 5, respondents: 10 })
    // Scores per unit: a 0, 0; b ½, 0; c 1, 0; d 1, ½; e 1, 1. Grand mean 0.5; SSB = 2·(¼ + 1/16 + 0 + 1/16 + ¼) = 1.25,
    // SSW = 0 + 1/8 + ½ + 1/8 + 0 = 0.75; MSB = 1.25/4, MSW = 0.75/5; ICC(1) = (MSB − MSW)/(MSB + MSW) with k̄ = 2.
    close(result.icc.staff!.icc1, (1.25 / 4 - 0.75 / 5) / (1.25 / 4 + 0.75 / 5), 12)
    expect(result.icc.customer).toMatchObject({ units: 5, respondents: 10 })
    close(result.pearson.ci95[0], Math.tanh(Math.atanh(result.pearson.r) - 1.959963984540054 / Math.sqrt(2)), 14)
    expect(result.unitsFor80Power).toBe(Math.ceil(((1.959964 + 0.841621) / Math.atanh(result.pearson.r)) ** 2 + 3))
  })
})

describe('reference cross-lagged estimates', () => {
  it('recovers the coefficients of exact linear lags', () => {
    const staff = [0.2, 0.5, 0.4, 0.8, 0.6, 0.3], customers = [0.1, 0.3, 0.6, 0.5, 0.9, 0.2]
    const point = (unit: string, s: number, c: number) => ({ unit, staff: s, customer: c, staffN: 10, customerN: 10 })
    const earlier = staff.map((s, i) => point(`u${i}`, s, customers[i]!))
    const later = staff.map((s, i) => point(`u${i}`, 0.2 + 0.6 * s + 0.25 * customers[i]!, 0.1 + 0.5 * customers[i]! + 0.3 * s))
    const result = crossLagged(earlier, [...later.slice(1), point('elsewhere', 0.5, 0.5)])
    expect(result.units).toBe(5)
    close(result.staffLeads, 0.3, 12)
    close(result.customersLead, 0.25, 12)
  })
})

/** Pearson of (0, .25, .5, .75, 1) and (0, 0, .5, .5, 1), by hand: Σdxdy = 0.625, Σdx² = 0.625, Σdy² = 0.7. */
const pearson5 = () => 0.625 / Math.sqrt(0.625 * 0.7)

describe('reference gap report on both scales', () => {
  it('gives the two-sided normal tail through the incomplete gamma: 0.05 at z = 1.96, 0.0027 at z = 3', () => {
    // Pooled share 0.5 makes z easy: n = 50 a side → se = 0.1, so 30 against 20 (0.6 − 0.4) is z = 2;
    // n = 200 a side → se = 0.05, so 115 against 85 (0.575 − 0.425) is z = 3.
    close(pooledPValue(30, 50, 20, 50), 0.04550026389635842, 12)
    close(pooledPValue(115, 200, 85, 200), 0.0026997960632601866, 12)
    expect(pooledPValue(5, 5, 7, 7)).toBe(1)
  })

  it('adjusts p-values by Benjamini–Hochberg as the step-up rule says', () => {
    // m = 4: 0.01·4/1 = 0.04, 0.02·4/2 = 0.04, 0.03·4/3 = 0.04, 0.5·4/4 = 0.5.
    expect(bh([0.03, null, 0.01, 0.5, 0.02])).toEqual([expect.closeTo(0.04, 14), null, expect.closeTo(0.04, 14), 0.5, expect.closeTo(0.04, 14)])
  })

  it('counts 9 and 10 as agreeing on 0–10, with 11 counts from 0 to 10 and the mean on 0–10', () => {
    const rows = [0, 5, 8, 9, 10, 10, null].map((v) => ({ side: 'customer' as const, answers: { nps: v } }))
    const s = itemShare(rows, { key: 'nps', dimension: 'overall', headline: true, scale: 'likelihood11' })!
    expect(s).toMatchObject({ n: 6, agree: 3, share: 0.5, distribution: [1, 0, 0, 0, 0, 1, 0, 0, 1, 1, 2] })
    close(s.mean, 42 / 6, 14)
  })

  it('averages only the 1–5 items of a dimension, so a 0–10 answer never lifts a respondent into agreeing', () => {
    const items = [
      { key: 'kind', dimension: 'care', headline: false, scale: 'agree5' as const },
      { key: 'back', dimension: 'care', headline: false, scale: 'likelihood11' as const },
      { key: 'again', dimension: 'loyal', headline: false, scale: 'likelihood11' as const },
    ]
    const rows: ReferenceRow[] = [{ side: 'staff' as const, answers: { kind: 3, back: 10, again: 10 } }, { side: 'staff' as const, answers: { back: 10 } }, { side: 'staff' as const, answers: { kind: 4 } }]
    expect(dimensionShare(rows, items, 'care')).toMatchObject({ n: 2, agree: 1, mean: 3.5 })
    expect(reportedDimensions(items)).toEqual(['care'])
  })
})
